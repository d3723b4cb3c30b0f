//! roster-server: an Ably-protocol realtime presence server. `main` reads the flags,
//! builds the routes and serves until SIGINT/SIGTERM.

mod auth;
mod config;
mod http;
mod hub;
mod listener;
mod realtime;
mod rest;
mod state;
mod wire;

use auth::Keys;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderName, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use clap::Parser;
use config::Config;
use hub::{HistoryLimits, Hub, HubConfig, Limits, ReplayLimits};
use state::{AppState, Shared};
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

/// Members per SYNC page: small enough that a 100k-member channel streams.
const SYNC_PAGE_SIZE: usize = 100;
/// Bytes of members per SYNC page, about. A page goes out in 2 KiB fragments like any
/// large message (realtime/fragments.rs), so its size does not stay in the socket's write
/// buffer; larger pages mean fewer messages for server and client alike (2 KiB pages
/// made a 10,000-member join in the browser bench 1.5x slower for both clients).
const SYNC_PAGE_BYTES: usize = 16_384;
/// How often channels whose presence history aged out are looked for.
const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log))
        .with_writer(std::io::stderr)
        .init();
    match serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roster-server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let generated = config.keys.is_empty();
    let keys = if generated {
        Keys::generate_dev()
    } else {
        Keys::parse(&config.keys)?
    };
    let mounts = config.static_mounts()?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let listener = listener::BufferedListener(listener);
    let hub = Hub::new(HubConfig {
        sync_page_size: SYNC_PAGE_SIZE,
        sync_page_bytes: SYNC_PAGE_BYTES,
        max_message_size: config.max_message_size,
        history: HistoryLimits {
            retention: config.history_retention,
            max_len: config.history_limit,
            max_bytes: config.history_bytes,
            total_bytes: config.history_bytes_total,
        },
        limits: Limits {
            channels_per_connection: config.max_channels_per_connection,
            members_per_channel: config.max_members_per_channel,
            members_per_connection: config.max_members_per_connection,
            presence_data_per_channel: config.max_presence_data_per_channel,
            presence_data_per_connection: config.max_presence_data_per_connection,
        },
        server_id: format!("roster-{}", addr.port()),
        replay: ReplayLimits {
            max_age: config.connection_state_ttl,
            max_len: config.replay_limit,
            max_bytes: config.replay_bytes,
            total_bytes: config.replay_bytes_total,
        },
    });
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let dev_auth = generated || config.dev_auth;
    let dev_key = keys
        .first()
        .filter(|_| generated)
        .map(|k| format!("{}:{}", k.key.key_name, k.key.secret));
    let state = Arc::new(AppState::new(hub, keys, config, dev_auth, shutdown_rx));
    let app = router(state.clone(), &mounts);
    tokio::spawn(sweep_channels(state.clone()));

    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "roster-server listening on http://{addr}");
    if let Some(key) = dev_key {
        let _ = writeln!(out, "roster-server dev key: {key}");
    }
    let _ = out.flush();
    drop(out);

    let shutdown = async move {
        wait_for_signal().await;
        let _ = shutdown_tx.send(true);
        // Sessions say DISCONNECTED and close; give them a moment, then stop regardless.
        tokio::spawn(async {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            std::process::exit(0);
        });
    };
    let head_timeout = std::time::Duration::from_millis(state.config.request_head_timeout);
    http::serve(listener, app, head_timeout, shutdown).await;
    // Upgraded sockets are not connections axum waits for: wait for their sessions to
    // send DISCONNECTED (bounded by the forced exit above).
    state.sessions.close();
    state.sessions.wait().await;
    Ok(())
}

/// Drops channels kept only by presence history once it has aged out; between those
/// times a tick costs one look at the hub's queue.
async fn sweep_channels(state: Shared) {
    let mut tick = tokio::time::interval(SWEEP_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        state.hub().sweep(state::now_ms());
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn router(state: Shared, mounts: &[(String, PathBuf)]) -> Router {
    // ably-js in a browser sends its REST requests with credentials (fetch `credentials:
    // 'include'` when it sends an Authorization header), which a browser lets through
    // only if the origin is named back and credentials allowed, as Ably answers: with `*`
    // an ably-js page on another origin could not read presence history. Credentials are
    // headers here, never cookies, so naming any origin back gives a page nothing new.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_methods(AllowMethods::mirror_request())
        // Named back rather than `*`, which does not cover Authorization (Fetch spec).
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            header::LINK,
            HeaderName::from_static("x-ably-errorcode"),
            HeaderName::from_static("x-ably-errormessage"),
        ]);
    let mut app = Router::new()
        .route("/", get(root))
        .route("/health", get(|| async { "ok" }))
        .route("/time", get(rest::time))
        .route("/channels/{channel}/presence", get(rest::presence_get))
        .route(
            "/channels/{channel}/presence/history",
            get(rest::presence_history),
        )
        .route("/presence", get(rest::batch_presence))
        .route("/keys/{key_name}/requestToken", post(rest::request_token))
        .route("/auth/token-request", get(rest::dev_token_request))
        .route_layer(axum::middleware::from_fn(rest::negotiate));
    let mut has_root = false;
    for (mount, dir) in mounts {
        let files =
            ServeDir::new(dir).not_found_service(get(rest::not_found).with_state(state.clone()));
        if mount == "/" {
            app = app.fallback_service(files);
            has_root = true;
        } else {
            app = app.nest_service(mount, files);
        }
    }
    if !has_root {
        app = app.fallback(rest::not_found);
    }
    app.layer(cors).with_state(state)
}

/// `/`: the realtime WebSocket endpoint, or the site's index page for a plain GET.
async fn root(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
    mut request: Request,
) -> Response {
    if let Some(upgrade) = realtime::Upgrade::take(&mut request) {
        let params = realtime::ConnectParams::from_query(&query);
        let secure = peer.ip().is_loopback() || state.config.behind_tls_proxy;
        let sessions = state.sessions.clone();
        return upgrade.accept(realtime::socket_config(&state.config), move |socket| {
            sessions.track_future(realtime::run(socket, state, params, secure))
        });
    }
    let index = state
        .config
        .static_mounts()
        .ok()
        .and_then(|mounts| mounts.into_iter().find(|(m, _)| m == "/"))
        .map(|(_, dir)| dir.join("index.html"));
    match index {
        Some(path) => match tokio::fs::read_to_string(path).await {
            Ok(html) => Html(html).into_response(),
            Err(_) => rest::not_found().await.into_response(),
        },
        None => (
            StatusCode::OK,
            "roster-server: connect a WebSocket client here\n",
        )
            .into_response(),
    }
}

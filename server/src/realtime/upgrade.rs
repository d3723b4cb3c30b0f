//! The WebSocket opening handshake (RFC 6455 section 4.2), done here rather than by
//! axum: axum's socket cannot send a message in fragments, and without them one large
//! message leaves its size in every recipient's write buffer (see fragments.rs).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version};
use axum::response::Response;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use std::future::Future;
use tokio_tungstenite::WebSocketStream;
use tungstenite::handshake::derive_accept_key;
use tungstenite::protocol::{Role, WebSocketConfig};

/// A server-side WebSocket on an upgraded HTTP/1.1 connection.
pub type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// A WebSocket opening request, taken out of the HTTP request that carried it.
pub struct Upgrade {
    accept: HeaderValue,
    on_upgrade: OnUpgrade,
}

impl Upgrade {
    /// The opening handshake in `request`: an HTTP/1.1 GET with `Connection: upgrade`,
    /// `Upgrade: websocket`, `Sec-WebSocket-Version: 13` and a key. `None` for any
    /// other request, which is left as it was.
    pub fn take(request: &mut Request) -> Option<Upgrade> {
        let headers = request.headers();
        let is_opening = request.version() <= Version::HTTP_11
            && request.method() == Method::GET
            && lists(headers, header::CONNECTION, "upgrade")
            && lists(headers, header::UPGRADE, "websocket")
            && lists(headers, header::SEC_WEBSOCKET_VERSION, "13");
        if !is_opening {
            return None;
        }
        let key = headers.get(header::SEC_WEBSOCKET_KEY)?;
        let accept = HeaderValue::from_str(&derive_accept_key(key.as_bytes())).ok()?;
        let on_upgrade = request.extensions_mut().remove::<OnUpgrade>()?;
        Some(Upgrade { accept, on_upgrade })
    }

    /// 101 Switching Protocols. Once hyper hands the connection over, `session` runs on
    /// it, as a WebSocket set up with `config`, in a task of its own.
    pub fn accept<F, Fut>(self, config: WebSocketConfig, session: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let io = TokioIo::new(upgraded);
                    session(WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await)
                        .await;
                }
                Err(error) => tracing::debug!(%error, "the WebSocket upgrade failed"),
            }
        });
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, self.accept);
        response
    }
}

/// Whether the comma-separated header `name` lists `token` (ASCII case-insensitive).
fn lists(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| item.trim().eq_ignore_ascii_case(token))
}

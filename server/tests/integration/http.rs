//! The HTTP surface: health, 404s, CORS, URL-encoded channel names, and connections
//! that send no request in time.

use crate::support::{assert_still_serving, unique_channel, Server, FULL_KEY, WAIT};
use roster::protocol::{codes, PresenceAction};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn health_answers_200() {
    let server = Server::start(&[]);
    assert_eq!(server.http("GET", "/health", &[]).await.status, 200);
}

#[tokio::test]
async fn unknown_routes_get_404_with_an_error_body() {
    let server = Server::start(&[]);
    let response = server.http("GET", "/no/such/thing", &[]).await;
    assert_eq!(response.assert_error(404), u64::from(codes::NOT_FOUND));
}

#[tokio::test]
async fn cors_preflight_allows_authorized_requests_from_other_origins() {
    let server = Server::start(&[]);
    let preflight = server
        .http(
            "OPTIONS",
            "/channels/room/presence",
            &[
                ("Origin", "http://example.test"),
                ("Access-Control-Request-Method", "GET"),
                (
                    "Access-Control-Request-Headers",
                    "authorization,x-ably-version",
                ),
            ],
        )
        .await;
    assert!(
        preflight.status == 200 || preflight.status == 204,
        "{preflight:?}"
    );
    assert!(preflight.header("access-control-allow-origin").is_some());
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    // A `*` does not cover Authorization (Fetch spec), so it must be named.
    assert!(allowed.contains("authorization"), "{preflight:?}");

    let actual = server
        .http("GET", "/time", &[("Origin", "http://example.test")])
        .await;
    assert_eq!(actual.status, 200);
    // Named back with credentials allowed: ably-js sends its REST requests with
    // credentials, which `*` does not let through.
    assert_eq!(
        actual.header("access-control-allow-origin"),
        Some("http://example.test")
    );
    assert_eq!(
        actual.header("access-control-allow-credentials"),
        Some("true")
    );
    let exposed = actual
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("link"), "{actual:?}");
    assert!(exposed.contains("x-ably-errorcode"), "{actual:?}");
}

#[tokio::test]
async fn url_encoded_channel_names_work_for_rest_presence() {
    let server = Server::start(&[]);
    let channel = "a/b c";
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.attach(channel).await;
    c.presence(channel, 0, PresenceAction::Enter).await;

    let members = server.get_as_full_key("/channels/a%2Fb%20c/presence").await;
    assert_eq!(members.status, 200, "{members:?}");
    let members = members.json();
    assert_eq!(members.as_array().map(Vec::len), Some(1), "{members}");
    assert_eq!(members[0]["clientId"], "alice");

    let history = server
        .get_as_full_key("/channels/a%2Fb%20c/presence/history")
        .await;
    assert_eq!(history.status, 200, "{history:?}");
    assert_eq!(history.json()[0]["clientId"], "alice");

    let other = server.get_as_full_key("/channels/a%2Fb/presence").await;
    assert_eq!(other.json().as_array().map(Vec::len), Some(0));
}

/// Whether the server closes `stream` within [`WAIT`] (whatever it sends first).
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut sink))
        .await
        .is_ok()
}

#[tokio::test]
async fn connections_that_send_no_request_head_in_time_are_closed() {
    let server = Server::start(&["--request-head-timeout", "500"]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    // Silent from the start.
    let mut silent = TcpStream::connect(&server.addr).await.expect("connects");
    // A head sent a byte at a time, never finished.
    let mut trickle = TcpStream::connect(&server.addr).await.expect("connects");
    trickle
        .write_all(b"GET /health HTTP/1.1\r\nX-Pad: ")
        .await
        .expect("sent");
    let trickling = tokio::spawn(async move {
        for _ in 0..100 {
            if trickle.write_all(b"a").await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    });
    // Idle after a request it was answered (keep-alive).
    let mut idle = TcpStream::connect(&server.addr).await.expect("connects");
    let request = format!("GET /health HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    idle.write_all(request.as_bytes()).await.expect("sent");

    assert!(closed_by_server(&mut silent).await, "silent");
    assert!(closed_by_server(&mut idle).await, "idle");
    assert!(trickling.await.expect("trickle task"), "trickling");
    // An open WebSocket is not an HTTP request waiting: it lives on past the deadline.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    c.attach(&unique_channel("after")).await;
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn a_token_request_is_exchanged_once_then_refused_with_40105() {
    let server = Server::start(&["--dev-auth"]);
    let request = server
        .http("GET", "/auth/token-request?clientId=ada", &[])
        .await;
    assert_eq!(request.status, 200, "{request:?}");
    let exchange = || {
        server.http_with_body(
            "POST",
            "/keys/app.full/requestToken",
            &[("Content-Type", "application/json")],
            &request.body,
        )
    };
    assert_eq!(exchange().await.status, 200);
    assert_eq!(
        exchange().await.assert_error(401),
        u64::from(codes::TOKEN_REQUEST_NONCE_REUSED)
    );
    // Another request (its own nonce) still goes through.
    assert_eq!(server.token("bob", 60_000).await["clientId"], "bob");
}

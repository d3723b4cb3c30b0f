//! The HTTP surface: health, 404s, CORS, and URL-encoded channel names.

use crate::support::{Server, FULL_KEY};
use roster::protocol::{codes, PresenceAction};

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
    assert!(actual.header("access-control-allow-origin").is_some());
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

//! Token expiry on live connections: the server disconnects with 40142 when the token's
//! time is up, keeps the connection resumable with a new token (members stay), and AUTH
//! with a new token moves the deadline.

use crate::support::{unique_channel, Client, Server, FULL_KEY, WAIT};
use roster::protocol::{codes, Action, AuthDetails, PresenceAction, ProtocolMessage};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn token_text(details: &serde_json::Value) -> String {
    details["token"].as_str().expect("token").to_owned()
}

fn expires(details: &serde_json::Value) -> u64 {
    details["expires"].as_u64().expect("expires")
}

/// Connects with `token`, asserting CONNECTED; returns the connectionId and key.
async fn open_with_token(server: &Server, token: &str, extra: &str) -> (Client, String, String) {
    let (client, connected) = server.open(&format!("access_token={token}{extra}")).await;
    assert_eq!(connected.action, Action::Connected, "{connected:?}");
    assert_eq!(connected.error, None);
    let key = connected
        .connection_details
        .and_then(|d| d.connection_key)
        .expect("connectionKey");
    (client, connected.connection_id.expect("connectionId"), key)
}

fn auth(token: String) -> ProtocolMessage {
    ProtocolMessage {
        auth: Some(AuthDetails {
            access_token: token,
        }),
        ..ProtocolMessage::new(Action::Auth)
    }
}

/// A HEARTBEAT with an id is echoed: the next non-heartbeat frame must be that echo.
async fn assert_alive(client: &mut Client) {
    let ping = ProtocolMessage {
        id: Some("still-there".into()),
        ..ProtocolMessage::new(Action::Heartbeat)
    };
    client.send(&ping).await;
    let reply = client.recv().await;
    assert_eq!(reply.action, Action::Heartbeat, "{reply:?}");
    assert_eq!(reply.id.as_deref(), Some("still-there"));
}

#[tokio::test]
async fn expiry_disconnects_with_40142_and_a_new_token_resumes_with_members_kept() {
    let server = Server::start(&["--dev-auth"]);
    let channel = unique_channel("expiry");
    let (mut observer, _) = server.connect(FULL_KEY, Some("observer")).await;
    observer.attach(&channel).await;

    let short = server.token("alice", 1500).await;
    let (mut alice, conn_id, key) =
        open_with_token(&server, &token_text(&short), "&heartbeatInterval=1000").await;
    alice.attach(&channel).await;
    alice.presence(&channel, 0, PresenceAction::Enter).await;
    let entered = observer.next_presence().await;
    assert_eq!(entered[0].action, PresenceAction::Enter);

    // Heartbeats keep each read alive, so bound the whole wait.
    let disconnected = tokio::time::timeout(WAIT, alice.recv_until(Action::Disconnected))
        .await
        .expect("DISCONNECTED once the token expires");
    assert!(now_ms() >= expires(&short), "not before the token's expiry");
    let error = disconnected.error.expect("DISCONNECTED carries the reason");
    assert_eq!(error.code, codes::TOKEN_EXPIRED);
    assert_eq!(error.status_code, 401);
    assert!(alice.closed_by_server().await, "the transport is dropped");

    // The expired token cannot resume; a new one can, within remainPresentFor.
    let (_, refused) = server
        .open(&format!("access_token={}&resume={key}", token_text(&short)))
        .await;
    assert_eq!(refused.action, Action::Error, "{refused:?}");
    assert_eq!(refused.error.map(|e| e.code), Some(codes::TOKEN_EXPIRED));
    let fresh = server.token("alice", 60_000).await;
    let (mut alice, resumed_id, _) =
        open_with_token(&server, &token_text(&fresh), &format!("&resume={key}")).await;
    assert_eq!(resumed_id, conn_id, "the connection resumed");
    alice.attach(&channel).await;

    // Alice is still the same member: her update is the observer's next presence event.
    alice.presence(&channel, 1, PresenceAction::Update).await;
    observer.expect_update_from(&conn_id).await;
}

#[tokio::test]
async fn auth_with_a_longer_token_moves_the_deadline() {
    let server = Server::start(&["--dev-auth"]);
    let short = server.token("alice", 1500).await;
    let (mut alice, conn_id, _) =
        open_with_token(&server, &token_text(&short), "&heartbeatInterval=1000").await;

    let long = server.token("alice", 60_000).await;
    alice.send(&auth(token_text(&long))).await;
    let update = alice.recv().await;
    assert_eq!(update.action, Action::Connected, "{update:?}");
    assert_eq!(update.connection_id.as_deref(), Some(conn_id.as_str()));
    let details = update.connection_details.expect("connectionDetails");
    assert_eq!(details.max_idle_interval, Some(1000));

    // JWT expiry is in whole seconds, so the old deadline is at most 1 s past `expires`.
    let past_old_deadline = expires(&short) + 1500;
    let quiet = Duration::from_millis(past_old_deadline.saturating_sub(now_ms()));
    if let Ok(frame) = tokio::time::timeout(quiet, alice.recv()).await {
        panic!("nothing but heartbeats expected past the old deadline, got {frame:?}");
    }
    assert_alive(&mut alice).await;
}

#[tokio::test]
async fn auth_with_a_bad_token_disconnects_and_another_client_id_fails() {
    let server = Server::start(&["--dev-auth"]);
    let token = token_text(&server.token("alice", 60_000).await);

    let (mut alice, _, _) = open_with_token(&server, &token, "").await;
    alice.send(&auth("not-a-token".into())).await;
    let refused = alice.recv().await;
    assert_eq!(refused.action, Action::Disconnected, "{refused:?}");
    assert!(refused.error.expect("reason").is_token_error());
    assert!(alice.closed_by_server().await);

    let (mut alice, _, _) = open_with_token(&server, &token, "").await;
    let mallory = token_text(&server.token("mallory", 60_000).await);
    alice.send(&auth(mallory)).await;
    let failed = alice.recv().await;
    assert_eq!(failed.action, Action::Error, "{failed:?}");
    assert_eq!(
        failed.error.map(|e| e.code),
        Some(codes::INCOMPATIBLE_CREDENTIALS)
    );
    assert!(alice.closed_by_server().await);
}

#[tokio::test]
async fn dev_token_request_ttl_must_be_a_sane_number_of_ms() {
    let server = Server::start(&["--dev-auth"]);
    for ttl in ["0", "soon", "86400001"] {
        let path = format!("/auth/token-request?clientId=alice&ttl={ttl}");
        let response = server.http("GET", &path, &[]).await;
        assert_eq!(
            response.assert_error(400),
            u64::from(codes::BAD_REQUEST),
            "ttl={ttl}"
        );
    }
}

//! Connecting: authUrl, channel attach, refusals, and an unreachable server.

use crate::support::*;
use roster::wasm::Realtime;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn connects_with_auth_url_and_identifies_as_client_id() {
    let client = Client::connected(Some("ada")).await;
    assert_eq!(client.connection("clientId").as_deref(), Some("ada"));
    assert!(client.connection("id").is_some_and(|id| !id.is_empty()));
    assert!(client.connection("key").is_some());
    assert_eq!(client.connection_states(), ["connecting", "connected"]);
}

#[wasm_bindgen_test]
async fn attach_resolves_and_channel_reports_attached() {
    let client = Client::connected(Some("ada")).await;
    let name = channel("attach");
    settle(client.channel_lifecycle(&name, ops::ATTACH))
        .await
        .expect("attach resolves");
    assert_eq!(client.channel(&name, "state"), "attached");
    settle(client.channel_lifecycle(&name, ops::DETACH))
        .await
        .expect("detach resolves");
    assert_eq!(client.channel(&name, "state"), "detached");
}

#[wasm_bindgen_test]
async fn ping_resolves_with_round_trip_time() {
    let client = Client::connected(Some("ada")).await;
    let ping = client.lifecycle(ops::PING).unchecked_into();
    let rtt = settle(ping).await.expect("pong");
    assert!(rtt.as_f64().is_some_and(|ms| ms >= 0.0));
}

#[wasm_bindgen_test]
fn key_over_plain_websocket_is_refused_with_40103() {
    let (host, port) = host_port();
    let options = json(&format!(
        r#"{{"key":"app.key:secret","endpoint":"{host}","port":{port},"tls":false}}"#
    ));
    let sink = js_sys::Function::new_no_args("");
    let error = Realtime::new(options, sink)
        .err()
        .expect("basic auth over non-TLS refused");
    assert_eq!(get(&error, "code").as_f64(), Some(40103.0));
    assert_eq!(get(&error, "statusCode").as_f64(), Some(401.0));
}

#[wasm_bindgen_test]
async fn closed_port_goes_disconnected_then_retries() {
    let (host, _) = host_port();
    let options = json(&format!(
        r#"{{"token":"unused","endpoint":"{host}","port":9,"tls":false,"disconnectedRetryTimeout":500}}"#
    ));
    let client = Client::new(options);
    client.lifecycle(ops::CONNECT);
    let retried = wait_until(8000, || {
        let states = client.connection_states();
        states.iter().filter(|s| *s == "connecting").count() >= 2
    })
    .await;
    let states = client.connection_states();
    assert!(
        retried,
        "reconnect attempted after disconnected: {states:?}"
    );
    assert_eq!(states[..3], ["connecting", "disconnected", "connecting"]);
    let disconnected = client
        .connection_changes()
        .into_iter()
        .find(|c| text(c, "current") == "disconnected");
    let change = disconnected.expect("a disconnected change");
    assert!(get(&change, "retryIn").as_f64().is_some_and(|ms| ms > 0.0));
    assert!(
        get(&change, "reason").is_object(),
        "disconnected carries a reason"
    );
}

//! Abrupt disconnects: the member times out after remainPresentFor (1 s here) unless the
//! client resumes inside the window; a non-resumed reconnect re-enters the member.

use crate::support::*;
use wasm_bindgen_test::wasm_bindgen_test;

async fn entered_pair(test: &str) -> (String, Client, Client) {
    let (name, ada, bob) = watched_pair(test).await;
    ada.enter(&name, json(r#""here""#))
        .await
        .expect("ada enters");
    assert!(
        wait_until(3000, || bob.presence(&name).len() == 1).await,
        "bob sees ada enter"
    );
    (name, ada, bob)
}

#[wasm_bindgen_test]
async fn vanished_client_leaves_after_remain_present_for() {
    let (name, ada, bob) = entered_pair("vanish").await;
    let started = js_sys::Date::now();
    ada.realtime.simulate_disconnect(20_000, false);
    assert!(
        wait_until(8000, || bob
            .presence(&name)
            .iter()
            .any(|(a, c, ..)| a == "leave" && c == "ada"))
        .await,
        "bob sees ada leave: {:?}",
        bob.presence(&name)
    );
    let waited = js_sys::Date::now() - started;
    assert!(
        waited >= 900.0,
        "the member stayed for remainPresentFor first (left after {waited} ms)"
    );
    let leave = bob
        .presence(&name)
        .into_iter()
        .find(|(a, ..)| a == "leave")
        .unwrap();
    assert_eq!(
        leave.3, r#""here""#,
        "the synthesized leave carries the member's data"
    );
}

#[wasm_bindgen_test]
async fn reconnect_inside_the_window_shows_no_leave_or_enter() {
    let (name, ada, bob) = entered_pair("blip").await;
    let id = ada.connection("id");
    ada.realtime.simulate_disconnect(0, false);
    assert!(
        wait_until(5000, || ada.connection_states().ends_with(&[
            "disconnected".into(),
            "connecting".into(),
            "connected".into()
        ]))
        .await,
        "ada reconnects: {:?}",
        ada.connection_states()
    );
    assert_eq!(ada.connection("id"), id, "the connection resumed");
    sleep(2000).await;
    assert_eq!(
        bob.presence(&name).len(),
        1,
        "only the first enter: {:?}",
        bob.presence(&name)
    );
}

#[wasm_bindgen_test]
async fn non_resumed_reconnect_re_enters_own_member() {
    let (name, ada, bob) = entered_pair("reenter").await;
    let old_id = ada.connection("id").unwrap();
    ada.realtime.simulate_disconnect(0, true);
    assert!(
        wait_until(5000, || ada.connection("id").is_some_and(|id| id != old_id)
            && ada.connection("state").as_deref() == Some("connected"))
        .await,
        "ada gets a new connection"
    );
    let new_id = ada.connection("id").unwrap();
    let seen_on_new = wait_until(5000, || {
        bob.presence(&name).iter().any(|(a, c, conn, d)| {
            a == "enter" && c == "ada" && *conn == new_id && d == r#""here""#
        })
    })
    .await;
    assert!(
        seen_on_new,
        "ada re-entered with her data on the new connection: {:?}",
        bob.presence(&name)
    );
    let members = bob.members(&name, "{}").await.unwrap();
    assert!(
        members.iter().any(|m| text(&m, "connectionId") == new_id),
        "bob's member list has ada on the new connection"
    );
}

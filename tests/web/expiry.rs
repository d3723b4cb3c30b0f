//! Token expiry with an authUrl handing out 2 s tokens: each expiry disconnects the client
//! with 40142, it fetches a new token and resumes at once, and the member never leaves.

use crate::support::*;
use wasm_bindgen_test::wasm_bindgen_test;

/// The connection changes as "state:code" ("state:" without a reason).
fn changes(client: &Client) -> Vec<String> {
    client
        .connection_changes()
        .iter()
        .map(|c| {
            let code = get(&get(c, "reason"), "code").as_f64();
            format!(
                "{}:{}",
                text(c, "current"),
                code.map_or(String::new(), |c| c.to_string())
            )
        })
        .collect()
}

/// How many times the client went disconnected (40142) → connecting → connected.
fn renewals(client: &Client) -> usize {
    changes(client)
        .windows(3)
        .filter(|w| w == &["disconnected:40142", "connecting:", "connected:"])
        .count()
}

#[wasm_bindgen_test]
async fn expiring_tokens_are_renewed_without_losing_the_connection_or_member() {
    let name = channel("expiry");
    let bob = Client::connected(Some("bob")).await;
    settle(bob.channel_lifecycle(&name, ops::ATTACH))
        .await
        .expect("bob attaches");
    let ada = Client::new(options(Some("ada"), r#"{"authParams":{"ttl":"2000"}}"#));
    ada.lifecycle(ops::CONNECT);
    assert!(
        wait_until(5000, || ada.connection("state").as_deref()
            == Some("connected"))
        .await,
        "ada connects"
    );
    let id = ada.connection("id");
    ada.enter(&name, json(r#""here""#))
        .await
        .expect("ada enters");

    assert!(
        wait_until(20_000, || renewals(&ada) >= 2).await,
        "two expiries, each renewed at once: {:?}",
        changes(&ada)
    );
    // Past remainPresentFor (1 s): a member dropped at the last expiry would have left.
    sleep(2000).await;
    assert_eq!(ada.connection("id"), id, "the connection resumed each time");
    assert_eq!(ada.connection("state").as_deref(), Some("connected"));
    let seen = bob.presence(&name);
    assert_eq!(seen.len(), 1, "only ada's enter: {seen:?}");
    assert_eq!((seen[0].0.as_str(), seen[0].1.as_str()), ("enter", "ada"));
}

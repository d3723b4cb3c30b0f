//! Presence between two clients in one page: enter/update/leave, leave data, several
//! devices with one clientId, get with filters, enter without a clientId, and binary data.

use crate::support::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn data(text: &str) -> JsValue {
    json(text)
}

#[wasm_bindgen_test]
async fn enter_update_leave_are_seen_by_another_client_with_their_data() {
    let (name, ada, bob) = watched_pair("lifecycle").await;

    ada.enter(&name, data(r#"{"mood":"hi"}"#))
        .await
        .expect("enter");
    settle(ada.op(
        name.clone(),
        ops::UPDATE,
        JsValue::UNDEFINED,
        data(r#""busy""#),
    ))
    .await
    .expect("update");
    settle(ada.op(
        name.clone(),
        ops::LEAVE,
        JsValue::UNDEFINED,
        data(r#""bye""#),
    ))
    .await
    .expect("leave");

    assert!(
        wait_until(3000, || bob.presence(&name).len() >= 3).await,
        "bob sees three events"
    );
    let seen: Vec<(String, String, String)> = bob
        .presence(&name)
        .into_iter()
        .map(|(a, c, _, d)| (a, c, d))
        .collect();
    let expected = [
        ("enter", "ada", r#"{"mood":"hi"}"#),
        ("update", "ada", r#""busy""#),
        ("leave", "ada", r#""bye""#),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, c, d)| (a.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(seen, expected);
}

#[wasm_bindgen_test]
async fn same_client_id_on_two_devices_is_two_members() {
    let name = channel("devices");
    let phone = Client::connected(Some("ann")).await;
    let laptop = Client::connected(Some("ann")).await;
    let watcher = Client::connected(Some("wat")).await;
    phone
        .enter(&name, data(r#""phone""#))
        .await
        .expect("phone enters");
    laptop
        .enter(&name, data(r#""laptop""#))
        .await
        .expect("laptop enters");

    let members = watcher.members(&name, "{}").await.expect("get");
    assert_eq!(members.length(), 2, "one member per connection");
    let connections: Vec<String> = members.iter().map(|m| text(&m, "connectionId")).collect();
    assert!(connections.contains(&phone.connection("id").unwrap()));
    assert!(connections.contains(&laptop.connection("id").unwrap()));
    assert!(members
        .iter()
        .all(|m| text(&m, "clientId") == "ann" && text(&m, "action") == "present"));

    settle(phone.op(
        name.clone(),
        ops::LEAVE,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await
    .expect("phone leaves");
    assert!(
        wait_until(3000, || watcher
            .presence(&name)
            .iter()
            .any(|(a, ..)| a == "leave"))
        .await,
        "watcher sees the phone leave"
    );
    let members = watcher.members(&name, "{}").await.unwrap();
    assert_eq!(members.length(), 1);
    assert_eq!(
        text(&members.get(0), "connectionId"),
        laptop.connection("id").unwrap()
    );
}

#[wasm_bindgen_test]
async fn get_filters_by_client_id_and_connection_id() {
    let name = channel("filters");
    let ada = Client::connected(Some("ada")).await;
    let bob = Client::connected(Some("bob")).await;
    ada.enter(&name, JsValue::UNDEFINED).await.unwrap();
    bob.enter(&name, JsValue::UNDEFINED).await.unwrap();
    assert!(
        wait_until(3000, || ada.presence(&name).len() >= 2).await,
        "ada sees both enters"
    );

    let by_client = ada.members(&name, r#"{"clientId":"bob"}"#).await.unwrap();
    assert_eq!(by_client.length(), 1);
    assert_eq!(text(&by_client.get(0), "clientId"), "bob");

    let params = format!(r#"{{"connectionId":"{}"}}"#, ada.connection("id").unwrap());
    let by_connection = ada.members(&name, &params).await.unwrap();
    assert_eq!(by_connection.length(), 1);
    assert_eq!(text(&by_connection.get(0), "clientId"), "ada");
}

#[wasm_bindgen_test]
async fn get_waits_for_sync_on_a_fresh_attach_unless_told_not_to() {
    let name = channel("sync");
    let ada = Client::connected(Some("ada")).await;
    ada.enter(&name, JsValue::UNDEFINED).await.unwrap();

    let late = Client::connected(Some("late")).await;
    let members = late.members(&name, "{}").await.unwrap();
    assert_eq!(
        members.length(),
        1,
        "get after sync sees the existing member"
    );
    assert_eq!(late.channel(&name, "syncComplete").as_bool(), Some(true));

    let other = Client::connected(Some("other")).await;
    let immediate = other.members(&name, r#"{"waitForSync":false}"#).await;
    let immediate = immediate.expect("get without waiting resolves");
    assert!(immediate.length() <= 1, "no waiting: whatever is known now");
}

#[wasm_bindgen_test]
async fn enter_without_client_id_is_rejected_with_40012() {
    let name = channel("anonymous");
    let anonymous = Client::connected(None).await;
    let error = anonymous
        .enter(&name, JsValue::UNDEFINED)
        .await
        .expect_err("enter without a clientId fails");
    assert_eq!(get(&error, "code").as_f64(), Some(40012.0));
}

#[wasm_bindgen_test]
async fn a_muted_channel_keeps_its_member_set_but_emits_no_presence_events() {
    let (name, ada, bob) = watched_pair("muted").await;
    let _ = bob.channel_lifecycle(&name, ops::MUTE);

    ada.enter(&name, data(r#""one""#)).await.expect("enter");
    // The member set follows while muted: get() sees ada once the enter has arrived.
    let mut members = 0;
    for _ in 0..30 {
        members = bob.members(&name, "{}").await.expect("get").length();
        if members == 1 {
            break;
        }
        sleep(100).await;
    }
    assert_eq!(members, 1, "bob's set has ada");
    assert!(bob.presence(&name).is_empty(), "no events while muted");

    let _ = bob.channel_lifecycle(&name, ops::UNMUTE);
    settle(ada.op(
        name.clone(),
        ops::UPDATE,
        JsValue::UNDEFINED,
        data(r#""two""#),
    ))
    .await
    .expect("update");
    assert!(
        wait_until(3000, || !bob.presence(&name).is_empty()).await,
        "events again once unmuted"
    );
    let seen: Vec<(String, String)> = bob
        .presence(&name)
        .into_iter()
        .map(|(a, c, _, d)| (a + " " + &c, d))
        .collect();
    assert_eq!(seen, [("update ada".to_string(), r#""two""#.to_string())]);
}

#[wasm_bindgen_test]
async fn deeply_nested_data_fits_the_wasm_stack() {
    // The JSON reader recurses once per level (up to its cap of 128): data nested 120
    // deep must arrive intact with the 256 KiB stack set in .cargo/config.toml.
    let nested = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    let (name, ada, bob) = watched_pair("nested").await;
    ada.enter(&name, data(&nested)).await.expect("enter");
    assert!(
        wait_until(3000, || !bob.presence(&name).is_empty()).await,
        "bob sees the enter"
    );
    assert_eq!(bob.presence(&name)[0].3, nested);
}

/// Binary data as the app gives it: an ArrayBuffer whole, and a view's own window of its
/// buffer whatever its element type (a Uint16Array, a DataView), byte for byte.
#[wasm_bindgen_test]
async fn binary_data_is_a_buffer_whole_or_a_views_window() {
    let (name, ada, bob) = watched_pair("binary").await;
    let buffer = js_sys::Uint8Array::from(&[1u8, 2, 3, 4, 5, 6, 7, 8][..]).buffer();
    // Two 16-bit elements from byte 2, and two bytes from byte 5.
    let words = js_sys::Uint16Array::new_with_byte_offset_and_length(&buffer, 2, 2);
    let view = js_sys::DataView::new(&buffer, 5, 2);
    let sent: [(u32, JsValue); 3] = [
        (ops::ENTER, buffer.into()),
        (ops::UPDATE, words.into()),
        (ops::UPDATE, view.into()),
    ];
    for (op, data) in sent {
        settle(ada.op(name.clone(), op, JsValue::UNDEFINED, data))
            .await
            .expect("sent");
    }

    assert!(
        wait_until(3000, || bob.presence(&name).len() >= 3).await,
        "bob sees three events"
    );
    let received: Vec<Vec<u8>> = bob
        .events
        .borrow()
        .iter()
        .filter(|e| text(e, "type") == "presence" && text(e, "channel") == name)
        .flat_map(|e| js_sys::Array::from(&get(e, "messages")))
        .map(|m| js_sys::Uint8Array::new(&get(&m, "data")).to_vec())
        .collect();
    let expected: [&[u8]; 3] = [&[1, 2, 3, 4, 5, 6, 7, 8], &[3, 4, 5, 6], &[6, 7]];
    assert_eq!(received, expected);
}

//! REST over fetch: presence get/history pages, batch presence, time, token requests.

use crate::support::*;
use roster::wasm::Rest;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn rest() -> Rest {
    Rest::new(options(Some("reader"), "{}")).expect("rest options accepted")
}

/// `rest.op(channel, op, a)`: the promise of an operation with one argument.
fn op(rest: &Rest, channel: &str, op: u32, a: JsValue) -> js_sys::Promise {
    let none = JsValue::UNDEFINED;
    rest.op(channel, op, a, none.clone(), none)
}

/// A page as the wasm gives it: `{ items, next, first, current }`, links as paths.
async fn page(promise: js_sys::Promise) -> JsValue {
    settle(promise).await.expect("page request succeeds")
}

/// The path of the page `page` links to as `rel`, if it links one.
fn link(page: &JsValue, rel: &str) -> Option<String> {
    get(page, rel).as_string()
}

/// The page `page` links to as `rel`, fetched as the JS wrapper does.
async fn follow(rest: &Rest, page: &JsValue, rel: &str) -> JsValue {
    let path = link(page, rel).expect("the page links it");
    self::page(op(rest, "", ops::HISTORY, path.into())).await
}

fn items(page: &JsValue) -> js_sys::Array {
    get(page, "items").unchecked_into()
}

async fn three_members(test: &str) -> (String, Vec<Client>) {
    let name = channel(test);
    let mut clients = Vec::new();
    for id in ["m1", "m2", "m3"] {
        let client = Client::connected(Some(id)).await;
        client
            .enter(&name, json(&format!(r#""{id}""#)))
            .await
            .unwrap();
        clients.push(client);
    }
    (name, clients)
}

fn client_ids(page: &JsValue) -> Vec<String> {
    items(page).iter().map(|m| text(&m, "clientId")).collect()
}

#[wasm_bindgen_test]
async fn presence_get_pages_through_members() {
    let (name, _clients) = three_members("rest-get").await;
    let rest = rest();
    let first = page(op(&rest, &name, ops::GET, json(r#"{"limit":2}"#))).await;
    assert_eq!(items(&first).length(), 2);
    assert!(link(&first, "next").is_some(), "a next page");
    let second = follow(&rest, &first, "next").await;
    assert_eq!(link(&second, "next"), None, "no page after the last");
    let mut all = client_ids(&first);
    all.extend(client_ids(&second));
    all.sort();
    assert_eq!(all, ["m1", "m2", "m3"]);
    let again = follow(&rest, &second, "first").await;
    assert_eq!(client_ids(&again), client_ids(&first));
}

#[wasm_bindgen_test]
async fn presence_history_pages_backwards_through_events() {
    let (name, clients) = three_members("rest-history").await;
    settle(clients[0].op(
        name.clone(),
        ops::LEAVE,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    let rest = rest();
    let mut pages = vec![page(op(&rest, &name, ops::HISTORY, json(r#"{"limit":3}"#))).await];
    while link(pages.last().unwrap(), "next").is_some() {
        let next = follow(&rest, pages.last().unwrap(), "next").await;
        pages.push(next);
    }
    let actions: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            items(p)
                .iter()
                .map(|m| text(&m, "action"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        actions,
        ["leave", "enter", "enter", "enter"],
        "newest first, four events over two pages"
    );
    assert_eq!(pages.len(), 2);
}

#[wasm_bindgen_test]
async fn batch_presence_lists_members_per_channel() {
    let (first, _a) = three_members("batch-a").await;
    let second = channel("batch-b");
    let solo = Client::connected(Some("solo")).await;
    solo.enter(&second, JsValue::UNDEFINED).await.unwrap();

    let names = js_sys::Array::of2(&first.as_str().into(), &second.as_str().into());
    let result = settle(op(&rest(), "", ops::BATCH_PRESENCE, names.into()))
        .await
        .expect("batch");
    assert_eq!(get(&result, "successCount").as_f64(), Some(2.0));
    let results = js_sys::Array::from(&get(&result, "results"));
    let count = |channel: &str| {
        results
            .iter()
            .find(|r| text(r, "channel") == channel)
            .map(|r| js_sys::Array::from(&get(&r, "presence")).length())
    };
    assert_eq!(count(&first), Some(3));
    assert_eq!(count(&second), Some(1));
}

#[wasm_bindgen_test]
async fn time_is_the_server_clock() {
    let time = settle(op(&rest(), "", ops::TIME, JsValue::UNDEFINED))
        .await
        .expect("time")
        .as_f64()
        .unwrap();
    assert!((time - js_sys::Date::now()).abs() < 60_000.0);
}

//! REST over fetch: presence get/history pages, batch presence, time, token requests.

use crate::support::*;
use roster::wasm::{PaginatedResult, Rest};
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn rest() -> Rest {
    Rest::new(options(Some("reader"), "{}")).expect("rest options accepted")
}

async fn page(promise: js_sys::Promise) -> PaginatedResult {
    let value = settle(promise).await.expect("page request succeeds");
    // The promise holds the class's JS wrapper; take the Rust value back out of it.
    PaginatedResult::try_from_js_value(value).expect("a PaginatedResult")
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

fn client_ids(page: &PaginatedResult) -> Vec<String> {
    js_sys::Array::from(&page.items())
        .iter()
        .map(|m| text(&m, "clientId"))
        .collect()
}

#[wasm_bindgen_test]
async fn presence_get_pages_through_members() {
    let (name, _clients) = three_members("rest-get").await;
    let rest = rest();
    let first = page(rest.presence_get(name.clone(), json(r#"{"limit":2}"#))).await;
    assert_eq!(first.items().unchecked_into::<js_sys::Array>().length(), 2);
    assert!(first.has_next() && !first.is_last());
    let second = page(first.next()).await;
    assert!(second.is_last());
    let mut all = client_ids(&first);
    all.extend(client_ids(&second));
    all.sort();
    assert_eq!(all, ["m1", "m2", "m3"]);
    assert!(
        settle(second.next()).await.unwrap().is_null(),
        "no page after the last"
    );
    let again = page(second.first()).await;
    assert_eq!(client_ids(&again), client_ids(&first));
}

#[wasm_bindgen_test]
async fn presence_history_pages_backwards_through_events() {
    let (name, clients) = three_members("rest-history").await;
    settle(clients[0].realtime.presence(
        name.clone(),
        "leave".into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    let rest = rest();
    let mut pages = vec![page(rest.presence_history(name.clone(), json(r#"{"limit":3}"#))).await];
    while pages.last().unwrap().has_next() {
        let next = page(pages.last().unwrap().next()).await;
        pages.push(next);
    }
    let actions: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            js_sys::Array::from(&p.items())
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
    let result = settle(rest().batch_presence(names)).await.expect("batch");
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
    let time = settle(rest().time()).await.expect("time").as_f64().unwrap();
    assert!((time - js_sys::Date::now()).abs() < 60_000.0);
}

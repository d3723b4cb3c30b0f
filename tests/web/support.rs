//! Test plumbing: clients of the live server named by ROSTER_TEST_URL at build time, the
//! events they saw, and bounded waits.

use js_sys::futures::JsFuture;
use js_sys::{Function, Promise};
pub use roster::wasm::ops;
use roster::wasm::Realtime;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The server under test, e.g. `http://127.0.0.1:40123`.
pub fn server_url() -> &'static str {
    match option_env!("ROSTER_TEST_URL") {
        Some(url) => url,
        None => panic!("build with ROSTER_TEST_URL=http://127.0.0.1:PORT (tests/web.sh does)"),
    }
}

/// Host and port of the server under test.
pub fn host_port() -> (String, u16) {
    let rest = server_url().trim_start_matches("http://");
    let (host, port) = rest.split_once(':').expect("ROSTER_TEST_URL has a port");
    (
        host.to_string(),
        port.trim_end_matches('/').parse().expect("numeric port"),
    )
}

#[wasm_bindgen(module = "/js/realtime-api.js")]
extern "C" {
    /// The package's own step from the options an app gives to those the wasm classes
    /// take (an authUrl becomes the function that gives its requests).
    #[wasm_bindgen(js_name = adaptOptions)]
    fn adapt_options(options: JsValue) -> JsValue;
}

/// A JS object from JSON text.
pub fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("valid JSON in a test")
}

/// Options for the test server with dev-auth authUrl, `clientId` (if any), a 1 s
/// remainPresentFor, and `extra` fields (JSON object text) merged over them, as the JS
/// wrapper passes them to the wasm classes.
pub fn options(client_id: Option<&str>, extra: &str) -> JsValue {
    let (host, port) = host_port();
    let base = json(&format!(
        r#"{{"authUrl":"{}/auth/token-request","endpoint":"{host}","port":{port},"tls":false,
            "transportParams":{{"remainPresentFor":1000}}}}"#,
        server_url()
    ));
    if let Some(id) = client_id {
        js_sys::Reflect::set(&base, &"clientId".into(), &id.into()).unwrap();
    }
    let extra = json(extra);
    for key in js_sys::Reflect::own_keys(&extra).unwrap().iter() {
        js_sys::Reflect::set(&base, &key, &js_sys::Reflect::get(&extra, &key).unwrap()).unwrap();
    }
    adapt_options(base)
}

/// A realtime client and every event object it emitted.
pub struct Client {
    /// The wasm class under test.
    pub realtime: Realtime,
    /// Events in order.
    pub events: Rc<RefCell<Vec<JsValue>>>,
    _sink: Closure<dyn FnMut(JsValue)>,
}

impl Client {
    /// The promise of a channel's `attach` or `detach` (or the value of another `op` of
    /// the channel's lifecycle).
    pub fn channel_lifecycle(&self, name: &str, event: u32) -> Promise {
        self.op(name.into(), event, JsValue::UNDEFINED, JsValue::UNDEFINED)
    }

    /// The client's own `op('', event)` (connect, close, ping...): its promise or value.
    pub fn lifecycle(&self, event: u32) -> JsValue {
        let none = JsValue::UNDEFINED;
        self.realtime.op("", event, none.clone(), none)
    }

    /// `op(name, op, a, b)`: its promise (or its value, for an op that gives none).
    pub fn op(&self, name: String, op: u32, a: JsValue, b: JsValue) -> Promise {
        self.realtime.op(&name, op, a, b).unchecked_into()
    }

    /// A client built from `options` (not yet connected).
    pub fn new(options: JsValue) -> Client {
        let events: Rc<RefCell<Vec<JsValue>>> = Rc::default();
        let seen = events.clone();
        let sink = Closure::<dyn FnMut(JsValue)>::new(move |event| seen.borrow_mut().push(event));
        let function: &Function = sink.as_ref().unchecked_ref();
        let realtime = Realtime::new(options, function.clone()).expect("client options accepted");
        Client {
            realtime,
            events,
            _sink: sink,
        }
    }

    /// A connected client with this clientId.
    pub async fn connected(client_id: Option<&str>) -> Client {
        let client = Client::new(options(client_id, "{}"));
        client.lifecycle(ops::CONNECT);
        assert!(
            wait_until(5000, || client.connection("state").as_deref()
                == Some("connected"))
            .await,
            "client connects"
        );
        client
    }

    /// Presence events seen on `channel` as (action, clientId, connectionId, data JSON).
    pub fn presence(&self, channel: &str) -> Vec<(String, String, String, String)> {
        self.events
            .borrow()
            .iter()
            .filter(|e| text(e, "type") == "presence" && text(e, "channel") == channel)
            .flat_map(|e| js_sys::Array::from(&get(e, "messages")))
            .map(|m| {
                // JSON.stringify(undefined) is undefined, not a string: no data reads as "".
                let data = js_sys::JSON::stringify(&get(&m, "data"))
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                (
                    text(&m, "action"),
                    text(&m, "clientId"),
                    text(&m, "connectionId"),
                    data,
                )
            })
            .collect()
    }

    /// A field of the connection as `op('', 'connection')` gives it (state, id, key,
    /// clientId) as text.
    pub fn connection(&self, field: &str) -> Option<String> {
        let connection = self.lifecycle(ops::CONNECTION);
        get(&connection, field).as_string()
    }

    /// A field of the channel as `op(name, 'read')` gives it (state, errorReason,
    /// syncComplete).
    pub fn channel(&self, name: &str, field: &str) -> JsValue {
        let channel = self
            .realtime
            .op(name, ops::READ, JsValue::UNDEFINED, JsValue::UNDEFINED);
        get(&channel, field)
    }

    /// presence.enter(data) on `name`.
    pub async fn enter(&self, name: &str, data: JsValue) -> Result<JsValue, JsValue> {
        settle(self.op(name.into(), ops::ENTER, JsValue::UNDEFINED, data)).await
    }

    /// presence.get(params) on `name`, every member as an object (no cached versions).
    pub async fn members(&self, name: &str, params: &str) -> Result<js_sys::Array, JsValue> {
        let result = settle(self.op(name.into(), ops::GET, json(params), 0.into())).await?;
        Ok(get(&result, "fresh").into())
    }

    /// Connection states seen, in order.
    pub fn connection_states(&self) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .filter(|e| text(e, "type") == "connection")
            .map(|e| text(e, "current"))
            .collect()
    }

    /// Connection state change events.
    pub fn connection_changes(&self) -> Vec<JsValue> {
        self.events
            .borrow()
            .iter()
            .filter(|e| text(e, "type") == "connection")
            .cloned()
            .collect()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.lifecycle(ops::CLOSE);
    }
}

/// `object[key]`.
pub fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key]` as text ("" if absent).
pub fn text(object: &JsValue, key: &str) -> String {
    get(object, key).as_string().unwrap_or_default()
}

/// Awaits a promise.
pub async fn settle(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Polls `condition` every 20 ms for at most `ms`; whether it became true.
pub async fn wait_until(ms: u32, mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..ms / 20 {
        if condition() {
            return true;
        }
        sleep(20).await;
    }
    condition()
}

/// A unique channel name per test, so tests sharing a server do not see each other.
pub fn channel(test: &str) -> String {
    format!(
        "{test}-{}",
        js_sys::Math::random().to_bits() % 1_000_000_007
    )
}

/// A fresh channel for `test`, ada connected, and bob connected and attached to it.
pub async fn watched_pair(test: &str) -> (String, Client, Client) {
    let name = channel(test);
    let ada = Client::connected(Some("ada")).await;
    let bob = Client::connected(Some("bob")).await;
    settle(bob.channel_lifecycle(&name, ops::ATTACH))
        .await
        .expect("bob attaches");
    (name, ada, bob)
}

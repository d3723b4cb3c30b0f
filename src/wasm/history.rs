//! `presence.history(params)` over REST, for `Realtime` channels and `Rest` alike, and the
//! pages any presence list links to: in both package entries, so it lives apart from the
//! `Rest` class.

use super::options::{field, string_field};
use super::paginated_result::fetch_page;
use super::rest_client::RestClient;
use crate::rest::{self, Direction, HistoryParams, HttpRequest};
use alloc::rc::Rc;
use js_sys::Promise;
use wasm_bindgen::JsValue;

/// Past presence events of `channel`, one page (`start`, `end`, `direction`, `limit`;
/// numbers or what JS reads as one).
/// With `params` a page's link (a path string) instead, that page, of whichever list:
/// the pages' one way back into the wasm, without an export of their own.
pub fn presence_history(client: Rc<RestClient>, channel: &str, params: &JsValue) -> Promise {
    if let Some(path) = params.as_string() {
        return fetch_page(client, HttpRequest::get(path));
    }
    let direction = string_field(params, "direction").map(|d| match d.as_str() {
        "forwards" => Direction::Forwards,
        _ => Direction::Backwards,
    });
    // As ably-js, which puts them in the query as text: a number, or text of one (a form
    // field), or a Date, as JS's unary + reads it.
    let number = |name| field(params, name).map(|n| n.unchecked_into_f64());
    let params = HistoryParams {
        start: number("start").map(|t| t as u64),
        end: number("end").map(|t| t as u64),
        direction,
        limit: number("limit").map(|l| l as u32),
    };
    let request = rest::presence_history(channel, &params);
    fetch_page(client, request)
}

//! `presence.history(params)` over REST, for `Realtime` channels and `Rest` alike, and the
//! pages any presence list links to: in both package entries, so it lives apart from the
//! `Rest` class.

use super::data::data_kind;
use super::error::rejected;
use super::options::{field, string_field};
use super::paginated_result::fetch_page;
use super::rest_client::RestClient;
use crate::protocol::ErrorInfo;
use crate::rest::{self, Direction, HistoryParams, HttpRequest};
use alloc::rc::Rc;
use js_sys::Promise;
use wasm_bindgen::JsValue;

/// Past presence events of `channel`, one page (`start`, `end`, `direction`, `limit`;
/// numbers or text JS reads as one).
/// With `params` a page's link (a path string) instead, that page, of whichever list:
/// the pages' one way back into the wasm, without an export of their own.
pub fn presence_history(client: Rc<RestClient>, channel: &str, params: &JsValue) -> Promise {
    if let Some(path) = params.as_string() {
        return fetch_page(client, HttpRequest::get(path));
    }
    // As the server answers ably-js, which sends them as given: a direction that is not
    // one, or a start or end that is not a time, refused (40000); a limit that is not a
    // whole number left out (the default page).
    let direction = match string_field(params, "direction").as_deref() {
        None => None,
        Some("forwards") => Some(Direction::Forwards),
        Some("backwards") => Some(Direction::Backwards),
        Some(_) => return rejected(&bad_params()),
    };
    // A number, or text of one (a form field), as JS's unary + reads it, which for an
    // array or a plain object is the number its text is (`[5]`: 5), as ably-js sends it
    // as text that the server reads. Not another object (`dataKind` false): a Date's
    // text (`Mon Dec 07 2026 ...`) the server refuses.
    let number = |name| {
        field(params, name).map(|n| {
            whole(if n.is_object() && data_kind(&n).as_bool() == Some(false) {
                f64::NAN
            } else {
                n.unchecked_into_f64()
            })
        })
    };
    let (start, end) = (number("start"), number("end"));
    if start == Some(None) || end == Some(None) {
        return rejected(&bad_params());
    }
    let params = HistoryParams {
        start: start.flatten(),
        end: end.flatten(),
        direction,
        limit: number("limit").flatten().map(|l| l as u32),
    };
    let request = rest::presence_history(channel, &params);
    fetch_page(client, request)
}

/// `value` if it is a whole number of zero or more (ms, or a page size).
pub fn whole(value: f64) -> Option<u64> {
    // NaN and negatives fail the first test, fractions and what u64 cannot hold the second
    // (no f64::fract without std).
    (value >= 0.0 && value as u64 as f64 == value).then_some(value as u64)
}

/// 40000: history params the server would refuse.
fn bad_params() -> ErrorInfo {
    ErrorInfo::bad_request("invalid history direction, start or end")
}

//! Pages of presence messages (presence.get / presence.history over REST) as plain
//! objects: `items`, and the paths of the pages the Link header names (`next`, `first`,
//! `current`), which the JS wrapper's `PaginatedResult` fetches with the client's
//! `op(name, HISTORY, path)` (history.rs, ops.rs).

use super::convert;
use super::error::{set, to_js};
use super::fetch::HttpResponse;
use super::rest_client::RestClient;
use super::task::promise;
use crate::protocol::{ErrorInfo, PresenceMessage};
use crate::rest::{self, HttpRequest};
use alloc::boxed::Box;
use alloc::rc::Rc;
use js_sys::{Object, Promise};
use wasm_bindgen::JsValue;

/// A Promise of one page of presence messages.
pub fn fetch_page(client: Rc<RestClient>, request: HttpRequest) -> Promise {
    promise(move |settle| {
        let path = request.path.clone();
        let answered = move |response: Result<HttpResponse, ErrorInfo>| {
            let page = response.and_then(|response| {
                rest::decode_presence_page(&path, &response.body, response.link.as_deref())
            });
            // One conversion of the error for both steps.
            settle.with(page.map(|page| page_to_js(&page)).map_err(|e| to_js(&e)));
        };
        client.execute(request, Box::new(answered));
    })
}

/// `{ items, next, first, current }`, a link absent when the server gave none.
fn page_to_js(page: &rest::PaginatedResult<PresenceMessage>) -> JsValue {
    let object: JsValue = Object::new().into();
    set(&object, "items", convert::presence_list_to_js(&page.items));
    let links = [
        ("next", page.next_request()),
        ("first", page.first_request()),
        ("current", page.current_request()),
    ];
    for (rel, request) in links {
        if let Some(request) = request {
            set(&object, rel, request.path.into());
        }
    }
    object
}

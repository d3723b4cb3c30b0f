//! `PaginatedResult` of presence messages (presence.get / presence.history over REST):
//! `items`, `hasNext()`, `isLast()`, and `next()`/`first()`/`current()` following the
//! Link header.

use super::convert;
use super::rest_client::RestClient;
use super::task::promise;
use crate::protocol::PresenceMessage;
use crate::rest::{self, HttpRequest};
use alloc::rc::Rc;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// One page of presence messages.
#[wasm_bindgen]
pub struct PaginatedResult {
    client: Rc<RestClient>,
    /// The links to follow (its items are moved into `items`).
    page: rest::PaginatedResult<PresenceMessage>,
    /// The messages as JS objects, made once: as in ably-js, `items` is one array, the
    /// same on every read, not a fresh conversion per read.
    items: JsValue,
}

#[wasm_bindgen]
impl PaginatedResult {
    /// The messages on this page, as plain objects.
    #[wasm_bindgen(getter)]
    pub fn items(&self) -> JsValue {
        self.items.clone()
    }

    /// Whether there is a next page.
    #[wasm_bindgen(js_name = hasNext)]
    pub fn has_next(&self) -> bool {
        self.page.has_next()
    }

    /// Whether this is the last page.
    #[wasm_bindgen(js_name = isLast)]
    pub fn is_last(&self) -> bool {
        self.page.is_last()
    }

    /// The next page, or null on the last page.
    pub fn next(&self) -> Promise {
        self.follow(self.page.next_request())
    }

    /// The first page.
    pub fn first(&self) -> Promise {
        self.follow(self.page.first_request())
    }

    /// This page again, fetched fresh.
    pub fn current(&self) -> Promise {
        self.follow(self.page.current_request())
    }

    fn follow(&self, request: Option<HttpRequest>) -> Promise {
        match request {
            Some(request) => fetch_page(self.client.clone(), request),
            None => Promise::resolve(&JsValue::NULL),
        }
    }
}

/// A Promise of one page of presence messages: the one future every page fetch runs.
pub fn fetch_page(client: Rc<RestClient>, request: HttpRequest) -> Promise {
    promise(async move {
        let page = client.execute(&request).await.and_then(|response| {
            rest::decode_presence_page(&request.path, &response.body, response.link.as_deref())
        });
        // One conversion of the error for both steps.
        match page {
            Ok(mut page) => {
                let messages = core::mem::take(&mut page.items);
                let items = convert::presence_list_to_js(&messages);
                Ok(PaginatedResult {
                    client,
                    page,
                    items,
                }
                .into())
            }
            Err(error) => Err(super::error::to_js(&error)),
        }
    })
}

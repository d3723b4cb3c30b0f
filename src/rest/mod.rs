//! Ably REST, sans-IO: descriptions of the requests to make and decoders for the answers.
//!
//! The driver (browser `fetch`, a native HTTP client) sends each `HttpRequest` to the
//! REST host, adding the standard headers `X-Ably-Version: 6`, `Ably-Agent` and
//! `Accept: application/json` plus `authorization_header`, and hands status, body and
//! headers back to the decoders here.

mod batch_presence;
mod link;
mod paginated;
mod percent;
mod request;
mod response;

pub use batch_presence::{decode_batch_presence, BatchPresenceResponse, BatchPresenceResult};
pub use link::{parse_link_header, Links};
pub use paginated::PaginatedResult;
pub use percent::{encode_component, push_param};
pub use request::{
    authorization_header, batch_presence, presence_get, presence_history, request_token, time,
    Credentials, Direction, HistoryParams, HttpRequest, Method, PresenceParams,
};
pub use response::{decode_error, decode_presence_page, decode_time, decode_token_details};

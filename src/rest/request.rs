//! Request descriptions for the REST endpoints Roster uses.

use super::percent::{encode_component, query};
use crate::auth::{ApiKey, TokenRequest};
use crate::base64;
use crate::json;
use crate::text::{self, push_u64};
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

impl Method {
    /// The method as HTTP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One REST request to make, relative to the REST host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: Method,
    /// Path plus `?query`, percent-encoded.
    pub path: String,
    /// Headers specific to this request (the driver adds the standard ones).
    pub headers: Vec<(String, String)>,
    /// JSON body, for POST.
    pub body: Option<String>,
}

impl HttpRequest {
    /// A GET of `path` (already encoded).
    pub(crate) fn get(path: String) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            path,
            headers: Vec::new(),
            body: None,
        }
    }
}

/// How a REST request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// The API key itself (only over TLS, see `auth::require_tls_for_basic`).
    Basic(ApiKey),
    /// A token.
    Bearer(String),
}

/// The `Authorization` header: `Basic base64(keyName:secret)` or `Bearer base64(token)`.
pub fn authorization_header(credentials: &Credentials) -> (String, String) {
    let value = match credentials {
        Credentials::Basic(key) => {
            let user_pass = text::concat(&[&key.key_name, ":", &key.secret]);
            text::concat(&["Basic ", &base64::encode(user_pass)])
        }
        Credentials::Bearer(token) => text::concat(&["Bearer ", &base64::encode(token)]),
    };
    ("Authorization".to_owned(), value)
}

/// Filters for the current presence set (RSP3a).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresenceParams {
    /// Only this member.
    pub client_id: Option<String>,
    /// Only members on this connection.
    pub connection_id: Option<String>,
    /// Page size (the server's default is 100, maximum 1000).
    pub limit: Option<u32>,
}

/// Order of history pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Oldest first.
    Forwards,
    /// Newest first (the default).
    Backwards,
}

impl Direction {
    /// The `direction` query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forwards => "forwards",
            Direction::Backwards => "backwards",
        }
    }
}

/// Bounds for presence history (RSP4b).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryParams {
    /// Earliest timestamp (ms since the epoch), inclusive.
    pub start: Option<u64>,
    /// Latest timestamp, inclusive.
    pub end: Option<u64>,
    /// Page order.
    pub direction: Option<Direction>,
    /// Page size.
    pub limit: Option<u32>,
}

// Paths are built with text::concat and push_u64, not format!/to_string: these run in
// the browser, where core::fmt costs wasm size.
fn channel_path(channel: &str, rest: &str) -> String {
    text::concat(&["/channels/", &encode_component(channel), rest])
}

fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_u64(&mut out, n);
    out
}

/// `GET /channels/<channel>/presence`: the current members.
pub fn presence_get(channel: &str, p: &PresenceParams) -> HttpRequest {
    let q = query(&[
        ("clientId", p.client_id.clone()),
        ("connectionId", p.connection_id.clone()),
        ("limit", p.limit.map(|l| decimal(l.into()))),
    ]);
    HttpRequest::get(channel_path(channel, &text::concat(&["/presence", &q])))
}

/// `GET /channels/<channel>/presence/history`: past presence events.
pub fn presence_history(channel: &str, p: &HistoryParams) -> HttpRequest {
    let q = query(&[
        ("start", p.start.map(decimal)),
        ("end", p.end.map(decimal)),
        ("direction", p.direction.map(|d| d.as_str().to_owned())),
        ("limit", p.limit.map(|l| decimal(l.into()))),
    ]);
    HttpRequest::get(channel_path(
        channel,
        &text::concat(&["/presence/history", &q]),
    ))
}

/// `GET /presence?channels=a%2Cb`: members of several channels at once (BO1).
pub fn batch_presence(channels: &[&str]) -> HttpRequest {
    let mut names = String::new();
    for (index, channel) in channels.iter().enumerate() {
        if index > 0 {
            names.push(',');
        }
        names.push_str(channel);
    }
    let q = query(&[("channels", Some(names))]);
    HttpRequest::get(text::concat(&["/presence", &q]))
}

/// `GET /time`: the server's clock, as `[ms]`.
pub fn time() -> HttpRequest {
    HttpRequest::get("/time".to_owned())
}

/// `POST /keys/<keyName>/requestToken` with the signed TokenRequest as the body.
pub fn request_token(req: &TokenRequest) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        path: text::concat(&["/keys/", &encode_component(&req.key_name), "/requestToken"]),
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: Some(json::to_string(req)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_get_encodes_channel_and_query() {
        let r = presence_get("chat/room 1", &PresenceParams::default());
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path, "/channels/chat%2Froom%201/presence");
        assert!(r.body.is_none());
        let r = presence_get(
            "lobby",
            &PresenceParams {
                client_id: Some("a&b".into()),
                connection_id: Some("c1".into()),
                limit: Some(50),
            },
        );
        assert_eq!(
            r.path,
            "/channels/lobby/presence?clientId=a%26b&connectionId=c1&limit=50"
        );
    }

    #[test]
    fn presence_history_query() {
        let r = presence_history(
            "ns:room",
            &HistoryParams {
                start: Some(1),
                end: Some(2),
                direction: Some(Direction::Forwards),
                limit: Some(10),
            },
        );
        assert_eq!(
            r.path,
            "/channels/ns%3Aroom/presence/history?start=1&end=2&direction=forwards&limit=10"
        );
        let r = presence_history("x", &HistoryParams::default());
        assert_eq!(r.path, "/channels/x/presence/history");
    }

    #[test]
    fn batch_presence_has_no_raw_commas() {
        let r = batch_presence(&["a", "b,c", "d e"]);
        assert_eq!(r.path, "/presence?channels=a%2Cb%2Cc%2Cd%20e");
        assert!(!r.path.contains(','));
    }

    #[test]
    fn time_and_request_token() {
        assert_eq!(time().path, "/time");
        let req = TokenRequest {
            key_name: "app.key".into(),
            ttl: None,
            capability: None,
            client_id: Some("alice".into()),
            timestamp: 5,
            nonce: "n".into(),
            mac: Some("m".into()),
        };
        let r = request_token(&req);
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.path, "/keys/app.key/requestToken");
        assert_eq!(
            r.headers,
            vec![("Content-Type".to_owned(), "application/json".to_owned())]
        );
        let body: TokenRequest = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, req);
    }

    #[test]
    fn authorization_headers() {
        let key = ApiKey::parse("appId.keyId:secretXYZ").unwrap();
        // base64("appId.keyId:secretXYZ") computed with Python's base64 module.
        assert_eq!(
            authorization_header(&Credentials::Basic(key)),
            (
                "Authorization".into(),
                "Basic YXBwSWQua2V5SWQ6c2VjcmV0WFla".into()
            )
        );
        assert_eq!(
            authorization_header(&Credentials::Bearer("tok".into())).1,
            "Bearer dG9r"
        );
    }
}

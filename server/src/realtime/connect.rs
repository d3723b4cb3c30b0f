//! The connect request: query parameters as ably-js 2.x sends them, and who they say
//! the client is.

use crate::auth::{authenticate, Credentials, Identity, Keys};
use roster::protocol::{codes, ErrorInfo, Format};
use std::collections::HashMap;

/// What a client asked for on connect.
#[derive(Debug, Clone)]
pub struct ConnectParams {
    /// `access_token`.
    pub access_token: Option<String>,
    /// `key` (basic auth).
    pub key: Option<String>,
    /// `clientId`.
    pub client_id: Option<String>,
    /// `format`: `json` or `msgpack`.
    pub format: String,
    /// `echo=false` turns off the client's own messages.
    pub echo: bool,
    /// `resume` (or `recover`): the connectionKey to continue.
    pub resume: Option<String>,
    /// `remainPresentFor`, in ms.
    pub remain_present_for: Option<u64>,
    /// `heartbeatInterval`, in ms.
    pub heartbeat_interval: Option<u64>,
}

impl ConnectParams {
    /// Reads the query parameters.
    pub fn from_query(query: &HashMap<String, String>) -> ConnectParams {
        let get = |name: &str| query.get(name).filter(|v| !v.is_empty()).cloned();
        ConnectParams {
            access_token: get("access_token").or_else(|| get("accessToken")),
            key: get("key"),
            client_id: get("clientId"),
            format: get("format").unwrap_or_else(|| "json".to_owned()),
            echo: get("echo").as_deref() != Some("false"),
            resume: get("resume").or_else(|| get("recover")),
            remain_present_for: get("remainPresentFor").and_then(|v| v.parse().ok()),
            heartbeat_interval: get("heartbeatInterval").and_then(|v| v.parse().ok()),
        }
    }

    /// The wire format asked for; 40000 for one other than `json` and `msgpack`.
    pub fn wire_format(&self) -> Result<Format, ErrorInfo> {
        Format::from_name(&self.format).ok_or_else(|| {
            ErrorInfo::bad_request(format!(
                "format {} is not supported; use json or msgpack",
                self.format
            ))
        })
    }

    /// Authenticates the request and settles the connection's clientId.
    pub fn identify(&self, keys: &Keys, secure: bool, now: u64) -> Result<Identity, ErrorInfo> {
        self.wire_format()?;
        let credentials = match (&self.access_token, &self.key) {
            (Some(token), _) => Credentials::Token(token),
            (None, Some(key)) => Credentials::Key(key),
            (None, None) => {
                return Err(ErrorInfo::new(
                    codes::NO_AUTH_METHOD,
                    401,
                    "no key or access_token given",
                ));
            }
        };
        if let Some(client_id) = &self.client_id {
            crate::hub::check_client_id(client_id)?;
        }
        let mut identity = authenticate(keys, credentials, secure, now)?;
        match (identity.client_id.as_deref(), self.client_id.as_deref()) {
            (_, Some("*")) => {
                return Err(ErrorInfo::invalid_client_id(
                    "clientId '*' cannot be requested",
                ));
            }
            (None | Some("*"), Some(requested)) => identity.client_id = Some(requested.to_owned()),
            (Some(bound), Some(requested)) if bound != requested => {
                return Err(ErrorInfo::new(
                    codes::INCOMPATIBLE_CREDENTIALS,
                    401,
                    format!(
                        "clientId {requested} is incompatible with the token's clientId {bound}"
                    ),
                ));
            }
            _ => {}
        }
        Ok(identity)
    }
}

//! Who a request or connection is: API keys (basic auth), tokens this server issued and
//! JWTs signed with a key secret, each resolving to a clientId and a capability.

mod jwt;
mod keys;

pub use jwt::{issue_token, token_expired, verify_token};
pub use keys::{Keys, ServerKey};

use roster::auth::Capability;
use roster::protocol::{codes, ErrorInfo};
use std::sync::Arc;

/// What an authenticated party may do.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The clientId bound to the credentials: `None` anonymous, `Some("*")` any.
    pub client_id: Option<String>,
    /// What it may do on which channels (shared, not copied, per connection).
    pub capability: Arc<Capability>,
    /// When the credentials stop being valid (ms since the epoch); `None` for a key.
    pub expires: Option<u64>,
}

/// The credentials a request or connection presented.
pub enum Credentials<'a> {
    /// A full API key `appId.keyId:secret`.
    Key(&'a str),
    /// A token (one this server issued, or a JWT).
    Token(&'a str),
}

/// Checks credentials. Keys are only accepted over a secure link (`secure`: a
/// loopback peer or a TLS-terminating proxy), as the Ably spec asks (RSC18).
pub fn authenticate(
    keys: &Keys,
    credentials: Credentials,
    secure: bool,
    now: u64,
) -> Result<Identity, ErrorInfo> {
    match credentials {
        Credentials::Key(text) => {
            if !secure {
                return Err(ErrorInfo::new(
                    codes::BASIC_AUTH_OVER_NON_TLS,
                    401,
                    "basic authentication with an API key over a non-TLS connection",
                ));
            }
            let key = keys.check_full_key(text)?;
            Ok(Identity {
                client_id: None,
                capability: key.capability.clone(),
                expires: None,
            })
        }
        Credentials::Token(token) => verify_token(keys, token, now),
    }
}

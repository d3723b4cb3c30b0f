//! Authentication material: API keys, token requests and their MAC, tokens, capabilities.
//!
//! Pure data and arithmetic; fetching tokens (authUrl, authCallback) is the driver's job.

mod capability;
mod key;
mod token;
mod token_json;

pub use capability::Capability;
pub use key::{require_tls_for_basic, ApiKey};
pub use token::{TokenDetails, TokenRequest};

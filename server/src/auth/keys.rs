//! The API keys this server accepts, each with its capability.

use crate::state::random_text;
use roster::auth::{ApiKey, Capability};
use roster::protocol::{codes, ErrorInfo};
use std::sync::Arc;

/// One configured key.
#[derive(Debug, Clone)]
pub struct ServerKey {
    /// Name and secret.
    pub key: ApiKey,
    /// What tokens from this key may do at most; shared with every connection that
    /// holds exactly this capability.
    pub capability: Arc<Capability>,
}

/// Every configured key; the first one signs development token requests.
#[derive(Debug, Clone)]
pub struct Keys {
    keys: Vec<ServerKey>,
}

impl Keys {
    /// Keys from `--key` values (`appId.keyId:secret[={CAPABILITY_JSON}]`).
    pub fn parse(specs: &[String]) -> Result<Keys, String> {
        let keys = specs
            .iter()
            .map(|spec| {
                // The capability is a JSON object; a secret may itself contain `=`.
                let (key_text, capability) = match spec.split_once("={") {
                    Some((key, cap)) => {
                        let cap = format!("{{{cap}");
                        (key, Capability::parse(&cap).map_err(|e| e.message)?)
                    }
                    None => (spec.as_str(), Capability::all()),
                };
                let key = ApiKey::parse(key_text)
                    .map_err(|e| format!("--key {key_text}: {}", e.message))?;
                Ok(ServerKey {
                    key,
                    capability: Arc::new(capability),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Keys { keys })
    }

    /// A freshly generated development key with every capability.
    pub fn generate_dev() -> Keys {
        let secret = random_text(32);
        let key = ApiKey {
            key_name: "roster.dev".to_owned(),
            secret,
        };
        Keys {
            keys: vec![ServerKey {
                key,
                capability: Arc::new(Capability::all()),
            }],
        }
    }

    /// The first key (signs development token requests).
    pub fn first(&self) -> Option<&ServerKey> {
        self.keys.first()
    }

    /// The key with this name.
    pub fn find(&self, key_name: &str) -> Option<&ServerKey> {
        self.keys.iter().find(|k| k.key.key_name == key_name)
    }

    /// Checks a full key `appId.keyId:secret` against the configured ones.
    pub fn check_full_key(&self, text: &str) -> Result<&ServerKey, ErrorInfo> {
        let presented = ApiKey::parse(text)?;
        let known = self
            .find(&presented.key_name)
            .ok_or_else(|| ErrorInfo::new(codes::KEY_NOT_FOUND, 401, "API key not recognised"))?;
        if !constant_time_eq(known.key.secret.as_bytes(), presented.secret.as_bytes()) {
            return Err(ErrorInfo::invalid_credentials("invalid API key secret"));
        }
        Ok(known)
    }
}

/// Compares secrets without revealing where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

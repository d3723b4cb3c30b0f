//! API keys (`appId.keyId:secret`) and the rule that they only travel over TLS.

use crate::protocol::{codes, ErrorInfo};
use crate::text::split_once_byte;
use alloc::borrow::ToOwned;
use alloc::string::String;

/// An API key split into its public name and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// `appId.keyId`: names the key in requests and token requests.
    pub key_name: String,
    /// The secret that signs token requests; never sent except in basic auth.
    pub secret: String,
}

impl ApiKey {
    /// Splits `appId.keyId:secret`; any other shape is 40101.
    pub fn parse(s: &str) -> Result<ApiKey, ErrorInfo> {
        let bad = || ErrorInfo::invalid_credentials("invalid key: expected appId.keyId:secret");
        let (key_name, secret) = split_once_byte(s, b':').ok_or_else(bad)?;
        let (app_id, key_id) = split_once_byte(key_name, b'.').ok_or_else(bad)?;
        if app_id.is_empty() || key_id.is_empty() || secret.is_empty() {
            return Err(bad());
        }
        Ok(ApiKey {
            key_name: key_name.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// The app the key belongs to (`appId`).
    pub fn app_id(&self) -> &str {
        split_once_byte(&self.key_name, b'.').map_or(self.key_name.as_str(), |(app, _)| app)
    }
}

/// Basic (key) auth sends the secret, so it is refused without TLS (RSC18): 40103.
pub fn require_tls_for_basic(tls: bool) -> Result<(), ErrorInfo> {
    if tls {
        Ok(())
    } else {
        Err(ErrorInfo::new(
            codes::BASIC_AUTH_OVER_NON_TLS,
            401,
            "basic (API key) auth is not allowed over a non-TLS connection; use token auth",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key() {
        let key = ApiKey::parse("appId.keyId:sec:ret").unwrap();
        assert_eq!(key.key_name, "appId.keyId");
        assert_eq!(key.secret, "sec:ret");
        assert_eq!(key.app_id(), "appId");
    }

    #[test]
    fn rejects_bad_shapes() {
        for bad in [
            "",
            "appId.keyId",
            "appIdkeyId:secret",
            ".keyId:s",
            "appId.:s",
            "a.b:",
        ] {
            let err = ApiKey::parse(bad).unwrap_err();
            assert_eq!(err.code, 40101, "{bad}");
        }
    }

    #[test]
    fn basic_auth_needs_tls() {
        assert!(require_tls_for_basic(true).is_ok());
        let err = require_tls_for_basic(false).unwrap_err();
        assert_eq!((err.code, err.status_code), (40103, 401));
    }
}

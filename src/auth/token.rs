//! TokenRequest (signed with the key secret) and TokenDetails (the issued token).
//! Signing and verifying need the `rest` feature: a realtime-only browser build never
//! signs (a key authenticates by basic auth) and leaves HMAC-SHA256 out.

#[cfg(feature = "rest")]
use crate::{
    base64,
    text::{self, push_u64},
};
use alloc::string::String;
#[cfg(feature = "rest")]
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
#[cfg(feature = "rest")]
use sha2::Sha256;

#[cfg(feature = "rest")]
type HmacSha256 = Hmac<Sha256>;

/// A signed request for a token (TE1), as an authUrl returns it and `requestToken` posts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    /// `appId.keyId` of the signing key.
    pub key_name: String,
    /// Requested token lifetime in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// Requested capability, as a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// The clientId the token will carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Milliseconds since the epoch when the request was made.
    pub timestamp: u64,
    /// A random string, unique per request.
    pub nonce: String,
    /// base64 HMAC-SHA256 over the other fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

#[cfg(feature = "rest")]
impl TokenRequest {
    /// The text the MAC covers: each field then `\n`, missing ones as empty strings.
    fn signed_text(&self) -> String {
        // Built without format!: this runs in the browser (createTokenRequest), where
        // core::fmt and integer Display cost wasm size.
        let mut text = text::concat(&[&self.key_name, "\n"]);
        if let Some(ttl) = self.ttl {
            push_u64(&mut text, ttl);
        }
        for field in [self.capability.as_deref(), self.client_id.as_deref()] {
            text.push('\n');
            text.push_str(field.unwrap_or(""));
        }
        text.push('\n');
        push_u64(&mut text, self.timestamp);
        text.push('\n');
        text.push_str(&self.nonce);
        text.push('\n');
        text
    }

    fn hmac(&self, secret: &str) -> HmacSha256 {
        // HMAC accepts keys of any length, so this never fails.
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(self.signed_text().as_bytes());
        mac
    }

    /// The MAC for these fields under `secret`, base64.
    pub fn mac(&self, secret: &str) -> String {
        base64::encode(self.hmac(secret).finalize().into_bytes())
    }

    /// This request with its `mac` set.
    pub fn sign(mut self, secret: &str) -> Self {
        self.mac = Some(self.mac(secret));
        self
    }

    /// Whether `mac` is present and right for `secret`, compared in constant time.
    pub fn verify(&self, secret: &str) -> bool {
        let Some(given) = self.mac.as_deref() else {
            return false;
        };
        let Ok(given) = base64::decode(given) else {
            return false;
        };
        self.hmac(secret).verify_slice(&given).is_ok()
    }
}

/// An issued token and what it grants (TD1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDetails {
    /// The token string to present as `access_token` or a Bearer credential.
    pub token: String,
    /// The key that issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// Milliseconds since the epoch when it was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<u64>,
    /// Milliseconds since the epoch when it stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<u64>,
    /// Granted capability, as a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// The clientId bound to the token (`*` = any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A request with every optional field but the mac set.
    pub(in crate::auth) fn full() -> TokenRequest {
        TokenRequest {
            key_name: "appId.keyId".into(),
            ttl: Some(3_600_000),
            capability: Some(r#"{"*":["*"]}"#.into()),
            client_id: Some("alice".into()),
            timestamp: 1_700_000_000_000,
            nonce: "abcdef1234567890".into(),
            mac: None,
        }
    }

    // Expected MACs computed independently with Python's hmac/hashlib/base64 over
    // "appId.keyId\n3600000\n{\"*\":[\"*\"]}\nalice\n1700000000000\nabcdef1234567890\n"
    // and "appId.keyId\n\n\n\n1700000000000\nn1\n", key "secretXYZ".
    #[cfg(feature = "rest")]
    const FULL_MAC: &str = "zg0iLwYRChtx3PA812s/TPbKGt7D2GpHH8E5Sx3BE1M=";
    #[cfg(feature = "rest")]
    const SPARSE_MAC: &str = "jvzirz46eT32WpsoiVUxsVS6cQ4HvLbQ7b2j1JQcbBo=";

    #[cfg(feature = "rest")]
    #[test]
    fn mac_matches_independent_vector() {
        assert_eq!(full().mac("secretXYZ"), FULL_MAC);
        let sparse = TokenRequest {
            key_name: "appId.keyId".into(),
            ttl: None,
            capability: None,
            client_id: None,
            timestamp: 1_700_000_000_000,
            nonce: "n1".into(),
            mac: None,
        };
        assert_eq!(sparse.mac("secretXYZ"), SPARSE_MAC);
    }

    #[cfg(feature = "rest")]
    #[test]
    fn sign_then_verify() {
        let signed = full().sign("secretXYZ");
        assert_eq!(signed.mac.as_deref(), Some(FULL_MAC));
        assert!(signed.verify("secretXYZ"));
        assert!(!signed.verify("other"));
        assert!(!full().verify("secretXYZ"));
        let tampered = TokenRequest {
            client_id: Some("mallory".into()),
            ..signed.clone()
        };
        assert!(!tampered.verify("secretXYZ"));
        let garbage = TokenRequest {
            mac: Some("%%%".into()),
            ..signed
        };
        assert!(!garbage.verify("secretXYZ"));
    }

    #[cfg(feature = "rest")]
    #[test]
    fn serde_is_camel_case_and_omits_absent() {
        let json = serde_json::to_value(full().sign("secretXYZ")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "keyName": "appId.keyId", "ttl": 3600000, "capability": "{\"*\":[\"*\"]}",
                "clientId": "alice", "timestamp": 1700000000000u64,
                "nonce": "abcdef1234567890", "mac": FULL_MAC
            })
        );
        let bare: TokenRequest =
            serde_json::from_str(r#"{"keyName":"a.b","timestamp":1,"nonce":"x","extra":1}"#)
                .unwrap();
        assert_eq!(
            serde_json::to_string(&bare).unwrap(),
            r#"{"keyName":"a.b","timestamp":1,"nonce":"x"}"#
        );
    }

    #[test]
    fn token_details_serde() {
        let td: TokenDetails = serde_json::from_str(
            r#"{"token":"t1","keyName":"a.b","issued":1,"expires":2,"capability":"{}","clientId":"c"}"#,
        )
        .unwrap();
        assert_eq!(td.client_id.as_deref(), Some("c"));
        assert_eq!(td.expires, Some(2));
        let only: TokenDetails = serde_json::from_str(r#"{"token":"t"}"#).unwrap();
        assert_eq!(serde_json::to_string(&only).unwrap(), r#"{"token":"t"}"#);
    }
}

//! Tokens as HS256 JWTs signed with a key secret: the tokens this server issues from
//! token requests, and the Ably JWTs apps sign themselves (`kid` = key name,
//! `x-ably-capability`, `x-ably-clientId`, `exp`).

use super::keys::constant_time_eq;
use super::{Identity, Keys, ServerKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use roster::auth::Capability;
use roster::protocol::{codes, ErrorInfo};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::Arc;

fn sign(secret: &str, signing_input: &str) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(signing_input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A token for `client_id` with `capability`, valid from `issued` until `expires` (ms).
pub fn issue_token(
    key: &ServerKey,
    client_id: Option<&str>,
    capability: &Capability,
    issued: u64,
    expires: u64,
) -> String {
    let header = json!({"typ": "JWT", "alg": "HS256", "kid": key.key.key_name});
    let mut claims = json!({
        "iat": issued / 1000,
        "exp": expires.div_ceil(1000),
        "x-ably-capability": capability.canonical(),
    });
    if let Some(client_id) = client_id {
        claims["x-ably-clientId"] = json!(client_id);
    }
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(sign(&key.key.secret, &input));
    format!("{input}.{signature}")
}

fn invalid(message: &str) -> ErrorInfo {
    ErrorInfo::new(codes::INVALID_JWT, 401, message)
}

fn decode_part(part: &str) -> Result<Value, ErrorInfo> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| invalid("token is not a valid JWT"))?;
    serde_json::from_slice(&bytes).map_err(|_| invalid("token is not a valid JWT"))
}

/// Verifies a token and returns who it speaks for; expired → 40142, otherwise invalid →
/// 40144 (both in the token-error range, so clients with a way to renew will renew).
pub fn verify_token(keys: &Keys, token: &str, now: u64) -> Result<Identity, ErrorInfo> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ErrorInfo::new(
            codes::TOKEN_UNRECOGNISED,
            401,
            "token not recognised",
        ));
    };
    let header = decode_part(header)?;
    if header["alg"] != "HS256" {
        return Err(invalid("only HS256 tokens are accepted"));
    }
    let key_name = header["kid"]
        .as_str()
        .ok_or_else(|| invalid("token has no kid"))?;
    let key = keys
        .find(key_name)
        .ok_or_else(|| invalid("token signed with an unknown key"))?;
    let expected = sign(&key.key.secret, &token[..token.len() - signature.len() - 1]);
    let presented = URL_SAFE_NO_PAD
        .decode(signature.trim_end_matches('='))
        .map_err(|_| invalid("token signature is malformed"))?;
    if !constant_time_eq(&expected, &presented) {
        return Err(invalid("token signature does not match"));
    }
    let claims = decode_part(claims)?;
    let expires = match claims["exp"].as_u64() {
        Some(exp) => exp.saturating_mul(1000),
        None => return Err(invalid("token has no exp claim")),
    };
    if expires <= now {
        return Err(token_expired());
    }
    let capability = match claims["x-ably-capability"].as_str() {
        Some(text) => shared(Capability::parse(text)?.intersect(&key.capability), key),
        None => key.capability.clone(),
    };
    Ok(Identity {
        client_id: claims["x-ably-clientId"].as_str().map(str::to_owned),
        capability,
        expires: Some(expires),
    })
}

/// `capability`, sharing the key's when it is the same: most tokens ask for no less.
fn shared(capability: Capability, key: &ServerKey) -> Arc<Capability> {
    if capability == *key.capability {
        key.capability.clone()
    } else {
        Arc::new(capability)
    }
}

/// 40142: the token's time is up (on connect, on AUTH, or on a live connection).
pub fn token_expired() -> ErrorInfo {
    ErrorInfo::new(codes::TOKEN_EXPIRED, 401, "token expired")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::parse(&["app.key:secret".to_owned()]).expect("valid key")
    }

    #[test]
    fn issued_token_verifies_with_client_id_and_capability() {
        let keys = keys();
        let key = keys.first().expect("one key");
        let cap = Capability::parse(r#"{"room":["presence"]}"#).expect("capability");
        let token = issue_token(key, Some("alice"), &cap, 1_000, 61_000);
        let identity = verify_token(&keys, &token, 2_000).expect("valid");
        assert_eq!(identity.expires, Some(61_000));
        assert_eq!(identity.client_id.as_deref(), Some("alice"));
        assert!(identity.capability.allows("room", "presence"));
        assert!(!identity.capability.allows("other", "presence"));
    }

    #[test]
    fn a_token_with_the_keys_capability_shares_it_instead_of_a_copy() {
        let keys = keys();
        let key = keys.first().expect("one key");
        let token = issue_token(key, None, &Capability::all(), 1_000, 61_000);
        let identity = verify_token(&keys, &token, 2_000).expect("valid");
        assert!(Arc::ptr_eq(&identity.capability, &key.capability));
        let narrower = Capability::parse(r#"{"room":["presence"]}"#).expect("capability");
        let token = issue_token(key, None, &narrower, 1_000, 61_000);
        let identity = verify_token(&keys, &token, 2_000).expect("valid");
        assert!(!Arc::ptr_eq(&identity.capability, &key.capability));
        assert_eq!(*identity.capability, narrower);
    }

    #[test]
    fn expired_and_tampered_tokens_are_token_errors() {
        let keys = keys();
        let key = keys.first().expect("one key");
        let token = issue_token(key, None, &Capability::all(), 1_000, 5_000);
        let expired = verify_token(&keys, &token, 5_000).unwrap_err();
        assert_eq!(expired.code, codes::TOKEN_EXPIRED);
        let tampered = format!("{}x", &token);
        assert!(verify_token(&keys, &tampered, 2_000)
            .unwrap_err()
            .is_token_error());
        assert!(verify_token(&keys, "nonsense", 2_000)
            .unwrap_err()
            .is_token_error());
    }
}

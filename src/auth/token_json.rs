//! TokenRequest and TokenDetails as JSON (authUrl answers, `requestToken` bodies), on
//! Roster's own codec: the same shape as their serde derives, which the server uses.

use super::{TokenDetails, TokenRequest};
use crate::json::{Error, ReadJson, Reader, WriteJson, Writer};
use alloc::string::String;

impl ReadJson for TokenRequest {
    fn read_json(r: &mut Reader<'_>) -> Result<TokenRequest, Error> {
        let (mut key_name, mut timestamp, mut nonce) = (None, None, None);
        let (mut ttl, mut capability, mut client_id, mut mac) = (None, None, None, None);
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "keyName" => r.read_into(&mut key_name)?,
                "ttl" => r.read_into(&mut ttl)?,
                "capability" => r.read_into(&mut capability)?,
                "clientId" => r.read_into(&mut client_id)?,
                "timestamp" => r.read_into(&mut timestamp)?,
                "nonce" => r.read_into(&mut nonce)?,
                "mac" => r.read_into(&mut mac)?,
                _ => r.skip()?,
            }
        }
        let (Some(key_name), Some(timestamp), Some(nonce)) = (key_name, timestamp, nonce) else {
            return Err(r.error("TokenRequest without keyName, timestamp and nonce"));
        };
        Ok(TokenRequest {
            key_name,
            ttl,
            capability,
            client_id,
            timestamp,
            nonce,
            mac,
        })
    }
}

impl WriteJson for TokenRequest {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("keyName");
        w.string(&self.key_name);
        w.field("ttl", self.ttl.as_ref());
        w.field("capability", self.capability.as_deref());
        w.field("clientId", self.client_id.as_deref());
        w.key("timestamp");
        w.u64(self.timestamp);
        w.key("nonce");
        w.string(&self.nonce);
        w.field("mac", self.mac.as_deref());
        w.end_object();
    }
}

impl ReadJson for TokenDetails {
    fn read_json(r: &mut Reader<'_>) -> Result<TokenDetails, Error> {
        let mut token = None;
        let mut details = TokenDetails {
            token: String::new(),
            key_name: None,
            issued: None,
            expires: None,
            capability: None,
            client_id: None,
        };
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "token" => r.read_into(&mut token)?,
                "keyName" => r.read_into(&mut details.key_name)?,
                "issued" => r.read_into(&mut details.issued)?,
                "expires" => r.read_into(&mut details.expires)?,
                "capability" => r.read_into(&mut details.capability)?,
                "clientId" => r.read_into(&mut details.client_id)?,
                _ => r.skip()?,
            }
        }
        details.token = token.ok_or_else(|| r.error("TokenDetails without \"token\""))?;
        Ok(details)
    }
}

impl WriteJson for TokenDetails {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("token");
        w.string(&self.token);
        w.field("keyName", self.key_name.as_deref());
        w.field("issued", self.issued.as_ref());
        w.field("expires", self.expires.as_ref());
        w.field("capability", self.capability.as_deref());
        w.field("clientId", self.client_id.as_deref());
        w.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    /// The token module's full request, with a mac so every field is written.
    fn request() -> TokenRequest {
        TokenRequest {
            mac: Some("m/ac=".into()),
            ..crate::auth::token::tests::full()
        }
    }

    #[test]
    fn token_request_writes_what_serde_writes_and_reads_back() {
        let full = request();
        let text = json::to_string(&full);
        assert_eq!(text, serde_json::to_string(&full).unwrap());
        assert_eq!(json::from_slice::<TokenRequest>(text.as_bytes()), Ok(full));
        let bare: TokenRequest =
            json::from_slice(br#"{"keyName":"a.b","timestamp":1,"nonce":"x","extra":[1]}"#)
                .unwrap();
        assert_eq!(
            json::to_string(&bare),
            r#"{"keyName":"a.b","timestamp":1,"nonce":"x"}"#
        );
    }

    #[test]
    fn token_request_needs_its_signed_fields() {
        for bad in [
            r#"{"timestamp":1,"nonce":"x"}"#,
            r#"{"keyName":"a.b","nonce":"x"}"#,
            r#"{"keyName":"a.b","timestamp":1}"#,
            r#"{"keyName":"a.b","timestamp":-1,"nonce":"x"}"#,
            r#"{"keyName":null,"timestamp":1,"nonce":"x"}"#,
        ] {
            assert!(
                json::from_slice::<TokenRequest>(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn token_details_round_trip_and_need_a_token() {
        let text = r#"{"token":"t1","keyName":"a.b","issued":1,"expires":2,"capability":"{}","clientId":"c"}"#;
        let details: TokenDetails = json::from_slice(text.as_bytes()).unwrap();
        assert_eq!(details, serde_json::from_str::<TokenDetails>(text).unwrap());
        assert_eq!(json::to_string(&details), text);
        let only: TokenDetails = json::from_slice(br#"{"token":"t","expires":null}"#).unwrap();
        assert_eq!(json::to_string(&only), r#"{"token":"t"}"#);
        assert!(json::from_slice::<TokenDetails>(br#"{"expires":2}"#).is_err());
        assert!(json::from_slice::<TokenDetails>(br#"{"token":null}"#).is_err());
    }
}

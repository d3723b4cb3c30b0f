//! Decoders for REST response bodies: errors, presence pages, batch presence, tokens, time.

use super::{parse_link_header, PaginatedResult};
use crate::auth::TokenDetails;
use crate::protocol::{ErrorInfo, PresenceMessage};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInfo,
}

/// The error of a failed response: the body's `{"error":{...}}`, else the
/// `x-ably-errorcode` header, else one derived from the HTTP status (`status * 100`).
pub fn decode_error(status: u16, body: &[u8], error_code_header: Option<&str>) -> ErrorInfo {
    let header_code = error_code_header.and_then(|h| h.trim().parse::<u32>().ok());
    if let Ok(ErrorBody { mut error }) = serde_json::from_slice::<ErrorBody>(body) {
        if error.code == 0 {
            error.code = header_code.unwrap_or(u32::from(status) * 100);
        }
        if error.status_code == 0 {
            error.status_code = status;
        }
        return error;
    }
    let code = header_code.unwrap_or(u32::from(status) * 100);
    ErrorInfo::new(
        code,
        status,
        format!("request failed with HTTP status {status}"),
    )
}

fn malformed(what: &str, e: serde_json::Error) -> ErrorInfo {
    ErrorInfo::bad_request(format!("malformed {what} response: {e}"))
}

fn decode_all(presence: Vec<PresenceMessage>) -> Vec<PresenceMessage> {
    // A member whose data cannot be decoded is still a member: it keeps the
    // undecoded data and the remaining encoding, as ably-js does.
    presence.into_iter().map(|p| p.decoded().0).collect()
}

/// A page of presence members or history from `GET .../presence[/history]` (data decoded).
pub fn decode_presence_page(
    path: &str,
    body: &[u8],
    link: Option<&str>,
) -> Result<PaginatedResult<PresenceMessage>, ErrorInfo> {
    let items: Vec<PresenceMessage> =
        serde_json::from_slice(body).map_err(|e| malformed("presence", e))?;
    let links = link.map(parse_link_header).unwrap_or_default();
    Ok(PaginatedResult::new(decode_all(items), path, links))
}

/// The answer to a batch presence request (BAR2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchPresenceResponse {
    /// How many channels succeeded.
    pub success_count: u32,
    /// How many channels failed.
    pub failure_count: u32,
    /// One result per requested channel.
    pub results: Vec<BatchPresenceResult>,
}

/// One channel's members, or why they could not be had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BatchPresenceResult {
    /// The channel's current members.
    Success {
        /// The channel.
        channel: String,
        /// Its members.
        presence: Vec<PresenceMessage>,
    },
    /// The channel failed (e.g. 40160 not permitted).
    Failure {
        /// The channel.
        channel: String,
        /// Why.
        error: ErrorInfo,
    },
}

/// Decodes a batch presence response, decoding each member's data.
pub fn decode_batch_presence(body: &[u8]) -> Result<BatchPresenceResponse, ErrorInfo> {
    let mut response: BatchPresenceResponse =
        serde_json::from_slice(body).map_err(|e| malformed("batch presence", e))?;
    for result in &mut response.results {
        if let BatchPresenceResult::Success { presence, .. } = result {
            *presence = decode_all(std::mem::take(presence));
        }
    }
    Ok(response)
}

/// Decodes the TokenDetails returned by `requestToken` (or an authUrl).
pub fn decode_token_details(body: &[u8]) -> Result<TokenDetails, ErrorInfo> {
    serde_json::from_slice(body).map_err(|e| malformed("token", e))
}

/// Decodes the `[ms]` body of `GET /time`.
pub fn decode_time(body: &[u8]) -> Result<u64, ErrorInfo> {
    let times: Vec<u64> = serde_json::from_slice(body).map_err(|e| malformed("time", e))?;
    times
        .first()
        .copied()
        .ok_or_else(|| ErrorInfo::bad_request("malformed time response: empty array"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Data, PresenceAction};
    use serde_json::json;

    #[test]
    fn error_from_body() {
        let body = br#"{"error":{"code":40160,"statusCode":401,"message":"no","href":"h"}}"#;
        let e = decode_error(401, body, Some("40100"));
        assert_eq!(
            (e.code, e.status_code, e.message.as_str()),
            (40160, 401, "no")
        );
    }

    #[test]
    fn error_body_missing_code_uses_header_then_status() {
        let e = decode_error(404, br#"{"error":{"message":"gone"}}"#, None);
        assert_eq!(
            (e.code, e.status_code, e.message.as_str()),
            (40400, 404, "gone")
        );
        let e = decode_error(401, br#"{"error":{"message":"x"}}"#, Some("40142"));
        assert_eq!(e.code, 40142);
    }

    #[test]
    fn error_falls_back_to_header_then_status() {
        let e = decode_error(401, b"<html>nope</html>", Some(" 40142 "));
        assert_eq!((e.code, e.status_code), (40142, 401));
        let e = decode_error(500, b"", None);
        assert_eq!((e.code, e.status_code), (50000, 500));
        let e = decode_error(503, b"{}", Some("junk"));
        assert_eq!(e.code, 50300);
    }

    #[test]
    fn presence_page_decodes_data_and_links() {
        let body = br#"[
          {"id":"c1:0:0","action":1,"clientId":"a","connectionId":"c1","timestamp":1,
           "data":"{\"s\":1}","encoding":"json"},
          {"action":1,"clientId":"b","connectionId":"c2","data":"AAE=","encoding":"base64"},
          {"action":1,"clientId":"c","connectionId":"c3","data":"x","encoding":"cipher+aes-128-cbc"}
        ]"#;
        let page = decode_presence_page(
            "/channels/lobby/presence?limit=3",
            body,
            Some(r#"<./presence?limit=3&start=z>; rel="next""#),
        )
        .unwrap();
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.items[0].data, Some(Data::json(&json!({"s": 1}))));
        assert_eq!(page.items[0].encoding, None);
        assert_eq!(page.items[1].data, Some(Data::Binary(vec![0, 1])));
        assert_eq!(page.items[2].data, Some(Data::String("x".into())));
        assert_eq!(
            page.items[2].encoding.as_deref(),
            Some("cipher+aes-128-cbc")
        );
        assert_eq!(page.items[0].action, PresenceAction::Present);
        assert_eq!(
            page.next_request().unwrap().path,
            "/channels/lobby/presence?limit=3&start=z"
        );
    }

    #[test]
    fn presence_page_rejects_malformed() {
        assert_eq!(
            decode_presence_page("/p", b"{", None).unwrap_err().code,
            40000
        );
        assert_eq!(
            decode_presence_page("/p", b"{}", None).unwrap_err().code,
            40000
        );
    }

    #[test]
    fn batch_presence_response() {
        let body = br#"{"successCount":1,"failureCount":1,"results":[
          {"channel":"a","presence":[{"action":1,"clientId":"x","data":"{\"k\":true}","encoding":"json"}]},
          {"channel":"b","error":{"code":40160,"statusCode":401,"message":"denied"}}
        ]}"#;
        let r = decode_batch_presence(body).unwrap();
        assert_eq!((r.success_count, r.failure_count), (1, 1));
        match &r.results[0] {
            BatchPresenceResult::Success { channel, presence } => {
                assert_eq!(channel, "a");
                assert_eq!(presence[0].data, Some(Data::json(&json!({"k": true}))));
            }
            other => panic!("expected success, got {other:?}"),
        }
        match &r.results[1] {
            BatchPresenceResult::Failure { channel, error } => {
                assert_eq!((channel.as_str(), error.code), ("b", 40160));
            }
            other => panic!("expected failure, got {other:?}"),
        }
        assert_eq!(decode_batch_presence(b"[]").unwrap_err().code, 40000);
    }

    #[test]
    fn token_and_time() {
        let td = decode_token_details(br#"{"token":"t","expires":9,"clientId":"c"}"#).unwrap();
        assert_eq!((td.token.as_str(), td.expires), ("t", Some(9)));
        assert_eq!(decode_token_details(b"{}").unwrap_err().code, 40000);
        assert_eq!(decode_time(b"[1700000000000]").unwrap(), 1_700_000_000_000);
        assert_eq!(decode_time(b"[]").unwrap_err().code, 40000);
    }
}

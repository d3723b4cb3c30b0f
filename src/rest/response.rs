//! Decoders for REST response bodies: errors, presence pages, tokens, time.

use super::{parse_link_header, PaginatedResult};
use crate::auth::TokenDetails;
use crate::json::{self, Error, ReadJson, Reader};
use crate::protocol::{ErrorInfo, PresenceMessage};
use crate::text::{self, push_u64};
use alloc::string::String;
use alloc::vec::Vec;

/// A failed response's body: `{"error":{...}}`.
struct ErrorBody(Option<ErrorInfo>);

impl ReadJson for ErrorBody {
    fn read_json(r: &mut Reader<'_>) -> Result<ErrorBody, Error> {
        let mut error = None;
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "error" => r.read_into(&mut error)?,
                _ => r.skip()?,
            }
        }
        Ok(ErrorBody(error))
    }
}

/// The error of a failed response: the body's `{"error":{...}}`, else the
/// `x-ably-errorcode` header, else one derived from the HTTP status (`status * 100`).
pub fn decode_error(status: u16, body: &[u8], error_code_header: Option<&str>) -> ErrorInfo {
    let header_code = error_code_header
        .and_then(|h| text::parse_u64(h.trim_ascii()))
        .and_then(|code| u32::try_from(code).ok());
    if let Ok(ErrorBody(Some(mut error))) = json::from_slice(body) {
        if error.code == 0 {
            error.code = header_code.unwrap_or(u32::from(status) * 100);
        }
        if error.status_code == 0 {
            error.status_code = status;
        }
        return error;
    }
    let code = header_code.unwrap_or(u32::from(status) * 100);
    let mut message = String::from("request failed with HTTP status ");
    push_u64(&mut message, u64::from(status));
    ErrorInfo::new(code, status, message)
}

/// Reads a whole body as `T`; errors say which response was malformed.
pub(super) fn decode_body<T: ReadJson>(what: &str, body: &[u8]) -> Result<T, ErrorInfo> {
    json::from_slice(body).map_err(|e| {
        let mut context = String::from("malformed ");
        context.push_str(what);
        context.push_str(" response");
        ErrorInfo::bad_request(e.describe(&context))
    })
}

/// Each member's data decoded for the app.
pub(super) fn decode_all(presence: Vec<PresenceMessage>) -> Vec<PresenceMessage> {
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
    let items = decode_body("presence", body)?;
    let links = link.map(parse_link_header).unwrap_or_default();
    Ok(PaginatedResult::new(decode_all(items), path, links))
}

/// Decodes the TokenDetails returned by `requestToken` (or an authUrl).
pub fn decode_token_details(body: &[u8]) -> Result<TokenDetails, ErrorInfo> {
    decode_body("token", body)
}

/// Decodes the `[ms]` body of `GET /time`.
pub fn decode_time(body: &[u8]) -> Result<u64, ErrorInfo> {
    let times: Vec<u64> = decode_body("time", body)?;
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
    fn token_and_time() {
        let td = decode_token_details(br#"{"token":"t","expires":9,"clientId":"c"}"#).unwrap();
        assert_eq!((td.token.as_str(), td.expires), ("t", Some(9)));
        assert_eq!(decode_token_details(b"{}").unwrap_err().code, 40000);
        assert_eq!(decode_time(b"[1700000000000]").unwrap(), 1_700_000_000_000);
        assert_eq!(decode_time(b"[]").unwrap_err().code, 40000);
    }
}

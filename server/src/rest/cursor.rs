//! The cursor of REST presence pages: the key of the last member a page listed, which
//! the next page goes on after. Members entering or leaving between requests do not
//! move it, unlike an offset. Opaque to clients: base64url (no padding) of
//! `<clientId byte length>:<clientId><connectionId>`, safe in a query string as it is.

use crate::hub::MemberKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use roster::protocol::ErrorInfo;

/// The cursor text for `key`.
pub fn encode(key: &MemberKey) -> String {
    let (client_id, conn_id) = key;
    URL_SAFE_NO_PAD.encode(format!("{}:{client_id}{conn_id}", client_id.len()))
}

/// The key a cursor names; 40000 for text no `encode` made.
pub fn decode(text: &str) -> Result<MemberKey, ErrorInfo> {
    let invalid = || ErrorInfo::bad_request(format!("invalid cursor {text:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
    let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (length, ids) = plain.split_once(':').ok_or_else(invalid)?;
    let length: usize = length.parse().map_err(|_| invalid())?;
    let (client_id, conn_id) = ids.split_at_checked(length).ok_or_else(invalid)?;
    Ok((client_id.to_owned(), conn_id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_comes_back_from_its_cursor_whatever_its_characters() {
        for (client_id, conn_id) in [
            ("", ""),
            ("alice", "Xy12ab"),
            ("12:34", "c:1"),
            ("a&b=c d+e/f?g#h%i,j;k<l>\"", "é🙂"),
        ] {
            let key = (client_id.to_owned(), conn_id.to_owned());
            let cursor = encode(&key);
            assert!(
                cursor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{cursor}"
            );
            assert_eq!(decode(&cursor), Ok(key));
        }
    }

    #[test]
    fn text_that_is_no_cursor_is_a_40000() {
        let not_utf8 = URL_SAFE_NO_PAD.encode([0xff, 0xfe]);
        let too_long = URL_SAFE_NO_PAD.encode("9:abc");
        let split_char = URL_SAFE_NO_PAD.encode("1:éx");
        let no_length = URL_SAFE_NO_PAD.encode("abc");
        for text in [
            "",
            "1000",
            "a b",
            "%%",
            "YQ=",
            &not_utf8,
            &too_long,
            &split_char,
            &no_length,
        ] {
            let error = decode(text).expect_err(text);
            assert_eq!((error.code, error.status_code), (40000, 400), "{text}");
        }
    }
}

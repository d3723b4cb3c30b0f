//! The `Link` header of paginated REST responses, parsed as ably-js parses it.
//!
//! The header is a comma-separated list of `<./presence?limit=2&start=...>; rel="next"`.
//! Only relative links of the shape `./word?query` with a non-empty query count; what is
//! kept of each is its query, which the next request appends to the original path.

use crate::text::{rsplit_once_byte, split_once_byte};
use alloc::borrow::ToOwned;
use alloc::string::String;

/// The query strings (without `?`) of the pages a result links to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The first page.
    pub first: Option<String>,
    /// This page again.
    pub current: Option<String>,
    /// The next page; absent on the last page.
    pub next: Option<String>,
}

/// Parses a `Link` header; entries that do not fit the shape are skipped.
pub fn parse_link_header(h: &str) -> Links {
    let mut links = Links::default();
    let mut rest = Some(h);
    while let Some(text) = rest {
        let (entry, tail) = match split_once_byte(text, b',') {
            Some((entry, tail)) => (entry, Some(tail)),
            None => (text, None),
        };
        rest = tail;
        let Some((rel, query)) = parse_entry(entry) else {
            continue;
        };
        let slot = match rel {
            "first" => &mut links.first,
            "current" => &mut links.current,
            "next" => &mut links.next,
            _ => continue,
        };
        *slot = Some(query.to_owned());
    }
    links
}

/// One `<url>; rel="word"` entry -> (rel, query of the url).
fn parse_entry(entry: &str) -> Option<(&str, &str)> {
    let rest = entry.trim_ascii_start().strip_prefix('<')?;
    // The last '>' must end the url: a '>' after it could only sit in a rel that is not
    // a word. Split on the byte, not on ">;": no substring searcher in the wasm.
    let (url, rest) = rsplit_once_byte(rest, b'>')?;
    let rel = rest
        .strip_prefix(';')?
        .trim_ascii_start()
        .strip_prefix("rel=\"")?
        .strip_suffix('"')?;
    if rel.is_empty() || !rel.bytes().all(is_word) {
        return None;
    }
    let (resource, query) = split_once_byte(url.strip_prefix("./")?, b'?')?;
    if resource.is_empty() || !resource.bytes().all(is_word) || query.is_empty() {
        return None;
    }
    Some((rel, query))
}

/// A regex `\w` byte.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_first_current_next() {
        let h = r#"<./presence?limit=2&format=json>; rel="first", <./presence?limit=2&format=json>; rel="current", <./presence?limit=2&start=abc%2C1&format=json>; rel="next""#;
        let links = parse_link_header(h);
        assert_eq!(links.first.as_deref(), Some("limit=2&format=json"));
        assert_eq!(links.current.as_deref(), Some("limit=2&format=json"));
        assert_eq!(
            links.next.as_deref(),
            Some("limit=2&start=abc%2C1&format=json")
        );
    }

    #[test]
    fn last_page_has_no_next() {
        let links =
            parse_link_header(r#"<./history?a=1>; rel="first",<./history?a=1>; rel="current""#);
        assert_eq!(links.first.as_deref(), Some("a=1"));
        assert!(links.next.is_none());
    }

    #[test]
    fn the_url_ends_at_the_last_angle_bracket_before_the_rel() {
        let links = parse_link_header(r#"<./presence?a=>;b>; rel="next""#);
        assert_eq!(links.next.as_deref(), Some("a=>;b"));
    }

    #[test]
    fn skips_what_ably_js_skips() {
        for h in [
            "",
            "garbage",
            r#"<./presence>; rel="next""#,
            r#"<./presence?>; rel="next""#,
            r#"</channels/x/presence?a=1>; rel="next""#,
            r#"<https://host/presence?a=1>; rel="next""#,
            r#"<./presence?a=1>; rel=next"#,
            r#"<./presence?a=1>; rel="next" "#,
            r#"<./pres/ence?a=1>; rel="next""#,
            r#"<./presence?a=1>; rel="ne>xt""#,
            r#"<./presence?a=1>; rel="next">"#,
            r#"<./presence?a=1>rel="next""#,
        ] {
            assert_eq!(parse_link_header(h), Links::default(), "{h}");
        }
    }
}

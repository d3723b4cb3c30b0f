//! Percent-encoding as JavaScript's `encodeURIComponent` does it.

use alloc::string::String;

/// Encodes `s` for a path segment or query value: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`
/// becomes `%XX` of its UTF-8 bytes (so `/`, `,`, `:`, `?`, `&`, spaces are all escaped).
pub fn encode_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// Builds `?k=v&k2=v2` from the pairs that are present (empty string when none are).
pub(crate) fn query(pairs: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            if out.is_empty() {
                out.push('?');
            }
            push_param(&mut out, key, value);
        }
    }
    out
}

/// Appends `name=value`, both encoded, to a query or form body: after a `&` unless
/// `out` is empty or ends with its `?` (encoded values never end with one).
pub fn push_param(out: &mut String, name: &str, value: &str) {
    if !out.is_empty() && !out.ends_with('?') {
        out.push('&');
    }
    out.push_str(&encode_component(name));
    out.push('=');
    out.push_str(&encode_component(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_encode_uri_component() {
        // Expected values from node: encodeURIComponent(...)
        assert_eq!(encode_component("abcXYZ019-_.!~*'()"), "abcXYZ019-_.!~*'()");
        assert_eq!(
            encode_component("a b/c?d&e=f,g:h#i"),
            "a%20b%2Fc%3Fd%26e%3Df%2Cg%3Ah%23i"
        );
        assert_eq!(encode_component("é☃"), "%C3%A9%E2%98%83");
        assert_eq!(encode_component("[foo]%"), "%5Bfoo%5D%25");
    }

    #[test]
    fn query_skips_absent_values() {
        assert_eq!(query(&[("a", None)]), "");
        assert_eq!(
            query(&[
                ("a", Some("x y".into())),
                ("b", None),
                ("c", Some("1,2".into()))
            ]),
            "?a=x%20y&c=1%2C2"
        );
    }
}

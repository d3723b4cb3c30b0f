//! Base64 (RFC 4648 §4: standard alphabet, padded), written here rather than taken from
//! the `base64` crate: its general-purpose engine cost the browser package 6.5 KB of wasm,
//! for the two functions the SDK needs (binary data on the wire, auth headers and MACs).

use alloc::string::String;
use alloc::vec::Vec;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why base64 text was refused: a character outside the alphabet, misplaced padding, a
/// length that is not a multiple of 4, or non-zero bits after the last byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidBase64;

/// `bytes` as padded base64 text.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    let bytes = bytes.as_ref();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(group >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes of padded base64 `text`. Strict, as the `base64` crate's standard engine
/// was: no whitespace, padding only at the end, unused bits zero.
pub fn decode(text: &str) -> Result<Vec<u8>, InvalidBase64> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return Err(InvalidBase64);
    }
    let groups = text.len() / 4;
    let mut out = Vec::with_capacity(groups * 3);
    for (index, chunk) in text.chunks_exact(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if padding > 2 || (padding > 0 && index + 1 != groups) {
            return Err(InvalidBase64);
        }
        let mut group = 0u32;
        for &c in chunk.iter().take(4 - padding) {
            group = group << 6 | value(c).ok_or(InvalidBase64)?;
        }
        group <<= 6 * padding;
        // Bits a padded group does not fill must be zero: one text per byte string.
        if group & ((1 << (8 * padding)) - 1) != 0 {
            return Err(InvalidBase64);
        }
        out.extend(group.to_be_bytes().into_iter().skip(1).take(3 - padding));
    }
    Ok(out)
}

/// The 6-bit value of one alphabet character.
fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in vectors {
            assert_eq!(encode(plain), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
        assert_eq!(encode([0xfb, 0xff]), "+/8=");
        assert_eq!(decode("+/8=").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn refuses_malformed_text() {
        let bad = [
            "A", "AB", "ABC", "A===", "====", "AB=C", "Zg==Zg==", "Zh==", "Zm9=", "Zm 9v",
            "Zm9v\n", "Zm-v", "Zm_v", "Zm9vYg=", "é===",
        ];
        for text in bad {
            assert_eq!(decode(text), Err(InvalidBase64), "{text:?}");
        }
    }
}

/// Agreement with the `base64` crate, which this module replaced (native only: the crate
/// and proptest are not dev-dependencies of wasm builds).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod differential {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use proptest::prelude::*;

    #[test]
    fn same_text_for_every_length() {
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + len * 31) as u8).collect();
            let expected = STANDARD.encode(&bytes);
            assert_eq!(encode(&bytes), expected, "length {len}");
            assert_eq!(decode(&expected).unwrap(), bytes, "length {len}");
        }
        let every_byte: Vec<u8> = (0..=255).collect();
        assert_eq!(encode(&every_byte), STANDARD.encode(&every_byte));
    }

    proptest! {
        #[test]
        fn round_trips_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let text = encode(&bytes);
            prop_assert_eq!(&text, &STANDARD.encode(&bytes));
            prop_assert_eq!(decode(&text).unwrap(), bytes);
        }

        #[test]
        fn decodes_any_text_as_the_crate_does(
            text in "([A-Za-z0-9+/]{4}){0,2}[A-Za-z0-9+/=]{0,4}|[A-Za-z0-9+/=\\n _-]{0,9}"
        ) {
            prop_assert_eq!(decode(&text).ok(), STANDARD.decode(&text).ok());
        }
    }
}

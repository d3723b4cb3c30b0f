//! Building text without `core::fmt`. `format!` and `to_string()` on numbers pull the
//! formatting machinery and each argument's Display impl into the wasm; the SDK only
//! ever joins strings and writes unsigned integers.

use alloc::string::String;

/// `parts` joined into one string. std's `concat()`/`join()` go through a generic copy
/// with overflow checks and a panic message that cost about 1 KB of wasm.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `text` split around its first `sep`, an ASCII byte. `split_once` with a char brings
/// std's generic char searcher (and memchr) into the wasm for what is a byte search.
pub fn split_once_byte(text: &str, sep: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == sep)?;
    split_around(text, at)
}

/// `text` split around its last `sep`, an ASCII byte (see `split_once_byte`).
pub fn rsplit_once_byte(text: &str, sep: u8) -> Option<(&str, &str)> {
    let at = text.bytes().rposition(|b| b == sep)?;
    split_around(text, at)
}

/// The text before and after the ASCII byte at `at`; both sides are whole chars, so the
/// checked forms never fail, but they have no panic path.
fn split_around(text: &str, at: usize) -> Option<(&str, &str)> {
    let (before, rest) = text.split_at_checked(at)?;
    Some((before, rest.get(1..)?))
}

/// A u64 in decimal, read as `str::parse` reads it (digits after an optional '+'),
/// without the generic parser and its 128-bit overflow arithmetic in the wasm.
pub fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = push_digit(n, b)?;
    }
    Some(n)
}

/// `n` with the ASCII digit `digit` appended (`n * 10 + digit`), none if that overflows.
/// A comparison first, not `checked_mul`: wasm32 tests that multiplication's overflow
/// with a 128-bit one, a call to `__multi3` per digit.
#[inline]
pub fn push_digit(n: u64, digit: u8) -> Option<u64> {
    if n > u64::MAX / 10 {
        return None;
    }
    (n * 10).checked_add(u64::from(digit - b'0'))
}

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, n: u64) {
    let mut digits = [b'0'; 20];
    #[cfg(not(target_arch = "wasm32"))]
    let start = digits_by_pairs(&mut digits, n);
    #[cfg(target_arch = "wasm32")]
    let start = digits_one_by_one(&mut digits, n);
    // Only ASCII digits were written, so this never falls back to the empty string.
    out.push_str(core::str::from_utf8(&digits[start..]).unwrap_or_default());
}

/// "00" to "99": two digits per division (timestamps have 13).
#[cfg(not(target_arch = "wasm32"))]
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
    5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// Writes `n` at the end of `digits`; returns where it starts. Table-driven, as JSON
/// encoding (timestamps, serials) puts it on the server's hot path.
#[cfg(not(target_arch = "wasm32"))]
fn digits_by_pairs(digits: &mut [u8; 20], mut n: u64) -> usize {
    let mut start = digits.len();
    // Four digits per division, as two pairs from the table.
    while n >= 10_000 {
        let four = (n % 10_000) as usize;
        n /= 10_000;
        start -= 4;
        let (high, low) = (four / 100 * 2, four % 100 * 2);
        digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[high..high + 2]);
        digits[start + 2..start + 4].copy_from_slice(&DIGIT_PAIRS[low..low + 2]);
    }
    let mut n = n as usize;
    while n >= 10 {
        start -= 2;
        digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[n % 100 * 2..n % 100 * 2 + 2]);
        n /= 100;
    }
    if n > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + n as u8;
    }
    start
}

/// `digits_by_pairs` for the browser, a digit per division: the table and its unrolled
/// loop cost the realtime app 347 B gzip, where a client writes a few numbers per frame.
#[cfg(any(target_arch = "wasm32", test))]
fn digits_one_by_one(digits: &mut [u8; 20], mut n: u64) -> usize {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_around_the_first_or_last_byte() {
        assert_eq!(split_once_byte("a/é/c", b'/'), Some(("a", "é/c")));
        assert_eq!(rsplit_once_byte("a/é/c", b'/'), Some(("a/é", "c")));
        assert_eq!(split_once_byte("/", b'/'), Some(("", "")));
        assert_eq!(rsplit_once_byte("é", b'/'), None);
        for text in ["", "x", "a:b", ":a:", "é:ü:", "::"] {
            assert_eq!(split_once_byte(text, b':'), text.split_once(':'), "{text}");
            assert_eq!(
                rsplit_once_byte(text, b':'),
                text.rsplit_once(':'),
                "{text}"
            );
        }
    }

    #[test]
    fn reads_decimal_like_str_parse() {
        for text in [
            "0",
            "+7",
            "1844674407370955161",
            "18446744073709551609",
            "18446744073709551615",
            "18446744073709551616",
            "18446744073709551620",
            "99999999999999999999",
            "",
            "+",
            "-1",
            "1a",
        ] {
            assert_eq!(parse_u64(text), text.parse().ok(), "{text}");
        }
    }

    #[test]
    fn concat_joins_in_order() {
        assert_eq!(concat(&[]), "");
        assert_eq!(concat(&["ws", "://", "é", ":"]), "ws://é:");
    }

    #[test]
    fn writes_decimal_like_display() {
        let edges = [
            0, 1, 9, 10, 99, 100, 9_999, 10_000, 10_001, 12_345, 99_999_999,
        ];
        let large = [100_000_000, 1_700_000_000_000, 4_294_967_296, u64::MAX];
        for n in edges.into_iter().chain(large) {
            let mut out = String::from("n=");
            push_u64(&mut out, n);
            assert_eq!(out, format!("n={n}"));
            // The browser's way gives the same digits.
            let mut digits = [b'0'; 20];
            let start = digits_one_by_one(&mut digits, n);
            assert_eq!(&digits[start..], n.to_string().as_bytes());
        }
    }
}

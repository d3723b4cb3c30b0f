//! Building text without `core::fmt`. `format!` and `to_string()` on numbers pull the
//! formatting machinery and each argument's Display impl into the wasm; the SDK only
//! ever joins strings and writes unsigned integers.

/// `parts` joined into one string. std's `concat()`/`join()` go through a generic copy
/// with overflow checks and a panic message that cost about 1 KB of wasm.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, n: u64) {
    // Recursion (at most 20 deep) instead of a digit buffer: no index, no bounds check.
    if n >= 10 {
        push_u64(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_joins_in_order() {
        assert_eq!(concat(&[]), "");
        assert_eq!(concat(&["ws", "://", "é", ":"]), "ws://é:");
    }

    #[test]
    fn writes_decimal_like_display() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut out = String::from("n=");
            push_u64(&mut out, n);
            assert_eq!(out, format!("n={n}"));
        }
    }
}

//! Building text without `core::fmt`. `format!` and `to_string()` on numbers pull the
//! formatting machinery and each argument's Display impl into the wasm; the SDK only
//! ever joins strings (`[a, b].concat()`) and writes unsigned integers (here).

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
    fn writes_decimal_like_display() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut out = String::from("n=");
            push_u64(&mut out, n);
            assert_eq!(out, format!("n={n}"));
        }
    }
}

//! Percentiles over recorded samples.

/// Summary of a latency distribution in microseconds.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Median.
    pub p50: u32,
    /// 99th percentile.
    pub p99: u32,
    /// Largest sample.
    pub max: u32,
}

/// Sort the samples and read p50, p99 and max (all zero when there are none).
pub fn summarize(samples: &mut [u32]) -> Summary {
    if samples.is_empty() {
        return Summary {
            p50: 0,
            p99: 0,
            max: 0,
        };
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Summary {
        p50: at(0.50),
        p99: at(0.99),
        max: samples[samples.len() - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_range() {
        let mut v: Vec<u32> = (1..=1000).rev().collect();
        let s = summarize(&mut v);
        assert_eq!((s.p50, s.p99, s.max), (501, 990, 1000));
    }
}

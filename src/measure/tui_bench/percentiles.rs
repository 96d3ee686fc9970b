//! The summary of a set of timings: median, 99th percentile, worst, mean.
//!
//! Percentiles use the nearest-rank definition (the smallest sample with at least that share
//! of samples at or below it), so every figure printed is a time that was really measured.

use std::time::Duration;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Percentiles {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
}

impl Percentiles {
    /// The summary of `samples`; all zero when there are none.
    pub fn of(samples: &[Duration]) -> Percentiles {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let total: Duration = sorted.iter().sum();
        let count = sorted.len();
        Percentiles {
            count,
            p50: nearest_rank(&sorted, 50),
            p99: nearest_rank(&sorted, 99),
            max: sorted.last().copied().unwrap_or_default(),
            mean: total / u32::try_from(count.max(1)).unwrap_or(u32::MAX),
        }
    }
}

/// The sample at `percent` by nearest rank: rank = ceil(percent/100 * n), from 1.
fn nearest_rank(sorted: &[Duration], percent: usize) -> Duration {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_percentiles_of_one_to_a_hundred_are_the_ranks_themselves() {
        let samples: Vec<Duration> = (1..=100).rev().map(ms).collect();
        let summary = Percentiles::of(&samples);
        assert_eq!(
            (summary.p50, summary.p99, summary.max, summary.mean),
            (ms(50), ms(99), ms(100), Duration::from_micros(50_500))
        );
    }

    #[test]
    fn with_few_samples_the_99th_percentile_is_the_worst() {
        let summary = Percentiles::of(&[ms(3), ms(1), ms(2)]);
        assert_eq!((summary.p50, summary.p99), (ms(2), ms(3)));
    }

    #[test]
    fn no_samples_give_zeros_not_a_panic() {
        assert_eq!(Percentiles::of(&[]), Percentiles::default());
    }
}

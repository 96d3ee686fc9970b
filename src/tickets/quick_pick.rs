//! Quick picks: numbers the data centre draws for a play from the operating system's secure
//! random source, scaled to the game's range without bias. A 32-bit draw is kept only below
//! the largest multiple of the range's size and drawn again above it (rejection sampling), so
//! every number is equally likely; taking a draw modulo the size without that would favour
//! the low numbers. Numbers of a game without repeats are drawn again when already picked.

use super::game::Game;

/// A source of uniformly random 32-bit words.
pub trait RandomSource {
    fn next_u32(&mut self) -> Result<u32, RandomError>;
}

/// The operating system's source had nothing to give: no pick is made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(pub String);

/// The operating system's secure random source (`getrandom`), read 512 bytes at a time.
pub struct SystemRandom {
    buffer: [u8; 512],
    taken: usize,
}

impl Default for SystemRandom {
    fn default() -> SystemRandom {
        SystemRandom {
            buffer: [0; 512],
            taken: 512,
        }
    }
}

impl RandomSource for SystemRandom {
    fn next_u32(&mut self) -> Result<u32, RandomError> {
        use rand::TryRng;
        if self.taken + 4 > self.buffer.len() {
            rand::rngs::SysRng
                .try_fill_bytes(&mut self.buffer)
                .map_err(|e| RandomError(e.to_string()))?;
            self.taken = 0;
        }
        let mut word = [0u8; 4];
        word.copy_from_slice(&self.buffer[self.taken..self.taken + 4]);
        self.taken += 4;
        Ok(u32::from_le_bytes(word))
    }
}

/// A number from `0` to `size - 1`, each equally likely (`size` from 1).
pub fn uniform_below(source: &mut impl RandomSource, size: u32) -> Result<u32, RandomError> {
    let size = size.max(1);
    // 2^32 draws leave `uneven` over the last whole multiple of `size`: the draws from 0
    // to `highest_kept` fall equally often on each number, the rest are drawn again.
    let uneven = (u32::MAX % size + 1) % size;
    let highest_kept = u32::MAX - uneven;
    loop {
        let draw = source.next_u32()?;
        if draw <= highest_kept {
            return Ok(draw % size);
        }
    }
}

/// One play's numbers, as the game shows them (sorted unless the game is ordered).
pub fn quick_pick(game: &Game, source: &mut impl RandomSource) -> Result<Vec<u8>, RandomError> {
    let size = u32::from(game.highest - game.lowest) + 1;
    let mut numbers: Vec<u8> = Vec::with_capacity(usize::from(game.picks));
    while numbers.len() < usize::from(game.picks) {
        let offset = uniform_below(source, size)?;
        let number = game.lowest + u8::try_from(offset).unwrap_or(0);
        if game.repeats || !numbers.contains(&number) {
            numbers.push(number);
        }
    }
    if !game.ordered {
        numbers.sort_unstable();
    }
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::game::tests::{lotto649, pick3};

    /// Pearson's statistic of `counts` against equal expectations.
    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum()
    }

    /// A source that hands out one byte at a time as a word, as a careless implementation
    /// scaling a byte by modulo would: the control the test must catch.
    struct ByteModulo(SystemRandom);

    impl RandomSource for ByteModulo {
        fn next_u32(&mut self) -> Result<u32, RandomError> {
            Ok(self.0.next_u32()? & 0xff)
        }
    }

    fn counts_of(game: &Game, plays: usize, source: &mut impl RandomSource) -> Vec<u64> {
        let mut counts = vec![0u64; usize::from(game.highest - game.lowest) + 1];
        for _ in 0..plays {
            for number in quick_pick(game, source).unwrap() {
                counts[usize::from(number - game.lowest)] += 1;
            }
        }
        counts
    }

    #[test]
    fn quick_picks_are_unbiased_over_a_million_plays() {
        // Critical values of chi-square at p = 0.001: 48 degrees of freedom 84.04, 9 27.88.
        let game = lotto649();
        let counts = counts_of(&game, 1_000_000, &mut SystemRandom::default());
        let statistic = chi_square(&counts);
        println!(
            "6 of 49, 1,000,000 quick picks: chi-square {statistic:.2} (48 df, critical 84.04 at p = 0.001); counts from {} to {}",
            counts.iter().min().unwrap(),
            counts.iter().max().unwrap()
        );
        assert!(statistic < 84.04, "biased: {statistic}");
        let digits = pick3();
        let counts = counts_of(&digits, 1_000_000, &mut SystemRandom::default());
        let statistic = chi_square(&counts);
        println!("pick 3, 1,000,000 quick picks: chi-square {statistic:.2} (9 df, critical 27.88)");
        assert!(statistic < 27.88, "biased: {statistic}");
        // A modulo over a byte favours 1 to 11 (256 = 5 * 49 + 11): the same test sees it.
        let counts = counts_of(&game, 100_000, &mut ByteModulo(SystemRandom::default()));
        let control = chi_square(&counts);
        println!("control, a byte taken modulo 49: chi-square {control:.2}");
        assert!(control > 84.04);
    }

    #[test]
    fn picks_follow_the_game() {
        let mut source = SystemRandom::default();
        for _ in 0..1000 {
            let play = quick_pick(&lotto649(), &mut source).unwrap();
            assert_eq!(play.len(), 6);
            assert!(play.windows(2).all(|w| w[0] < w[1]), "{play:?}");
            assert!(play.iter().all(|n| (1..=49).contains(n)));
            let play = quick_pick(&pick3(), &mut source).unwrap();
            assert!(play.len() == 3 && play.iter().all(|&n| n <= 9));
        }
    }

    #[test]
    fn uniform_below_rejects_the_uneven_tail() {
        /// Hands out the given words in turn.
        struct Words(Vec<u32>);
        impl RandomSource for Words {
            fn next_u32(&mut self) -> Result<u32, RandomError> {
                Ok(self.0.remove(0))
            }
        }
        // For 10, words from 4,294,967,290 up fall in the uneven tail and are drawn again.
        let mut words = Words(vec![u32::MAX, 4_294_967_290, 4_294_967_289]);
        assert_eq!(uniform_below(&mut words, 10).unwrap(), 9);
        assert!(words.0.is_empty());
        let mut words = Words(vec![u32::MAX]);
        assert_eq!(uniform_below(&mut words, 1).unwrap(), 0);
    }
}

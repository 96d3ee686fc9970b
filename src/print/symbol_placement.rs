//! Where each codeword bit sits in a Data Matrix symbol, learned once per symbol size.
//!
//! ECC200 places codeword bits by a fixed pattern for each symbol size, but the `datamatrix`
//! crate recomputes that pattern for every symbol it draws, which costs more than a third of
//! an indicium's printing budget. The pattern is learned here from the crate's own placement
//! (so it cannot disagree with it): draw the symbol once with every codeword zero (the finder
//! and alignment patterns, any fixed padding), then with bit `b` set in every codeword (which
//! modules carry bit `b`), then with bit `b` set only in codewords whose index has bit `k`
//! set (which codeword each of those modules carries). That is 1 + 8 × (1 + index bits)
//! drawings once per size; after that drawing a symbol is one table walk.

use std::sync::{Arc, Mutex, PoisonError};

use datamatrix::SymbolSize;
use datamatrix::placement::MatrixMap;

/// The modules of one symbol size: the fixed part and the source of every data module.
pub struct Placement {
    pub width_modules: usize,
    base: Vec<bool>,
    /// For each module, the codeword index and bit it shows, or `None` for fixed modules.
    sources: Vec<Option<(u16, u8)>>,
}

impl Placement {
    /// The dark modules of a symbol of this size showing `codewords`, row by row.
    pub fn draw(&self, codewords: &[u8]) -> Vec<bool> {
        self.base
            .iter()
            .zip(&self.sources)
            .map(|(&fixed, source)| match source {
                Some((index, bit)) => {
                    let value = codewords.get(usize::from(*index)).copied().unwrap_or(0);
                    fixed ^ ((value >> bit) & 1 == 1)
                }
                None => fixed,
            })
            .collect()
    }
}

fn drawn(codewords: &[u8], size: SymbolSize) -> (usize, Vec<bool>) {
    let bitmap = MatrixMap::new_with_codewords(codewords, size).bitmap();
    (bitmap.width(), bitmap.bits().to_vec())
}

fn learn(size: SymbolSize, codeword_count: usize) -> Placement {
    let (width_modules, base) = drawn(&vec![0; codeword_count], size);
    let mut sources = vec![None; base.len()];
    let index_bits = usize::BITS - codeword_count.saturating_sub(1).leading_zeros();
    for bit in 0..8u8 {
        let (_, every) = drawn(&vec![1 << bit; codeword_count], size);
        let carriers: Vec<usize> = (0..base.len()).filter(|&m| every[m] != base[m]).collect();
        let mut index = vec![0u16; base.len()];
        for k in 0..index_bits {
            let probe: Vec<u8> = (0..codeword_count)
                .map(|i| if (i >> k) & 1 == 1 { 1 << bit } else { 0 })
                .collect();
            let (_, probed) = drawn(&probe, size);
            for &m in &carriers {
                if probed[m] != base[m] {
                    index[m] |= 1 << k;
                }
            }
        }
        for &m in &carriers {
            sources[m] = Some((index[m], bit));
        }
    }
    Placement {
        width_modules,
        base,
        sources,
    }
}

/// The placement for `size` (whose symbols hold `codeword_count` codewords), learned on
/// first use and shared afterwards.
pub fn placement(size: SymbolSize, codeword_count: usize) -> Arc<Placement> {
    // A handful of sizes at most (SymbolSize has no Hash): a short list is enough.
    static CACHE: Mutex<Vec<(SymbolSize, usize, Arc<Placement>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, _, known)) = cache
        .iter()
        .find(|(s, n, _)| *s == size && *n == codeword_count)
    {
        return known.clone();
    }
    let learned = Arc::new(learn(size, codeword_count));
    cache.push((size, codeword_count, learned.clone()));
    learned
}

#[cfg(test)]
mod tests {
    use super::*;
    use datamatrix::{DataMatrix, SymbolList};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn the_learned_placement_draws_exactly_what_the_crate_draws(payload in proptest::collection::vec(any::<u8>(), 1..=112)) {
            let symbol = DataMatrix::encode(&payload, SymbolList::default().enforce_square()).expect("fits");
            let expected = symbol.bitmap();
            let learned = placement(symbol.size, symbol.codewords().len());
            prop_assert_eq!(learned.width_modules, expected.width());
            prop_assert_eq!(learned.draw(symbol.codewords()), expected.bits().to_vec());
        }
    }
}

//! The validation number's check digit: Damm's algorithm, a quasigroup of order 10 whose
//! table is weakly totally anti-symmetric, so one digit catches every single-digit error and
//! every transposition of two adjacent digits, wherever they are and however long the number
//! (no weights, no second digit). A clerk who mistypes a ticket's number is told so at once,
//! before the data centre is asked.

/// Damm's quasigroup (H. M. Damm, 2004): `TABLE[interim][digit]`.
const TABLE: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The interim digit after `digits` (each 0..=9): the check digit of a payload, and 0 for a
/// payload followed by its check digit.
fn interim(digits: &[u8]) -> u8 {
    digits.iter().fold(0, |interim, &digit| {
        TABLE[usize::from(interim)][usize::from(digit % 10)]
    })
}

/// The check digit to append to `payload` (digits 0..=9).
pub fn check_digit(payload: &[u8]) -> u8 {
    interim(payload)
}

/// Whether `digits` (a payload with its check digit last) is consistent.
pub fn is_valid(digits: &[u8]) -> bool {
    !digits.is_empty() && interim(digits) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digits of `value`, `len` of them, most significant first.
    fn digits_of(mut value: u32, len: usize) -> Vec<u8> {
        let mut digits = vec![0; len];
        for slot in digits.iter_mut().rev() {
            *slot = (value % 10) as u8;
            value /= 10;
        }
        digits
    }

    /// Every single-digit error and adjacent transposition of every payload of `len`
    /// digits with its check digit, judged by `valid`: (errors made, errors missed).
    fn measure(len: usize, check: fn(&[u8]) -> u8, valid: fn(&[u8]) -> bool) -> (u64, u64) {
        let (mut made, mut missed) = (0u64, 0u64);
        for value in 0..10u32.pow(len as u32) {
            let mut number = digits_of(value, len);
            number.push(check(&number));
            assert!(valid(&number), "{number:?} must pass as written");
            for at in 0..number.len() {
                for wrong in (0..10).filter(|&d| d != number[at]) {
                    let mut typed = number.clone();
                    typed[at] = wrong;
                    made += 1;
                    missed += u64::from(valid(&typed));
                }
                if at + 1 < number.len() && number[at] != number[at + 1] {
                    let mut typed = number.clone();
                    typed.swap(at, at + 1);
                    made += 1;
                    missed += u64::from(valid(&typed));
                }
            }
        }
        (made, missed)
    }

    #[test]
    fn every_single_digit_error_and_adjacent_transposition_is_caught() {
        // Every 5-digit payload: 100,000 numbers, each error of each position. Damm's
        // property does not depend on the length or the position, so this is all of them.
        let (made, missed) = measure(5, check_digit, is_valid);
        println!("Damm: {made} single-digit errors and adjacent transpositions, {missed} missed");
        assert_eq!(missed, 0);
        assert!(made > 5_000_000, "the measurement covered {made}");
        // The control: a plain digit sum misses every transposition, so the measurement
        // can tell a check digit that does not do the job.
        let sum = |digits: &[u8]| {
            (10 - digits.iter().map(|&d| u32::from(d)).sum::<u32>() % 10) as u8 % 10
        };
        let sum_valid = |digits: &[u8]| digits.iter().map(|&d| u32::from(d)).sum::<u32>() % 10 == 0;
        let (_, control_missed) = measure(5, sum, sum_valid);
        println!("digit sum: {control_missed} missed");
        assert!(control_missed > 100_000);
    }

    #[test]
    fn the_published_example_checks() {
        // Damm's worked example: 572 has check digit 4.
        assert_eq!(check_digit(&[5, 7, 2]), 4);
        assert!(is_valid(&[5, 7, 2, 4]));
        assert!(!is_valid(&[5, 2, 7, 4]));
        assert!(!is_valid(&[]));
    }
}

//! Code 128 as `GS k 73 n d1...dn` carries it: the data names its code sets itself
//! (`{A`, `{B`, `{C`, then `{S` shift, `{1`-`{4` FNC1-4, `{{` a literal brace), and in
//! code set C each byte is a value 0-99 standing for two digits.
//!
//! The printer adds the start character, the modulo-103 check character and the stop.

use super::dots::Dots;

/// A Code 128 symbol ready to draw: symbol values from start to stop, and the human-readable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Code128 {
    pub(crate) values: Vec<u8>,
    pub(crate) human_readable: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeSet {
    A,
    B,
    C,
}

const START_A: u8 = 103;
const STOP: u8 = 106;

/// Parses the `GS k 73` data into symbol values; the error says what is wrong with it.
pub(crate) fn encode_code128(data: &[u8]) -> Result<Code128, String> {
    let (first, rest) = match data {
        [b'{', selector, rest @ ..] => (code_set_of(*selector), rest),
        _ => (None, data),
    };
    let Some(mut code_set) = first else {
        return Err("Code 128 data must start with {A, {B or {C".to_owned());
    };
    let mut values = vec![START_A + code_set as u8];
    let mut human_readable = String::new();
    let mut bytes = rest.iter().copied();
    while let Some(byte) = bytes.next() {
        if byte == b'{' {
            let Some(control) = bytes.next() else {
                return Err("Code 128 data ends after '{'".to_owned());
            };
            if control == b'{' {
                values.push(data_value(code_set, b'{', &mut human_readable)?);
                continue;
            }
            let (value, next_set) = control_value(code_set, control)?;
            values.push(value);
            code_set = next_set.unwrap_or(code_set);
            if control == b'S' {
                let shifted = if code_set == CodeSet::A {
                    CodeSet::B
                } else {
                    CodeSet::A
                };
                let Some(byte) = bytes.next() else {
                    return Err("Code 128 data ends after a shift".to_owned());
                };
                values.push(data_value(shifted, byte, &mut human_readable)?);
            }
        } else {
            values.push(data_value(code_set, byte, &mut human_readable)?);
        }
    }
    let checksum = values
        .iter()
        .enumerate()
        .map(|(position, value)| position.max(1) * usize::from(*value))
        .sum::<usize>()
        % 103;
    values.push(checksum as u8);
    values.push(STOP);
    Ok(Code128 {
        values,
        human_readable,
    })
}

fn code_set_of(selector: u8) -> Option<CodeSet> {
    match selector {
        b'A' => Some(CodeSet::A),
        b'B' => Some(CodeSet::B),
        b'C' => Some(CodeSet::C),
        _ => None,
    }
}

/// The value of a `{x` control sequence, and the code set it switches to.
fn control_value(code_set: CodeSet, control: u8) -> Result<(u8, Option<CodeSet>), String> {
    let value = match (control, code_set) {
        (b'1', _) => 102,
        (b'2', CodeSet::A | CodeSet::B) => 97,
        (b'3', CodeSet::A | CodeSet::B) => 96,
        (b'4', CodeSet::A) => 101,
        (b'4', CodeSet::B) => 100,
        (b'S', CodeSet::A | CodeSet::B) => 98,
        (b'A', CodeSet::B | CodeSet::C) => 101,
        (b'B', CodeSet::A | CodeSet::C) => 100,
        (b'C', CodeSet::A | CodeSet::B) => 99,
        _ => {
            return Err(format!(
                "'{{{}' is not valid in Code 128 code set {code_set:?}",
                char::from(control).escape_default()
            ));
        }
    };
    Ok((value, code_set_of(control).filter(|_| control != b'S')))
}

/// The symbol value of one data byte, appending its human-readable form.
fn data_value(code_set: CodeSet, byte: u8, human_readable: &mut String) -> Result<u8, String> {
    let value = match (code_set, byte) {
        (CodeSet::A, 0x20..=0x5F) | (CodeSet::B, 0x20..=0x7F) => byte - 0x20,
        (CodeSet::A, 0x00..=0x1F) => byte + 64,
        (CodeSet::C, 0..=99) => {
            human_readable.push_str(&format!("{byte:02}"));
            return Ok(byte);
        }
        _ => {
            return Err(format!(
                "byte 0x{byte:02X} is not valid in Code 128 code set {code_set:?}"
            ));
        }
    };
    let printable = if byte.is_ascii_graphic() || byte == b' ' {
        char::from(byte)
    } else {
        ' '
    };
    human_readable.push(printable);
    Ok(value)
}

/// The bars of a symbol: every module `module_dots` wide, `height_dots` tall.
pub(crate) fn draw_bars(symbol: &Code128, module_dots: usize, height_dots: usize) -> Dots {
    let widths: Vec<usize> = symbol
        .values
        .iter()
        .flat_map(|value| digits(PATTERNS[usize::from(*value)]))
        .collect();
    let total_modules: usize = widths.iter().sum();
    let mut bars = Dots::blank(total_modules * module_dots, height_dots);
    let mut x = 0;
    for (index, width) in widths.iter().enumerate() {
        if index.is_multiple_of(2) {
            bars.fill(x * module_dots, 0, width * module_dots, height_dots);
        }
        x += width;
    }
    bars
}

fn digits(pattern: u32) -> Vec<usize> {
    pattern
        .to_string()
        .bytes()
        .map(|digit| usize::from(digit - b'0'))
        .collect()
}

/// Bar and space widths of symbol values 0-106 (106 = stop, with its final bar), per ISO/IEC 15417.
const PATTERNS: [u32; 107] = [
    212222, 222122, 222221, 121223, 121322, 131222, 122213, 122312, 132212, 221213, 221312, 231212,
    112232, 122132, 122231, 113222, 123122, 123221, 223211, 221132, 221231, 213212, 223112, 312131,
    311222, 321122, 321221, 312212, 322112, 322211, 212123, 212321, 232121, 111323, 131123, 131321,
    112313, 132113, 132311, 211313, 231113, 231311, 112133, 112331, 132131, 113123, 113321, 133121,
    313121, 211331, 231131, 213113, 213311, 213131, 311123, 311321, 331121, 312113, 312311, 332111,
    314111, 221411, 431111, 111224, 111422, 121124, 121421, 141122, 141221, 112214, 112412, 122114,
    122411, 142112, 142211, 241211, 221114, 413111, 241112, 134111, 111242, 121142, 121241, 114212,
    124112, 124211, 411212, 421112, 421211, 212141, 214121, 412121, 111143, 111341, 131141, 114113,
    114311, 411113, 411311, 113141, 114131, 311141, 411131, 211412, 211214, 211232, 2331112,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_set_b_text_gets_start_check_and_stop_values() {
        // 104 + 1*48 + 2*42 + 3*42 + 4*17 + 5*18 + 6*19 + 7*35 = 879, and 879 mod 103 = 55.
        let symbol = encode_code128(b"{BPJJ123C").expect("valid data");
        assert_eq!(symbol.values.first(), Some(&104));
        assert_eq!(symbol.values[symbol.values.len() - 2], 55);
        assert_eq!(symbol.human_readable, "PJJ123C");
    }

    #[test]
    fn code_set_c_bytes_read_as_digit_pairs() {
        let symbol = encode_code128(&[b'{', b'C', 12, 34, 5]).expect("valid data");
        assert_eq!(symbol.human_readable, "123405");
        assert_eq!(&symbol.values[..4], &[105, 12, 34, 5]);
    }

    #[test]
    fn data_without_a_code_set_is_refused() {
        assert!(encode_code128(b"ABC").is_err());
        assert!(encode_code128(&[b'{', b'C', 100]).is_err());
    }
}

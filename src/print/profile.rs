//! Printer profiles: what the encoder must know about a printer model, read from
//! `printers/*.toml`.
//!
//! Profiles are data so that supporting a new model is a file, not code. A kiosk must refuse
//! to start with a clear message rather than print with a wrong guess, so unknown fields are
//! errors and every value is checked; each message names the file and the reason. The shipped
//! profiles are embedded with `include_str!`, so the binary works without its data folder.

use std::path::Path;

use serde::Deserialize;

use super::CodePage;
use super::symbol::MAX_DOTS_PER_MODULE;

/// The shipped profiles, by name, as `(name, TOML text)`.
const EMBEDDED: [(&str, &str); 6] = [
    (
        "receipt-80mm",
        include_str!("../../printers/receipt-80mm.toml"),
    ),
    (
        "receipt-58mm",
        include_str!("../../printers/receipt-58mm.toml"),
    ),
    ("label-4x6", include_str!("../../printers/label-4x6.toml")),
    (
        "receipt-80mm-native-dm",
        include_str!("../../printers/receipt-80mm-native-dm.toml"),
    ),
    (
        "epson-tm-t88vi",
        include_str!("../../printers/epson-tm-t88vi.toml"),
    ),
    (
        "epson-tm-m30iii",
        include_str!("../../printers/epson-tm-m30iii.toml"),
    ),
];

/// Modules across the widest symbol a profile must fit (a 40x40 indicium plus a quiet zone
/// of 2 modules on each side).
const INDICIUM_SIDE_MODULES: u32 = 44;

/// A printer model as the encoder sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrinterProfile {
    /// Short name used in configuration, e.g. `receipt-80mm`.
    pub name: String,
    /// Human-readable model, e.g. `Epson TM-T88V`.
    pub model: String,
    /// Printable width of one line in dots; a multiple of 8 (raster rows are whole bytes).
    pub dots_per_line: u32,
    pub dpi: u32,
    pub code_page: CodePage,
    /// Whether the printer draws Data Matrix itself (`GS ( k`, cn 54); if not, the symbol is
    /// sent as a raster image.
    pub native_datamatrix: bool,
    /// Whether the printer draws QR codes itself (`GS ( k`, cn 49); if not, a ticket's QR
    /// code is sent as a raster image.
    pub native_qr: bool,
    /// Width of one font A character cell in dots (12 on nearly all ESC/POS printers).
    pub font_a_width_dots: u32,
    /// Dots per Data Matrix module: a whole number, so every module prints the same size.
    pub matrix_dots_per_module: u32,
    /// Whether the printer has a cutter (`GS V`); without one the paper is torn off.
    pub cuts: bool,
    /// Whether a cash drawer can be connected (`ESC p`).
    pub has_drawer: bool,
}

/// What kind of failure loading a profile is, so a caller can choose what to tell the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileErrorKind {
    /// The file could not be read.
    Unreadable,
    /// The file is not valid TOML or has unknown or missing fields.
    Syntax,
    /// A value is out of range or inconsistent.
    Invalid,
    /// No shipped profile has that name.
    UnknownName,
}

/// A profile that cannot be used: `<file>: <reason>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct ProfileError {
    pub origin: String,
    pub reason: String,
    kind: ProfileErrorKind,
}

impl ProfileError {
    pub fn kind(&self) -> ProfileErrorKind {
        self.kind
    }
}

/// The file's fields, exactly; checked by [`PrinterProfile::from_toml`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    model: String,
    dots_per_line: u32,
    dpi: u32,
    code_page: String,
    native_datamatrix: bool,
    #[serde(default)]
    native_qr: bool,
    #[serde(default = "default_font_a_width_dots")]
    font_a_width_dots: u32,
    matrix_dots_per_module: u32,
    cuts: bool,
    has_drawer: bool,
}

fn default_font_a_width_dots() -> u32 {
    12
}

impl PrinterProfile {
    /// A shipped profile by name.
    pub fn embedded(name: &str) -> Result<PrinterProfile, ProfileError> {
        match EMBEDDED.iter().find(|(shipped, _)| *shipped == name) {
            Some((_, text)) => PrinterProfile::from_toml(text, &format!("printers/{name}.toml")),
            None => Err(ProfileError {
                origin: format!("printers/{name}.toml"),
                reason: format!(
                    "no shipped printer profile is named {name:?}: expected one of {}",
                    PrinterProfile::embedded_names().join(", ")
                ),
                kind: ProfileErrorKind::UnknownName,
            }),
        }
    }

    /// The names of the shipped profiles.
    pub fn embedded_names() -> Vec<&'static str> {
        EMBEDDED.iter().map(|(name, _)| *name).collect()
    }

    /// Every shipped profile, checked.
    pub fn all_embedded() -> Result<Vec<PrinterProfile>, ProfileError> {
        EMBEDDED
            .iter()
            .map(|(name, _)| PrinterProfile::embedded(name))
            .collect()
    }

    /// A profile from a file; errors name the file as given.
    pub fn load_file(path: &Path) -> Result<PrinterProfile, ProfileError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ProfileError {
            origin: origin.clone(),
            reason: format!("cannot be read: {error}"),
            kind: ProfileErrorKind::Unreadable,
        })?;
        PrinterProfile::from_toml(&text, &origin)
    }

    /// A profile from TOML text; `origin` names the text in error messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<PrinterProfile, ProfileError> {
        let file: ProfileFile = toml::from_str(text).map_err(|error| {
            // A span over the whole text (a missing field) points at no line in particular.
            let line = error
                .span()
                .filter(|span| span.start > 0)
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            ProfileError {
                origin: origin.to_string(),
                reason: match line {
                    Some(line) => format!("line {line}: {}", error.message().trim_end()),
                    None => error.message().trim_end().to_string(),
                },
                kind: ProfileErrorKind::Syntax,
            }
        })?;
        check(file).map_err(|reason| ProfileError {
            origin: origin.to_string(),
            reason,
            kind: ProfileErrorKind::Invalid,
        })
    }

    /// Font A characters on one line at normal size: the receipt's column count.
    pub fn chars_per_line(&self) -> usize {
        (self.dots_per_line / self.font_a_width_dots.max(1)) as usize
    }
}

fn check(file: ProfileFile) -> Result<PrinterProfile, String> {
    let name_ok = !file.name.is_empty()
        && file
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return Err(format!(
            "name {:?} is not accepted: expected lower-case letters, digits and '-'",
            file.name
        ));
    }
    if file.model.trim().is_empty() {
        return Err("model is empty: expected the printer's make and model".to_string());
    }
    if file.dots_per_line == 0 || !file.dots_per_line.is_multiple_of(8) || file.dots_per_line > 4096
    {
        return Err(format!(
            "dots_per_line {} is not a positive multiple of 8 (at most 4096)",
            file.dots_per_line
        ));
    }
    if !(100..=600).contains(&file.dpi) {
        return Err(format!(
            "dpi {} is outside the accepted range 100 to 600",
            file.dpi
        ));
    }
    let code_page = CodePage::from_name(&file.code_page).ok_or_else(|| {
        let known: Vec<&str> = CodePage::ALL.iter().map(|page| page.name()).collect();
        format!(
            "code_page {:?} is not known: expected one of {}",
            file.code_page,
            known.join(", ")
        )
    })?;
    if !(8..=24).contains(&file.font_a_width_dots) {
        return Err(format!(
            "font_a_width_dots {} is outside the accepted range 8 to 24",
            file.font_a_width_dots
        ));
    }
    check_matrix_module(file.matrix_dots_per_module, file.dots_per_line)?;
    Ok(PrinterProfile {
        name: file.name,
        model: file.model,
        dots_per_line: file.dots_per_line,
        dpi: file.dpi,
        code_page,
        native_datamatrix: file.native_datamatrix,
        native_qr: file.native_qr,
        font_a_width_dots: file.font_a_width_dots,
        matrix_dots_per_module: file.matrix_dots_per_module,
        cuts: file.cuts,
        has_drawer: file.has_drawer,
    })
}

fn check_matrix_module(dots_per_module: u32, dots_per_line: u32) -> Result<(), String> {
    if !(1..=MAX_DOTS_PER_MODULE).contains(&dots_per_module) {
        return Err(format!(
            "matrix_dots_per_module {dots_per_module} is outside the accepted range 1 to {MAX_DOTS_PER_MODULE}"
        ));
    }
    let indicium_dots = INDICIUM_SIDE_MODULES * dots_per_module;
    if indicium_dots > dots_per_line {
        return Err(format!(
            "matrix_dots_per_module {dots_per_module} makes the indicium {indicium_dots} dots wide, more than dots_per_line {dots_per_line}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_lists_the_shipped_profiles() {
        let error = PrinterProfile::embedded("laser").expect_err("unknown");
        assert_eq!(error.kind(), ProfileErrorKind::UnknownName);
        assert!(error.to_string().contains("receipt-80mm, receipt-58mm"));
    }

    #[test]
    fn the_shipped_profiles_cover_80mm_58mm_4x6_and_native_data_matrix() {
        let dots = |name| PrinterProfile::embedded(name).map(|p| (p.dpi, p.dots_per_line));
        assert_eq!(dots("receipt-80mm"), Ok((203, 576)));
        assert_eq!(dots("receipt-58mm"), Ok((203, 384)));
        assert_eq!(dots("label-4x6"), Ok((203, 832)));
        let all = PrinterProfile::all_embedded().expect("profiles");
        assert!(all.iter().any(|profile| profile.native_datamatrix));
        assert!(all.iter().any(|profile| !profile.native_datamatrix));
    }

    #[test]
    fn a_profile_without_a_font_width_takes_the_usual_12_dots() {
        let path = Path::new("tests/fixtures/printers/valid/minimal.toml");
        let profile = PrinterProfile::load_file(path).expect("valid fixture");
        assert_eq!(profile.font_a_width_dots, 12);
    }

    #[test]
    fn characters_per_line_follow_the_font_width() {
        let profile = PrinterProfile::embedded("receipt-80mm").expect("profile");
        assert_eq!(profile.chars_per_line(), 48);
    }
}

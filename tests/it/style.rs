//! Themes and keymaps: every shipped file loads, broken files are refused with the file and
//! the reason, and colour that carries meaning stands out. (The key and colour syntax are
//! tested beside their code.)

use std::path::{Path, PathBuf};

use postcounter::kiosk::style::{
    KeyCode, KeyModifiers, KeyPress, Keymap, KeymapMode, StyleFileErrorKind, Theme, UserAction,
};
use ratatui::style::{Color, Modifier, Style};

fn shipped_theme_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("themes")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

fn theme_error(fixture: &str) -> String {
    let path = Path::new("tests/fixtures/themes/invalid").join(fixture);
    let error = Theme::load_file(&path).unwrap_err();
    assert_eq!(error.kind(), StyleFileErrorKind::Invalid);
    error.to_string()
}

fn keymap_error(fixture: &str) -> String {
    let path = Path::new("tests/fixtures/keymaps/invalid").join(fixture);
    let error = Keymap::load_file(&path).unwrap_err();
    assert_eq!(error.kind(), StyleFileErrorKind::Invalid);
    error.to_string()
}

fn key(text: &str) -> KeyPress {
    text.parse().unwrap()
}

// ---- themes ----

#[test]
fn every_shipped_theme_file_loads_and_is_built_in_under_its_file_name() {
    let files = shipped_theme_files();
    let names: Vec<String> = files
        .iter()
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut embedded = Theme::embedded_names().map(str::to_owned).to_vec();
    embedded.sort();
    assert_eq!(names, embedded);
    for (path, name) in files.iter().zip(&names) {
        let from_file = Theme::load_file(path).unwrap();
        assert_eq!(Theme::embedded(name).unwrap(), from_file, "{name}");
    }
    assert_eq!(
        Theme::embedded_default().unwrap(),
        Theme::embedded("default-dark").unwrap()
    );
}

#[test]
fn an_unknown_built_in_theme_is_refused_with_the_names_that_exist() {
    let error = Theme::embedded("solarized").unwrap_err();
    assert_eq!(error.kind(), StyleFileErrorKind::UnknownName);
    assert_eq!(
        error.to_string(),
        "there is no built-in theme \"solarized\": expected one of default-dark, light, high-contrast"
    );
}

#[test]
fn a_theme_file_that_does_not_exist_is_unreadable_and_named() {
    let error = Theme::load_file(Path::new("themes/nowhere.toml")).unwrap_err();
    assert_eq!(error.kind(), StyleFileErrorKind::Unreadable);
    assert!(
        error
            .to_string()
            .starts_with("themes/nowhere.toml: cannot read: ")
    );
}

#[test]
fn a_theme_with_a_word_that_is_not_a_colour_is_refused() {
    assert_eq!(
        theme_error("bad_colour.toml"),
        "tests/fixtures/themes/invalid/bad_colour.toml: status.stable: \"chartreuse-ish\" is not \
         a colour: expected a name like \"green\" or \"#12ab34\""
    );
}

#[test]
fn a_misspelt_slot_is_reported_as_unknown_with_the_slots_that_exist() {
    assert_eq!(
        theme_error("misspelt_slot.toml"),
        "tests/fixtures/themes/invalid/misspelt_slot.toml: status.stabel: unknown key: expected \
         one of stable, moving, over_capacity, error"
    );
}

#[test]
fn a_misspelt_group_is_reported_as_unknown_with_the_groups_that_exist() {
    assert_eq!(
        theme_error("misspelt_group.toml"),
        "tests/fixtures/themes/invalid/misspelt_group.toml: lable_preview: unknown key: expected \
         one of base, header, hint_bar, list, status, money, banner, input, label_preview"
    );
}

#[test]
fn a_theme_missing_a_slot_or_a_group_is_refused_rather_than_filled_in() {
    assert_eq!(
        theme_error("missing_slot.toml"),
        "tests/fixtures/themes/invalid/missing_slot.toml: money.amount_due: missing: every field \
         must be given"
    );
    assert_eq!(
        theme_error("missing_group.toml"),
        "tests/fixtures/themes/invalid/missing_group.toml: base.text: missing: every field must \
         be given"
    );
}

#[test]
fn a_slot_with_an_unknown_field_a_bad_modifier_or_a_number_is_refused() {
    assert_eq!(
        theme_error("unknown_slot_field.toml"),
        "tests/fixtures/themes/invalid/unknown_slot_field.toml: base.muted.colour: unknown key: \
         expected one of fg, bg, modifiers"
    );
    assert_eq!(
        theme_error("bad_modifier.toml"),
        "tests/fixtures/themes/invalid/bad_modifier.toml: banner.offline.modifiers: \"blinking\" \
         is not a modifier: expected one of bold, dim, italic, underlined, reversed, crossed-out"
    );
    assert_eq!(
        theme_error("number_as_slot.toml"),
        "tests/fixtures/themes/invalid/number_as_slot.toml: money.total: expected a colour or a \
         table like { fg = \"white\", bg = \"blue\" }, found an integer"
    );
}

#[test]
fn a_theme_that_is_not_toml_is_refused_with_the_line_of_the_mistake() {
    let message = theme_error("not_toml.toml");
    assert!(
        message.starts_with(
            "tests/fixtures/themes/invalid/not_toml.toml: line 16, column 15: not valid TOML: "
        ),
        "{message}"
    );
}

#[test]
fn a_slot_written_as_a_bare_colour_sets_only_the_text_colour() {
    let theme = Theme::load_file(Path::new("tests/fixtures/themes/valid/shorthand.toml")).unwrap();
    assert_eq!(theme.status.stable, Style::new().fg(Color::Green));
    assert_eq!(
        theme.money.amount_due,
        Style::new().fg(Color::Rgb(0xff, 0xaa, 0x00))
    );
    assert_eq!(theme.base.text, Style::new().fg(Color::Reset));
    assert_eq!(
        theme.header.title,
        Style::new()
            .fg(Color::White)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    );
}

#[test]
fn in_every_theme_the_amount_due_and_the_offline_banner_stand_out_from_plain_text() {
    for name in Theme::embedded_names() {
        let theme = Theme::embedded(name).unwrap();
        let text = theme.base.text;
        let due = theme.money.amount_due;
        assert!(
            due.fg != text.fg || due.bg != text.bg,
            "{name}: amount due has the colours of plain text"
        );
        assert!(due.add_modifier.contains(Modifier::BOLD), "{name}");
        let offline = theme.banner.offline;
        assert!(
            offline.bg.is_some() && offline.bg != theme.base.background.bg,
            "{name}: the offline banner does not stand out from the background"
        );
    }
}

#[test]
fn in_every_theme_no_slot_writes_text_in_its_own_background_colour() {
    for name in Theme::embedded_names() {
        let theme = Theme::embedded(name).unwrap();
        for (slot, style) in theme.slots() {
            if let (Some(fg), Some(bg)) = (style.fg, style.bg) {
                assert_ne!(fg, bg, "{name}: {slot}");
            }
        }
    }
}

#[test]
fn the_high_contrast_theme_uses_black_white_and_yellow_and_marks_warnings_beyond_colour() {
    let theme = Theme::embedded("high-contrast").unwrap();
    let allowed = [Color::Black, Color::White, Color::Yellow];
    for (slot, style) in theme.slots() {
        for colour in [style.fg, style.bg].into_iter().flatten() {
            assert!(allowed.contains(&colour), "{slot} uses {colour:?}");
        }
    }
    let plain_text = theme.base.text;
    let beyond_colour = Modifier::REVERSED | Modifier::UNDERLINED;
    for (slot, style) in [
        ("status.moving", theme.status.moving),
        ("status.over_capacity", theme.status.over_capacity),
        ("status.error", theme.status.error),
        ("input.invalid", theme.input.invalid),
        ("banner.error", theme.banner.error),
    ] {
        assert!(style.add_modifier.intersects(beyond_colour), "{slot}");
    }
    // Due and offline are drawn as blocks (dark on light) where plain text is light on dark.
    for style in [theme.money.amount_due, theme.banner.offline] {
        assert_eq!(style.fg, plain_text.bg);
    }
}

// ---- keymaps ----

#[test]
fn the_built_in_keymap_binds_confirm_and_back_in_every_mode() {
    let keymap = Keymap::embedded_default().unwrap();
    for mode in KeymapMode::ALL {
        let keys = keymap.mode(mode);
        assert_eq!(keys.action_for(key("enter")), Some(UserAction::Confirm));
        assert_eq!(keys.action_for(key("esc")), Some(UserAction::Back));
    }
}

#[test]
fn at_the_kiosk_quit_is_one_control_chord_that_only_the_unlocked_supervisor_screen_obeys() {
    // The flow refuses it otherwise (tests/kiosk_checkout.rs); here: no plain key quits.
    let keymap = Keymap::embedded_default().unwrap();
    let keys: Vec<_> = keymap
        .mode(KeymapMode::Kiosk)
        .keys_for(UserAction::Quit)
        .collect();
    assert_eq!(keys, vec![key("ctrl-q")]);
}

#[test]
fn the_built_in_counter_keys_never_collide_with_typing() {
    let keymap = Keymap::embedded_default().unwrap();
    let counter = keymap.mode(KeymapMode::Counter);
    for action in UserAction::ALL {
        for bound in counter.keys_for(action) {
            let typed = bound.as_text();
            assert!(
                typed.is_none() || typed == Some(' '),
                "{action:?} is on {bound}"
            );
        }
    }
}

#[test]
fn a_shifted_character_matches_its_binding_whether_or_not_the_terminal_reports_shift() {
    let keymap = Keymap::embedded_default().unwrap();
    let shift = KeyModifiers {
        shift: true,
        ..KeyModifiers::default()
    };
    let kiosk = keymap.mode(KeymapMode::Kiosk);
    assert_eq!(
        kiosk.action_for(KeyPress::new(KeyCode::Char('?'), shift)),
        Some(UserAction::Help)
    );
    assert_eq!(
        kiosk.action_for(KeyPress::plain(KeyCode::Char('?'))),
        Some(UserAction::Help)
    );
    // Shift on a named key is not folded away: shift-tab is not tab.
    assert_eq!(
        kiosk.action_for(KeyPress::new(KeyCode::Tab, shift)),
        Some(UserAction::PreviousField)
    );
}

#[test]
fn the_hint_bar_shows_the_first_key_of_each_action_and_leaves_out_actions_without_a_key() {
    let keymap = Keymap::embedded_default().unwrap();
    let screen = [
        UserAction::Confirm,
        UserAction::Back,
        UserAction::PayCard,
        UserAction::Quit,
    ];
    assert_eq!(
        keymap.mode(KeymapMode::Counter).hints(&screen),
        vec![
            ("Enter".to_owned(), "confirm"),
            ("Esc".to_owned(), "back"),
            ("F11".to_owned(), "card"),
            ("Ctrl+Q".to_owned(), "quit"),
        ]
    );
    assert_eq!(
        keymap.mode(KeymapMode::Kiosk).hints(&screen),
        vec![
            ("Enter".to_owned(), "confirm"),
            ("Esc".to_owned(), "back"),
            ("Ctrl+Q".to_owned(), "quit"),
        ]
    );
    let help = keymap.mode(KeymapMode::Kiosk).hints(&[UserAction::Help]);
    assert_eq!(help, vec![("F1".to_owned(), "help")]);
}

#[test]
fn a_keymap_file_replaces_the_built_in_keys_and_may_bind_several_keys_to_one_action() {
    let keymap =
        Keymap::load_file(Path::new("tests/fixtures/keymaps/valid/vi_counter.toml")).unwrap();
    let counter = keymap.mode(KeymapMode::Counter);
    assert_eq!(counter.action_for(key("ctrl-k")), Some(UserAction::Up));
    assert_eq!(counter.action_for(key("up")), Some(UserAction::Up));
    assert_eq!(
        counter.action_for(key("ctrl-alt-q")),
        Some(UserAction::Quit)
    );
    assert_eq!(counter.action_for(key("f9")), None);
    assert_eq!(
        counter.hints(&[UserAction::Up]),
        vec![("↑".to_owned(), "up")]
    );
}

#[test]
fn a_key_bound_twice_in_one_mode_is_refused_naming_both_actions() {
    assert_eq!(
        keymap_error("key_bound_twice.toml"),
        "tests/fixtures/keymaps/invalid/key_bound_twice.toml: counter.pay_card: \"F9\" is already \
         bound to pay"
    );
}

#[test]
fn an_action_a_keymap_cannot_bind_is_refused_with_the_actions_it_can() {
    assert_eq!(
        keymap_error("unknown_action.toml"),
        "tests/fixtures/keymaps/invalid/unknown_action.toml: kiosk.open_cash_drawer: \
         \"open_cash_drawer\" is not an action a keymap can bind: expected one of confirm, back, \
         up, down, left, right, select, add_to_basket, remove_item, pay, pay_cash, pay_card, \
         pay_account, reprint, void, supervisor, help, quit, next_field, previous_field, \
         zero_scale, next_theme, postpone_update"
    );
}

#[test]
fn a_key_that_cannot_be_read_is_refused_with_the_syntax_that_is_accepted() {
    assert_eq!(
        keymap_error("unparseable_key.toml"),
        "tests/fixtures/keymaps/invalid/unparseable_key.toml: counter.pay: \"f99\" is not a key: \
         expected a character like \"a\" or a name like \"enter\", \"esc\", \"tab\", \"up\", \
         \"page-up\", \"space\" or \"f2\", after any of \"ctrl-\", \"alt-\", \"shift-\""
    );
    assert_eq!(
        keymap_error("number_as_key.toml"),
        "tests/fixtures/keymaps/invalid/number_as_key.toml: counter.help: expected a key like \
         \"f2\" or a list like [\"enter\", \"f12\"], found an integer"
    );
}

#[test]
fn a_keymap_without_a_mode_or_without_confirm_is_refused() {
    assert_eq!(
        keymap_error("missing_mode.toml"),
        "tests/fixtures/keymaps/invalid/missing_mode.toml: kiosk: missing: every field must be \
         given"
    );
    assert_eq!(
        keymap_error("missing_confirm.toml"),
        "tests/fixtures/keymaps/invalid/missing_confirm.toml: kiosk.confirm: missing: every mode \
         must bind confirm and back to at least one key"
    );
    assert_eq!(
        keymap_error("misspelt_mode.toml"),
        "tests/fixtures/keymaps/invalid/misspelt_mode.toml: kisok: unknown key: expected one of \
         counter, kiosk"
    );
}

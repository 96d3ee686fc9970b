//! The payment screen: the amount due, the ways to pay, and the focused method's fields.
//! A card number shows only its last four digits; a PIN shows only dots.

use ratatui::text::{Line, Span};

use super::Look;
use super::checkout::item_lines;
use crate::kiosk::state::{Mode, PaymentMethod, State};
use crate::kiosk::style::Theme;

fn input(label: &str, value: String, focused: bool, theme: &Theme) -> Line<'static> {
    super::text_field(label, 20, &value, focused, theme)
}

pub(super) fn lines(state: &State, look: Look, width: u16) -> Vec<Line<'static>> {
    let theme = look.theme;
    let payment = &state.payment;
    let mut lines = item_lines(state, theme, false, width);
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(format!(" {:<20}", "Amount due"), theme.base.text),
        Span::styled(state.basket_total().to_string(), theme.money.amount_due),
    ]));
    if state.mode == Mode::Kiosk {
        // A customer reads the amount from a step away.
        for row in super::big_text(&state.basket_total().to_string()) {
            lines.push(Line::styled(format!(" {row}"), theme.money.amount_due));
        }
    }
    let mut methods = vec![Span::styled(format!(" {:<20}", "Pay by"), theme.base.text)];
    for &method in state.payment_methods() {
        let style = if method == payment.method {
            theme.list.selected
        } else {
            theme.list.normal
        };
        methods.push(Span::styled(format!(" {} ", method.name()), style));
        methods.push(Span::raw(" "));
    }
    lines.push(Line::from(methods));
    let how = match state.mode {
        Mode::Counter => {
            "{pay_cash} cash · {pay_card} card · {pay_account} account, or {left} {right}"
        }
        Mode::Kiosk => "{left} {right} to choose how to pay",
    };
    lines.push(Line::styled(
        format!("{:22}{}", "", look.keyed(how)),
        theme.base.muted,
    ));
    lines.push(Line::default());
    match payment.method {
        PaymentMethod::Cash => {
            lines.push(input(
                "Cash tendered",
                payment.tendered_text.clone(),
                true,
                theme,
            ));
            let change = state
                .change_due()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into());
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<20}", "Change due"), theme.base.text),
                Span::styled(change, theme.money.change),
            ]));
            lines.push(Line::styled(
                look.keyed(" {confirm} with nothing typed takes the exact amount."),
                theme.base.muted,
            ));
        }
        PaymentMethod::Card => {
            let number = payment.card_masked();
            lines.push(input("Card number", number, payment.field == 0, theme));
            lines.push(input(
                "Expiry (MM/YY)",
                payment.expiry_text.clone(),
                payment.field == 1,
                theme,
            ));
            lines.push(Line::styled(
                look.keyed(
                    " {next_field} moves between the fields. Only the last 4 digits are kept.",
                ),
                theme.base.muted,
            ));
        }
        PaymentMethod::Account => {
            lines.push(input(
                "Account number",
                payment.account_text.clone(),
                payment.field == 0,
                theme,
            ));
            let dots = "•".repeat(payment.pin_text.chars().count());
            lines.push(input("PIN", dots, payment.field == 1, theme));
            lines.push(Line::styled(
                look.keyed(" {next_field} moves between the fields."),
                theme.base.muted,
            ));
        }
    }
    if payment.pending {
        lines.push(Line::styled(
            " Waiting for the payment to be approved …",
            theme.status.moving,
        ));
    }
    lines
}

//! The supervisor screen: a PIN gate, then the PSD's registers, the day's totals, refills,
//! voids of recent indicia, and the theme.
//!
//! It opens only between sales or before a sale is paid (a paid sale must finish printing
//! first). Three wrong PINs close the gate for a minute. Refills carry an id derived from
//! the sale id, so a refill sent twice (a retry after a slow answer) credits once.

use super::{Context, type_into};
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::state::{
    Mode, Notice, PIN_ATTEMPTS, PIN_LOCKOUT_MS, PinGate, State, Step, Supervisor, SupervisorFocus,
};
use crate::kiosk::wording::remote_failure;
use crate::money::Money;

/// Opens the PIN prompt, unless a paid sale is still being issued or printed.
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    if state.payment.accepted && state.step != Step::Done || state.payment.pending {
        state.notice = Some(Notice::Error(
            "the supervisor screen opens once this sale has printed".into(),
        ));
        return Vec::new();
    }
    // A gate closed by wrong PINs stays closed: it is the station's (`state.pin_gate`).
    state.supervisor = Some(Supervisor {
        return_to: Some(state.step),
        ..Supervisor::default()
    });
    state.notice = None;
    state.step = Step::Supervisor;
    Vec::new()
}

/// Leaves the screen for where it was opened from, locked again.
pub(super) fn close(state: &mut State) {
    let Some(supervisor) = state.supervisor.as_mut() else {
        state.step = Step::Weigh;
        return;
    };
    state.step = supervisor.return_to.take().unwrap_or(Step::Weigh);
    supervisor.unlocked = false;
    supervisor.data = None;
    supervisor.pin_text.clear();
    supervisor.refill_text.clear();
    state.notice = None;
}

pub(super) fn update(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    let unlocked = state.supervisor.as_ref().is_some_and(|s| s.unlocked);
    if action == Action::Back {
        close(state);
        return Vec::new();
    }
    if unlocked {
        unlocked_screen(state, action)
    } else {
        pin_prompt(state, context, action)
    }
}

fn pin_prompt(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    let now_ms = state.now_ms;
    let Some(supervisor) = state.supervisor.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Type(c) => type_into(&mut supervisor.pin_text, c, |c| c.is_ascii_digit(), 8),
        Action::Erase => {
            supervisor.pin_text.pop();
        }
        Action::Confirm => {
            let typed = std::mem::take(&mut supervisor.pin_text);
            let gate = &mut state.pin_gate;
            if let Some(until) = gate.locked_until_ms.filter(|until| now_ms < *until) {
                let wait_s = (until - now_ms).div_ceil(1000);
                state.notice = Some(Notice::Error(format!(
                    "too many wrong PINs: try again in {wait_s} s"
                )));
                return Vec::new();
            }
            let Some(pin) = &context.supervisor_pin else {
                state.notice = Some(Notice::Error(
                    "no supervisor PIN is set: run `postcounter pin set` on this station, then restart the counter (it reads the PIN when it starts)".into(),
                ));
                return Vec::new();
            };
            if pin.matches(&typed) {
                supervisor.unlocked = true;
                supervisor.busy = true;
                let had_wrong = *gate != PinGate::default();
                *gate = PinGate::default();
                state.notice = None;
                let mut effects = vec![Effect::LoadSupervisor];
                if had_wrong {
                    effects.push(Effect::KeepPinGate {
                        wrong_pins: 0,
                        locked_for_ms: 0,
                    });
                }
                if pin.is_legacy() {
                    effects.push(Effect::RehashSupervisorPin { pin: typed });
                }
                return effects;
            }
            gate.wrong_pins += 1;
            let left = PIN_ATTEMPTS.saturating_sub(gate.wrong_pins);
            let mut locked_for_ms = 0;
            state.notice = Some(Notice::Error(if left == 0 {
                gate.wrong_pins = 0;
                gate.locked_until_ms = Some(now_ms + PIN_LOCKOUT_MS);
                locked_for_ms = PIN_LOCKOUT_MS;
                format!(
                    "wrong PIN: the supervisor screen is locked for {} s",
                    PIN_LOCKOUT_MS / 1000
                )
            } else {
                format!("wrong PIN: {left} more attempt(s) before a lockout")
            }));
            return vec![Effect::KeepPinGate {
                wrong_pins: gate.wrong_pins,
                locked_for_ms,
            }];
        }
        _ => {}
    }
    Vec::new()
}

fn unlocked_screen(state: &mut State, action: Action) -> Vec<Effect> {
    let refill_id = format!("{}-refill{}", state.sale_id, state.refills_made + 1);
    let Some(supervisor) = state.supervisor.as_mut() else {
        return Vec::new();
    };
    let recent = supervisor.data.as_ref().map_or(0, |d| d.recent.len());
    match action {
        Action::SupervisorLoaded(result) => {
            supervisor.busy = false;
            match result {
                Ok(data) => supervisor.data = Some(*data),
                Err(failure) => {
                    state.notice = Some(Notice::Error(format!(
                        "the PSD could not be read: {}",
                        remote_failure(&failure, Mode::Counter)
                    )))
                }
            }
        }
        Action::NextTheme => state.theme_index = state.theme_index.wrapping_add(1),
        Action::NextField | Action::PreviousField => {
            supervisor.focus = match supervisor.focus {
                SupervisorFocus::Recent => SupervisorFocus::Refill,
                SupervisorFocus::Refill => SupervisorFocus::Recent,
            };
        }
        Action::Up => supervisor.selected_recent = supervisor.selected_recent.saturating_sub(1),
        Action::Down if supervisor.selected_recent + 1 < recent => supervisor.selected_recent += 1,
        Action::Type(c) => {
            supervisor.focus = SupervisorFocus::Refill;
            // Every printable key goes in, so a typo ("-100", "1e9") is refused as typed
            // rather than quietly becoming another amount.
            type_into(&mut supervisor.refill_text, c, |c| !c.is_control(), 16);
        }
        Action::Erase => {
            supervisor.refill_text.pop();
        }
        Action::Confirm if supervisor.focus == SupervisorFocus::Refill && !supervisor.busy => {
            match Money::parse(&supervisor.refill_text) {
                Ok(amount) if amount > Money::ZERO => {
                    supervisor.busy = true;
                    return vec![Effect::Refill { refill_id, amount }];
                }
                _ => {
                    state.notice = Some(Notice::Error(format!(
                        "{:?} is not a refill amount: type dollars and cents above zero, like 200 or 150.50",
                        supervisor.refill_text
                    )))
                }
            }
        }
        Action::VoidIssued if !supervisor.busy => {
            let chosen = supervisor
                .data
                .as_ref()
                .and_then(|d| d.recent.get(supervisor.selected_recent));
            match chosen {
                Some(piece) if piece.voided => {
                    state.notice = Some(Notice::Error(format!(
                        "indicium {} is already voided",
                        piece.serial
                    )))
                }
                Some(piece) => {
                    supervisor.busy = true;
                    return vec![Effect::VoidRecent {
                        device_id: piece.device_id,
                        piece_serial: piece.piece_serial,
                    }];
                }
                None => {
                    state.notice = Some(Notice::Error("no indicium issued today to void".into()))
                }
            }
        }
        // The record decides, as for `updates postpone`: a release put off already may be
        // put off again, within the bound.
        Action::PostponeRelease if !supervisor.busy => {
            supervisor.busy = true;
            return vec![Effect::PostponeRelease];
        }
        Action::ReleasePostponed(result) => {
            supervisor.busy = false;
            state.notice = Some(match result {
                Ok(holds) => {
                    // Put off: no longer announced (the release watch agrees within a second).
                    state.release_due = None;
                    Notice::Info(holds)
                }
                Err(why) => Notice::Error(format!("not postponed: {why}")),
            });
        }
        Action::Refilled(result) => {
            supervisor.busy = true;
            state.notice = Some(match result {
                Ok(control_total) => {
                    supervisor.refill_text.clear();
                    state.refills_made += 1;
                    Notice::Info(format!("refill applied: control total {control_total}"))
                }
                Err(failure) => Notice::Error(format!(
                    "refill not made: {}",
                    remote_failure(&failure, Mode::Counter)
                )),
            });
            return vec![Effect::LoadSupervisor];
        }
        Action::RecentVoided(result) => {
            supervisor.busy = true;
            state.notice = Some(match result {
                Ok(refund) => Notice::Info(format!(
                    "voided: {refund} back to the PSD; refund the customer"
                )),
                Err(failure) => Notice::Error(format!(
                    "not voided: {}",
                    remote_failure(&failure, Mode::Counter)
                )),
            });
            return vec![Effect::LoadSupervisor];
        }
        _ => {}
    }
    Vec::new()
}

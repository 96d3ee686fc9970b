//! One real counter state per screen and situation, for timing the view.
//!
//! Each state is reached the way the app reaches it: actions go through `flow::update`, and
//! every effect it returns is answered with the action the edge would send back (a ZIP
//! found, an indicium issued, a label printed), so a scene is a state the counter can
//! really be in, not a hand-built struct the flow could never produce. Indicia carry real
//! fields and a placeholder signature (the screens draw their Data Matrix, never check it). A script that no longer reaches its
//! screen (the flow changed) is an error naming the scene, not a timing of the wrong screen.

use std::collections::VecDeque;
use std::sync::Arc;

use anyhow::{Context as _, ensure};

use crate::address::ZipCode;
use crate::date::Date;
use crate::indicium::specimen::specimen_bytes;
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::flow::{Context, Timeouts, update};
use crate::kiosk::pin::SupervisorPin;
use crate::kiosk::state::{
    DayTotal, Mode, PaidBy, PaymentMethod, RecentPiece, State, Step, SupervisorData,
};
use crate::money::Money;
use crate::psd::Registers;
use crate::rates::RateBook;
use crate::scale::{Reading, ReadingSource, ReadingStatus};
use crate::weight::Weight;

/// A named state and the terminal sizes it is drawn at.
pub struct Scene {
    /// `screen/situation`, e.g. `service/offers`.
    pub name: &'static str,
    pub state: State,
    pub sizes: &'static [(u16, u16)],
}

/// The counter's smallest size and a kiosk size, as in the snapshot tests.
pub const SIZES: &[(u16, u16)] = &[(80, 24), (120, 40)];
/// Below the counter's minimum: the view draws only the "enlarge the window" message.
pub const TOO_SMALL: &[(u16, u16)] = &[(60, 20)];

/// The supervisor PIN of the scenes.
const BENCH_PIN: &str = "2468";

/// What the supervisor screen shows after a day of sales.
fn supervisor_data() -> SupervisorData {
    let recent = (1..=12)
        .rev()
        .map(|serial| RecentPiece {
            device_id: 10_000_001,
            piece_serial: serial,
            serial: format!("10000001-{serial:07}"),
            product: "First-Class Mail Letter".into(),
            postage: Money::from_mills(780),
            issued_at: format!("14:{serial:02}"),
            voided: serial == 3,
        })
        .collect();
    SupervisorData {
        device_id: 10_000_001,
        registers: Registers {
            ascending: Money::from_mills(9_360),
            descending: Money::from_mills(490_640),
            control_total: Money::from_mills(500_000),
            piece_count: 12,
        },
        locked_reason: None,
        last_contact: "embedded PSD".into(),
        account_balance: None,
        fallback: None,
        day: vec![
            DayTotal {
                product: "First-Class Mail Letter".into(),
                pieces: 11,
                postage: Money::from_mills(8_580),
            },
            DayTotal {
                product: "Postcard".into(),
                pieces: 1,
                postage: Money::from_mills(610),
            },
        ],
        recent,
        label_printer: "label-4x6 on virtual".into(),
        receipt_printer: "receipt-80mm on virtual".into(),
    }
}

/// Drives the flow and answers its effects as the edge would.
pub struct Driver {
    context: Context,
    pub state: State,
    next_serial: u32,
    /// The next label print reports "paper out", leaving a print problem to decide.
    pub fail_next_print: bool,
}

impl Driver {
    pub fn new() -> anyhow::Result<Driver> {
        let context = Context {
            rates: Arc::new(RateBook::embedded().context("the embedded rate tables")?),
            receipt_header: vec!["POSTCOUNTER BENCH".into()],
            receipt_footer: Vec::new(),
            label: crate::config::LabelSettings {
                return_address: vec!["POSTCOUNTER BENCH".into()],
                mailer_id: "123456".parse()?,
            },
            supervisor_pin: Some(SupervisorPin::new(BENCH_PIN)?),
            timeouts: Timeouts {
                done_ms: 20_000,
                inactivity_ms: 90_000,
                quiet_ms: 30_000,
            },
        };
        let state = State::new(
            Mode::Counter,
            Date::today_utc(),
            ZipCode::parse("02134")?,
            "bench-sale1".into(),
        );
        Ok(Driver {
            context,
            state,
            next_serial: 1,
            fail_next_print: false,
        })
    }

    /// Applies `actions` in order, answering every effect until none is left.
    pub fn send(&mut self, actions: impl IntoIterator<Item = Action>) -> anyhow::Result<()> {
        let mut queue: VecDeque<Action> = actions.into_iter().collect();
        while let Some(action) = queue.pop_front() {
            for effect in update(&mut self.state, &self.context, action) {
                queue.extend(self.answer(effect)?);
            }
        }
        Ok(())
    }

    pub fn type_text(&mut self, text: &str) -> anyhow::Result<()> {
        self.send(text.chars().map(Action::Type))
    }

    fn answer(&mut self, effect: Effect) -> anyhow::Result<Option<Action>> {
        Ok(match effect {
            Effect::LookupZip(text) => {
                let zip = ZipCode::parse(&text)?;
                Some(Action::ZipLooked {
                    place: zip.place(),
                    zip,
                })
            }
            Effect::Issue { item_id, piece, .. } => {
                let serial = format!("10000001-{:07}", self.next_serial);
                self.next_serial += 1;
                let (_, bytes) = specimen_bytes(self.next_serial - 1, 780, self.state.today)?;
                Some(Action::Issued {
                    item_id,
                    piece,
                    result: Ok((serial, bytes)),
                })
            }
            Effect::PrintLabel { item_id, piece, .. } => {
                let result = if std::mem::take(&mut self.fail_next_print) {
                    Err(crate::print::printer::PrinterErrorKind::Timeout)
                } else {
                    Ok(())
                };
                Some(Action::Printed {
                    item_id,
                    piece,
                    result,
                })
            }
            Effect::Void { item_id, piece, .. } => Some(Action::Voided {
                item_id,
                piece,
                result: Ok(()),
            }),
            Effect::PrintReceipt(_) => Some(Action::ReceiptPrinted(Ok(()))),
            // The benchmark's scenes never put an update off.
            Effect::OpenDrawer
            | Effect::RehashSupervisorPin { .. }
            | Effect::KeepPinGate { .. }
            | Effect::PostponeRelease => None,
            Effect::ChargeCard {
                charge_id, amount, ..
            } => Some(Action::Charged(Ok(PaidBy {
                method: PaymentMethod::Card,
                charge_id,
                reference: "VISA •••• 4242".into(),
                card_last4: None,
                approval_code: "123456".into(),
                amount,
                card_brand: None,
                balance_after: None,
            }))),
            Effect::ChargeAccount {
                charge_id, amount, ..
            } => Some(Action::Charged(Ok(PaidBy {
                method: PaymentMethod::Account,
                approval_code: charge_id.clone(),
                charge_id,
                reference: "account 12345678-2".into(),
                card_last4: None,
                amount,
                card_brand: None,
                balance_after: None,
            }))),
            Effect::Refund { amount, .. } => Some(Action::Refunded(Ok(amount))),
            Effect::LoadSupervisor => {
                Some(Action::SupervisorLoaded(Ok(Box::new(supervisor_data()))))
            }
            Effect::Refill { amount, .. } => Some(Action::Refilled(Ok(amount))),
            Effect::VoidRecent { .. } => Some(Action::RecentVoided(Ok(Money::from_mills(780)))),
        })
    }

    fn expect_step(&self, step: Step, scene: &str) -> anyhow::Result<()> {
        ensure!(
            self.state.step == step,
            "scene {scene}: the flow is at {:?}, not {step:?} (notice: {:?})",
            self.state.step,
            self.state.notice
        );
        Ok(())
    }

    fn scene(&self, name: &'static str, step: Step) -> anyhow::Result<Scene> {
        self.expect_step(step, name)?;
        Ok(Scene {
            name,
            state: self.state.clone(),
            sizes: SIZES,
        })
    }

    /// Weighs a letter, sends it to `zip` and takes the first offer.
    fn add_letter(&mut self, weight: &str, zip: &str) -> anyhow::Result<()> {
        self.type_text(weight)?;
        self.send([Action::Confirm])?;
        self.expect_step(Step::Destination, "adding a letter")?;
        self.type_text(zip)?;
        self.send([Action::Confirm])?;
        self.expect_step(Step::Service, "adding a letter")?;
        self.send([Action::Confirm])
    }
}

/// Every screen of a sale, in order, then the too-small terminal.
pub fn all_scenes() -> anyhow::Result<Vec<Scene>> {
    let mut scenes = weigh_scenes()?;
    let mut driver = Driver::new()?;
    driver.type_text("2oz")?;
    driver.send([Action::Confirm])?;
    driver.type_text("90210")?;
    scenes.push(driver.scene("destination/zip typed", Step::Destination)?);
    driver.send([Action::Confirm])?;
    scenes.push(driver.scene("service/offers", Step::Service)?);
    driver.send([Action::Type('1'), Action::Down])?;
    scenes.push(driver.scene("service/certified, 2nd offer", Step::Service)?);
    scenes.extend(checkout_scenes()?);
    scenes.extend(more_scenes()?);
    let mut too_small = Driver::new()?.scene("too small/message", Step::Weigh)?;
    too_small.sizes = TOO_SMALL;
    scenes.push(too_small);
    Ok(scenes)
}

fn weigh_scenes() -> anyhow::Result<Vec<Scene>> {
    let mut driver = Driver::new()?;
    let mut scenes = vec![driver.scene("weigh/empty", Step::Weigh)?];
    driver.type_text("12")?;
    driver.send([Action::Confirm])?;
    scenes.push(driver.scene("weigh/error notice", Step::Weigh)?);
    let mut driver = Driver::new()?;
    let reading = Reading {
        weight: Some(Weight::parse("1.25lb")?),
        status: ReadingStatus::Stable,
        source: ReadingSource::Scale,
        unit: None,
    };
    driver.send([Action::ScaleRead(Ok(reading))])?;
    scenes.push(driver.scene("weigh/scale reading", Step::Weigh)?);
    Ok(scenes)
}

fn checkout_scenes() -> anyhow::Result<Vec<Scene>> {
    let mut driver = Driver::new()?;
    driver.add_letter("2oz", "90210")?;
    driver.send([Action::AddAnother])?;
    driver.add_letter("1oz", "10001")?;
    driver.send([Action::Right])?; // two of the first letter
    let mut scenes = vec![driver.scene("basket/two items", Step::Basket)?];
    driver.send([Action::Confirm])?;
    driver.type_text("20")?;
    scenes.push(driver.scene("payment/cash typed", Step::Payment)?);
    // The payment's issue requests, unanswered: what the screen shows while they run.
    let mut waiting = driver.state.clone();
    let effects = update(&mut waiting, &driver.context, Action::Confirm);
    ensure!(!effects.is_empty(), "accepting the payment issued nothing");
    scenes.push(Scene {
        name: "issuing/in flight",
        state: waiting,
        sizes: SIZES,
    });
    driver.fail_next_print = true;
    driver.send([Action::Confirm])?;
    scenes.push(driver.scene("issuing/print problem", Step::Issuing)?);
    driver.send([Action::Reprint])?;
    scenes.push(driver.scene("done/change due", Step::Done)?);
    Ok(scenes)
}

/// The screens beyond a cash sale: self-service welcome, card payment, the supervisor.
fn more_scenes() -> anyhow::Result<Vec<Scene>> {
    let mut welcome = Driver::new()?;
    welcome.state.mode = Mode::Kiosk;
    welcome.state.step = Step::Welcome;
    let mut scenes = vec![welcome.scene("welcome/self-service", Step::Welcome)?];
    let mut driver = Driver::new()?;
    driver.add_letter("1oz", "90210")?;
    driver.send([Action::PayBy(PaymentMethod::Card)])?;
    driver.type_text("4242424242424242")?;
    driver.send([Action::NextField])?;
    driver.type_text("12/30")?;
    scenes.push(driver.scene("payment/card typed", Step::Payment)?);
    driver.send([Action::Confirm])?;
    scenes.push(driver.scene("done/card, label preview", Step::Done)?);
    let mut driver = Driver::new()?;
    driver.send([Action::Supervisor])?;
    driver.type_text(BENCH_PIN)?;
    driver.send([Action::Confirm, Action::Down])?;
    scenes.push(driver.scene("supervisor/registers and day", Step::Supervisor)?);
    Ok(scenes)
}

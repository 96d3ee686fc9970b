//! What refuses a sale before anything is issued, beside the price and the tender: a request
//! id already used for another sale, and a printer that says it cannot print.

use anyhow::Context;

use crate::print::printer::Printer;
use crate::station::{PrinterRole, Station};

/// A request id names one sale: selling again under it must ask for the same pieces, so a
/// sale of another quantity under a used id is refused before anything is issued (it
/// would otherwise issue new pieces under an id promised never to re-issue).
pub(super) async fn check_same_quantity(
    station: &Station,
    base_id: &str,
    quantity: u32,
) -> anyhow::Result<()> {
    let used = station.psd.ledger().requests_under(base_id).await?;
    let expected: Vec<String> = if quantity == 1 {
        vec![base_id.to_string()]
    } else {
        (1..=quantity).map(|n| format!("{base_id}-{n}")).collect()
    };
    if let Some(other) = used.iter().find(|id| !expected.contains(id)) {
        anyhow::bail!(
            "request id {base_id} was used for a sale of another quantity (it holds {other}); sell again with its first quantity to reprint, or use a new --request-id; nothing was issued"
        );
    }
    Ok(())
}

/// The configured printer for `role`, with the context the operator needs.
/// Opens the printer for `role` and asks its status where it can answer: paper out, an
/// open cover or an offline printer refuses the sale before anything is issued; paper near
/// its end is said and the sale goes on.
pub(super) fn open_printer(station: &Station, role: PrinterRole) -> anyhow::Result<Printer> {
    let refused = || {
        format!(
            "the {} printer cannot be used; nothing was issued",
            role.name()
        )
    };
    let mut printer = station.open_printer(role).with_context(refused)?;
    if let Some(status) = printer.status().with_context(refused)? {
        if let Some(problem) = status.problem() {
            anyhow::bail!(
                "the {} printer ({}) {problem}, then sell again; nothing was issued",
                role.name(),
                printer.description()
            );
        }
        if status.paper_near_end {
            eprintln!(
                "note: the {} printer's paper is near its end: have a roll ready",
                role.name()
            );
        }
    }
    Ok(printer)
}

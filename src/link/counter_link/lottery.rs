//! The station's half of the lottery service: the games on sale, a wager (answered with the
//! ticket the data centre recorded, so nothing prints that it did not), and the requests
//! that name a ticket. There is no offline path: a ticket the data centre has not recorded
//! is not a ticket.
//!
//! A request about a ticket travels under an idempotency key derived from the hash of its
//! validation number, never the number itself: keys are kept in the station's log.

use reqwest::Method;
use sha2::{Digest, Sha256};

use super::{CounterLink, json_body};
use crate::link::LinkError;
use crate::protocol::lottery::{
    CancellationResponse, ClaimResponse, GamesResponse, LotteryTicket, TicketRequest, WagerRequest,
};
use crate::tickets::validation_number::ValidationNumber;

/// The key of a request of `kind` about ticket `number`.
fn ticket_key(kind: &str, number: &ValidationNumber) -> String {
    let digest = Sha256::digest(number.digits().as_bytes());
    format!("lottery-{kind}-{}", crate::hex::encode(&digest[..12]))
}

impl CounterLink {
    pub async fn lottery_games(&self) -> Result<GamesResponse, LinkError> {
        self.signed(Method::GET, "/lottery/v1/games", None, "")
            .await
    }

    /// Sells `wager` under `request_id`: the same id again answers the same ticket.
    pub async fn sell_wager(
        &self,
        request_id: &str,
        wager: &WagerRequest,
    ) -> Result<LotteryTicket, LinkError> {
        let body = json_body(wager)?;
        self.signed(Method::POST, "/lottery/v1/wagers", Some(request_id), &body)
            .await
    }

    pub async fn cancel_wager(
        &self,
        number: &ValidationNumber,
    ) -> Result<CancellationResponse, LinkError> {
        let body = json_body(&TicketRequest {
            validation: number.digits(),
        })?;
        self.signed(
            Method::POST,
            "/lottery/v1/cancellations",
            Some(&ticket_key("cancel", number)),
            &body,
        )
        .await
    }

    /// The ticket again, its reprint count raised once per `reprint_id`.
    pub async fn reprint_wager(
        &self,
        number: &ValidationNumber,
        reprint_id: &str,
    ) -> Result<LotteryTicket, LinkError> {
        let body = json_body(&TicketRequest {
            validation: number.digits(),
        })?;
        self.signed(
            Method::POST,
            "/lottery/v1/reprints",
            Some(reprint_id),
            &body,
        )
        .await
    }

    pub async fn claim_wager(&self, number: &ValidationNumber) -> Result<ClaimResponse, LinkError> {
        let body = json_body(&TicketRequest {
            validation: number.digits(),
        })?;
        self.signed(
            Method::POST,
            "/lottery/v1/claims",
            Some(&ticket_key("claim", number)),
            &body,
        )
        .await
    }

    pub async fn lottery_ticket(
        &self,
        number: &ValidationNumber,
    ) -> Result<LotteryTicket, LinkError> {
        self.signed(
            Method::GET,
            &format!("/lottery/v1/tickets/{}", number.digits()),
            None,
            "",
        )
        .await
    }
}

//! The station's half of the lottery service: the games on sale, a wager (answered with the
//! ticket the data centre recorded, so nothing prints that it did not), and the requests
//! that name a ticket. There is no offline path: a ticket the data centre has not recorded
//! is not a ticket.
//!
//! A request about a ticket travels under the key its caller chose for that one action (a
//! retry of it sends the same), never one made from the number: a second claim of the same
//! ticket at the same station is a new request, which the data centre refuses as paid.

use super::{CounterLink, json_body};
use crate::link::LinkError;
use crate::protocol::lottery::{
    CancellationResponse, ClaimResponse, GamesResponse, LotteryTicket, TicketRequest, WagerRequest,
};
use crate::tickets::validation_number::ValidationNumber;
use reqwest::Method;

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

    /// Cancels ticket `number` under `request_id`.
    pub async fn cancel_wager(
        &self,
        number: &ValidationNumber,
        request_id: &str,
    ) -> Result<CancellationResponse, LinkError> {
        let body = json_body(&TicketRequest {
            validation: number.digits(),
        })?;
        self.signed(
            Method::POST,
            "/lottery/v1/cancellations",
            Some(request_id),
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

    /// Claims ticket `number`'s prize under `request_id`.
    pub async fn claim_wager(
        &self,
        number: &ValidationNumber,
        request_id: &str,
    ) -> Result<ClaimResponse, LinkError> {
        let body = json_body(&TicketRequest {
            validation: number.digits(),
        })?;
        self.signed(Method::POST, "/lottery/v1/claims", Some(request_id), &body)
            .await
    }

    /// The ticket as the data centre holds it: the number goes in the body (a path is
    /// logged at both ends).
    pub async fn lottery_ticket(
        &self,
        number: &ValidationNumber,
    ) -> Result<LotteryTicket, LinkError> {
        let body = json_body(&TicketRequest {
            validation: number.digits(),
        })?;
        self.signed(Method::POST, "/lottery/v1/lookups", None, &body)
            .await
    }
}

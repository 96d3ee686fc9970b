//! The data centre's services, each its own API: a route group under `/<service>/v<version>`
//! with its own section (tag) in the OpenAPI document, versioned on its own so one service
//! can move to a new version while the others stay. A station's contact passes through the
//! `contact` service's monitor, which asks every other service whether it has work for that
//! station (see [`super::agenda`]).
//!
//! This is the one list both ends share: the vendor mounts its routes under these prefixes,
//! the link builds its paths from them, and an agenda names its items' services by them.

use super::security::SecurityLevel;

/// A service of the data centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// Enrollment, sessions, health and polls: how a station reaches the others.
    Contact,
    /// Purchases, voids, a PSD's registers and the reconciliation of an embedded ledger.
    Postage,
    /// Key management: certificates, the trust a station checks with, the status list.
    Keys,
    /// Funds telemetering: refills of central and embedded PSDs, withdrawals.
    Funds,
    /// Postal accounts: card payments credited to a counter's account.
    Accounts,
    /// Software and rate updates: the data centre's TUF repository.
    Software,
    /// Draw games: wagers recorded before they print, cancellations, claims paid once.
    Lottery,
    /// Event tickets: seats held and booked once, signed tickets, entries redeemed once.
    Events,
}

impl Service {
    pub const ALL: [Service; 8] = [
        Service::Contact,
        Service::Postage,
        Service::Keys,
        Service::Funds,
        Service::Accounts,
        Service::Software,
        Service::Lottery,
        Service::Events,
    ];

    /// The service's name: the first segment of its paths and its OpenAPI tag.
    pub fn name(self) -> &'static str {
        match self {
            Service::Contact => "contact",
            Service::Postage => "postage",
            Service::Keys => "keys",
            Service::Funds => "funds",
            Service::Accounts => "accounts",
            Service::Software => "software",
            Service::Lottery => "lottery",
            Service::Events => "events",
        }
    }

    /// The version of the service's API this build speaks.
    pub fn version(self) -> u32 {
        match self {
            Service::Contact
            | Service::Postage
            | Service::Keys
            | Service::Funds
            | Service::Accounts
            | Service::Software
            | Service::Lottery
            | Service::Events => 1,
        }
    }

    /// The service's level of security: the one table both ends hold each request and
    /// answer to (see [`super::security`]). Keys, enrollment codes, session agreements and
    /// card data are encrypted end to end; what moves value is answered signed.
    pub fn security_level(self) -> SecurityLevel {
        match self {
            // Enrollment codes and session key agreement.
            Service::Contact => SecurityLevel::Encrypted,
            // Indicia and voids are signed themselves; the answer is signed too, so a
            // refusal or a register reading cannot be forged. A card in a purchase is
            // refused unless the request is sealed.
            Service::Postage => SecurityLevel::SignedAnswer,
            // Certificates, trust and status lists: keys.
            Service::Keys => SecurityLevel::Encrypted,
            // Refill and withdrawal authorizations are root-signed grants; the answer is
            // signed too.
            Service::Funds => SecurityLevel::SignedAnswer,
            // Card data.
            Service::Accounts => SecurityLevel::Encrypted,
            // Software and rate tables: signed by the update keys (TUF), whatever carries
            // them; requests are not authenticated, so any TUF client can check them.
            Service::Software => SecurityLevel::UpdateSigned,
            // A ticket, a cancellation's refund and a prize move value: a forged answer
            // must not print a ticket the data centre never recorded or pay a prize.
            Service::Lottery => SecurityLevel::SignedAnswer,
            // Tickets are signed themselves; bookings, refunds and entries move value and
            // the revocation list decides who enters, so the answers are signed too.
            Service::Events => SecurityLevel::SignedAnswer,
        }
    }

    /// Where the service's routes are mounted, e.g. `/postage/v1`.
    pub fn prefix(self) -> String {
        format!("/{}/v{}", self.name(), self.version())
    }

    /// The service named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The service a request path belongs to, read from its first segment.
    pub fn of_path(path: &str) -> Option<Service> {
        let first = path.trim_start_matches('/').split('/').next()?;
        Service::from_name(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_paths_name_their_service() {
        for service in Service::ALL {
            assert_eq!(Service::from_name(service.name()), Some(service));
            let path = format!("{}/anything", service.prefix());
            assert_eq!(Service::of_path(&path), Some(service));
        }
        assert_eq!(Service::of_path("/openapi.json"), None);
        assert_eq!(Service::of_path("/v1/purchases"), None);
    }
}

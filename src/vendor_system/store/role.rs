//! Whose store this is. A data centre's store (opened by `vendor serve` or `admin`) and a
//! counter's own in-process store share a schema and a default path, so a counter started
//! on a data centre's data directory would otherwise make its demo account and PSDs in the
//! real store. The first opener claims the store; the in-process data centre refuses one a
//! data centre has claimed.

use sqlx::Row;

use super::VendorStore;
use crate::vendor_system::error::{RefusalKind, VendorError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreRole {
    DataCentre,
    InProcess,
}

impl StoreRole {
    fn name(self) -> &'static str {
        match self {
            StoreRole::DataCentre => "data-centre",
            StoreRole::InProcess => "in-process",
        }
    }
}

impl VendorStore {
    /// Claims the store for `role` unless it is claimed already; the role it has.
    pub async fn claim_role(
        &self,
        role: StoreRole,
        now_unix_ms: i64,
    ) -> Result<StoreRole, VendorError> {
        sqlx::query(
            "INSERT INTO store_role (id, role, claimed_unix_ms) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(role.name())
        .bind(now_unix_ms)
        .execute(self.pool())
        .await?;
        let held: String = sqlx::query("SELECT role FROM store_role WHERE id = 1")
            .fetch_one(self.pool())
            .await?
            .try_get("role")?;
        match held.as_str() {
            "data-centre" => Ok(StoreRole::DataCentre),
            "in-process" => Ok(StoreRole::InProcess),
            other => Err(VendorError::storage(format!(
                "the store's role {other:?} is not one this version knows"
            ))),
        }
    }

    /// Claims the store for a counter's in-process data centre; a data centre's store is
    /// refused with its location.
    pub async fn claim_for_in_process(&self, now_unix_ms: i64) -> Result<(), VendorError> {
        match self.claim_role(StoreRole::InProcess, now_unix_ms).await? {
            StoreRole::InProcess => Ok(()),
            StoreRole::DataCentre => Err(VendorError::new(
                RefusalKind::Unavailable,
                format!(
                    "{} is a data centre's store (vendor serve, admin): a counter does not start its in-process data centre on it; set link.endpoints to that data centre, or use another data directory",
                    self.location()
                ),
            )),
        }
    }
}

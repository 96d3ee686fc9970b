//! The test data centre's update repository, as `admin publish-rates` opens it, and a
//! station of account A1 that reaches it directly.

use std::path::Path;

use super::link_relay;
use super::vendor::TestVendor;
use postcounter::clock::Clock;
use postcounter::link::CounterLink;
use postcounter::vendor_system::updates::{UpdateRepository, repository_dir};

impl TestVendor {
    /// A counter of account A1 enrolled at this data centre, its data in `dir`.
    pub async fn station(&self, dir: &Path, clock: Clock) -> CounterLink {
        let endpoints = std::slice::from_ref(&self.url);
        link_relay::counter(&self.store, dir, endpoints, "A1", clock)
            .await
            .0
    }

    /// A station in a folder of its own that checked the repository once (it trusts its
    /// root and holds its rate files).
    pub async fn checked_station(&self) -> (tempfile::TempDir, CounterLink) {
        let dir = tempfile::tempdir().unwrap();
        let link = self.station(dir.path(), Clock::system()).await;
        link.check_updates(None).await.unwrap();
        (dir, link)
    }

    pub fn update_repository(&self) -> UpdateRepository {
        let keys = self.keys_dir();
        UpdateRepository::at(&repository_dir(&keys).unwrap(), &keys)
    }
}

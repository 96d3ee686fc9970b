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

    pub fn update_repository(&self) -> UpdateRepository {
        let keys = self.keys_dir();
        UpdateRepository::at(&repository_dir(&keys).unwrap(), &keys)
    }
}

//! The software service at the station: an update check in a contact (when the agenda says
//! the repository has a newer snapshot than the station holds) or on demand
//! (`postcounter updates check`). The first check takes the repository's root from the keys
//! service, in an answer signed by the data centre; the repository does the rest.

use reqwest::Method;

use super::CounterLink;
use crate::link::LinkError;
use crate::link::updates::transport::{ByModem, EndpointTransport};
use crate::link::updates::{
    self, Builds, UpdateError, UpdateErrorKind, UpdateReport, trust_root, trusted_root,
};
use crate::protocol::updates::{UPDATE_ROOT_PATH, UpdateRootResponse};

impl CounterLink {
    /// Checks the data centre's update repository, installs its rate files and stages the
    /// build this station wants; `at_least` is the snapshot the data centre's agenda named,
    /// when an agenda asked.
    pub async fn check_updates(&self, at_least: Option<u64>) -> Result<UpdateReport, LinkError> {
        self.check_updates_with(at_least, Builds::Await).await
    }

    /// [`CounterLink::check_updates`], with a build's download awaited or left running.
    pub async fn check_updates_with(
        &self,
        at_least: Option<u64>,
        builds: Builds,
    ) -> Result<UpdateReport, LinkError> {
        let data_dir = &self.settings.data_dir;
        if trusted_root(data_dir).map_err(link_error)?.is_none() {
            let answer: UpdateRootResponse =
                self.signed(Method::GET, UPDATE_ROOT_PATH, None, "").await?;
            trust_root(data_dir, answer.root_json.as_bytes()).map_err(link_error)?;
        }
        let transport = EndpointTransport {
            http: self.client.http().clone(),
            endpoints: self.client.endpoints().to_vec(),
            traffic: Default::default(),
            modem: Some(ByModem(self.client.clone())),
            idle: self.client.timeout(),
        };
        updates::check(data_dir, transport, at_least, builds)
            .await
            .map_err(link_error)
    }
}

fn link_error(error: UpdateError) -> LinkError {
    match error.kind() {
        UpdateErrorKind::Unreachable => LinkError::Unreachable {
            detail: error.to_string(),
            maybe_delivered: false,
        },
        UpdateErrorKind::Refused => LinkError::Protocol(error.to_string()),
        UpdateErrorKind::Local => LinkError::Local(error.to_string()),
    }
}

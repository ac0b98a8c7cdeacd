//! `[admin]`: the operators' listener (metrics, liveness, readiness), apart
//! from the ports partners and citizens reach. Absent: no admin listener.

use super::{ConfigError, HubConfig};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSection {
    /// Where `/metrics`, `/healthz` and `/readyz` are served.
    pub listen: SocketAddr,
}

impl AdminSection {
    /// The admin listener shares no address with another listener (port 0,
    /// a free port picked at start, never collides).
    pub(super) fn validate(&self, file: &str, config: &HubConfig) -> Result<(), ConfigError> {
        if self.listen.port() == 0 {
            return Ok(());
        }
        let others = [
            ("hub.listen", Some(config.hub.listen)),
            ("hub.http_listen", config.hub.http_listen),
            ("web.listen", config.web.as_ref().map(|w| w.listen)),
        ];
        for (key, addr) in others {
            if addr == Some(self.listen) {
                return Err(ConfigError::invalid(
                    file,
                    "admin.listen",
                    format!(
                        "`{}` is already `{key}`: the admin listener needs its own address",
                        self.listen
                    ),
                ));
            }
        }
        Ok(())
    }
}

//! The one-stop module as a partner of the hub.
//!
//! The module has its own partner identity in the registry (kind `module`,
//! no token: it cannot be reached from outside) and its own rights. Every
//! read and every command of the workspace goes through the hub's facade
//! under that identity, exactly as an external one-stop system's would over
//! gRPC: one state machine, one audit trail, one set of rights. The portal
//! files and acts for its signed-in applicants through the same identity
//! (`execute_for_applicant`), on dossiers recorded as theirs.

use super::WebError;
use crate::domain::officer::OfficerAccount;
use crate::domain::{Action, CommandEnvelope};
use crate::engine::CommandOutcome;
use crate::hub::Hub;
use crate::partners::{Partner, PartnerKind};
use std::sync::Arc;

/// The unit a history line names for what an applicant did on the portal.
pub const PORTAL_UNIT: &str = "Cổng dịch vụ công (người nộp)";

#[derive(Clone)]
pub struct OneStopModule {
    hub: Hub,
    partner: Arc<Partner>,
}

impl OneStopModule {
    pub fn new(hub: Hub, partner_id: &str) -> Result<OneStopModule, WebError> {
        let partner = hub
            .partners()
            .get(partner_id)
            .cloned()
            .ok_or_else(|| WebError::UnknownModulePartner(partner_id.into()))?;
        if partner.kind != PartnerKind::Module {
            return Err(WebError::NotAModule(partner_id.into()));
        }
        Ok(OneStopModule { hub, partner })
    }

    pub fn partner(&self) -> &Arc<Partner> {
        &self.partner
    }

    /// What kind of system the partner `id` is (to name it on the
    /// process-control sheet); `None` for one no longer configured.
    pub fn partner_kind(&self, id: &str) -> Option<PartnerKind> {
        self.hub.partners().get(id).map(|p| p.kind)
    }

    /// The hub, for the module's reads (always with `partner()`).
    pub(super) fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Sends a command for `officer`, through the hub's command path as the
    /// module partner: the history line names the officer and their unit,
    /// and a dossier of another agency is refused before anything is
    /// written. Forms should send the version they showed
    /// (`expected_version`): the officer acts on what they saw, and the
    /// write cannot land on a dossier that changed since this check.
    pub async fn execute(
        &self,
        officer: &OfficerAccount,
        mut envelope: CommandEnvelope,
    ) -> Result<CommandOutcome, WebError> {
        let agency = match &envelope.action {
            Action::Submit(new) => new.agency_code.clone(),
            Action::OnDossier { dossier, .. } => {
                self.hub.get_dossier(&self.partner, dossier)?.0.agency_code
            }
        };
        if agency != officer.agency_code {
            return Err(WebError::OtherAgency {
                login: officer.login.clone(),
                agency,
            });
        }
        envelope.actor = officer.name.clone();
        envelope.unit = officer.unit.clone();
        Ok(self.hub.execute(&self.partner, envelope).await?)
    }

    /// Sends a command for an applicant of the portal (a filing, a
    /// supplement answer, a withdrawal) through the same command path: the
    /// history line names the applicant and the portal. Whose dossier it is
    /// the caller has checked (`applicant_dossier_pages::own`).
    pub async fn execute_for_applicant(
        &self,
        applicant_name: &str,
        mut envelope: CommandEnvelope,
    ) -> Result<CommandOutcome, crate::hub::HubError> {
        envelope.actor = applicant_name.to_string();
        envelope.unit = PORTAL_UNIT.to_string();
        self.hub.execute(&self.partner, envelope).await
    }

    /// The agency of a dossier known by its MaHoSo, if the hub has it (to
    /// tell "another agency's" from "no such dossier").
    pub fn dossier_agency(&self, ma_ho_so: &str) -> Result<Option<String>, WebError> {
        match self.hub.get_dossier(
            &self.partner,
            &crate::domain::DossierRef::MaHoSo(ma_ho_so.into()),
        ) {
            Ok((dossier, _)) => Ok(Some(dossier.agency_code)),
            // A MaHoSo that is not one names no dossier either.
            Err(crate::hub::HubError::NotFound { .. })
            | Err(crate::hub::HubError::Domain(crate::domain::DomainError::InvalidField {
                ..
            })) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The agency's name from the published agencies catalogue, or its code
    /// while none is published.
    pub fn agency_name(&self, agency_code: &str) -> Result<String, WebError> {
        Ok(self
            .hub
            .catalog_entry("agencies", agency_code)?
            .map(|entry| entry.name)
            .unwrap_or_else(|| agency_code.to_string()))
    }
}

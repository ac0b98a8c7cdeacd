//! What the portal needs to send an applicant to pay a dossier's fees: the
//! payment page the gateway made for the dossier's outstanding obligation,
//! read from what the hub already keeps — the payment partner's adapter
//! answered the `financial_obligation_requested` event with the gateway's
//! payment URL as its reference, which the relay recorded in the dossier's
//! sync state. The portal never reads adapter internals: it asks here.

use super::{visible_dossier, Hub, HubError};
use crate::domain::command::CommandName;
use crate::domain::{Dossier, DossierRef, HistoryEntry, Status};
use crate::partners::Partner;

/// Where a dossier stands on paying its fees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentLink {
    /// No fee is outstanding: none was requested, or it was paid.
    NotDue,
    /// Fees are due, and the gateway has not (yet) handed a payment page
    /// for this request: its adapter has not accepted the event, or it was
    /// parked.
    Preparing,
    /// Fees are due; the payer goes here (an http(s) URL).
    Ready(String),
}

/// The version the dossier's latest fee request made, if any.
fn obligation_version(history: &[HistoryEntry]) -> Option<u64> {
    history
        .iter()
        .rev()
        .find(|e| e.command == CommandName::RequestFinancialObligation.as_str())
        .map(|e| e.version)
}

impl Hub {
    /// The dossier (as `partner` may see it), its history, and where its
    /// payer goes, through the adapter of `payment_partner`.
    pub fn payment_link(
        &self,
        partner: &Partner,
        payment_partner: &str,
        reference: &DossierRef,
    ) -> Result<(Dossier, Vec<HistoryEntry>, PaymentLink), HubError> {
        let dossier = visible_dossier(&self.store, partner, reference)?;
        let history = self.store.history(dossier.id)?;
        if dossier.status != Status::FinancialObligation {
            return Ok((dossier, history, PaymentLink::NotDue));
        }
        let Some(version) = obligation_version(&history) else {
            return Ok((dossier, history, PaymentLink::Preparing));
        };
        let link = match self.store.delivery_state(payment_partner, dossier.id)? {
            Some(state)
                if state.last_version == version
                    && (state.partner_reference.starts_with("https://")
                        || state.partner_reference.starts_with("http://")) =>
            {
                PaymentLink::Ready(state.partner_reference)
            }
            _ => PaymentLink::Preparing,
        };
        Ok((dossier, history, link))
    }
}

//! Outbound: every dossier event becomes the portal's copy of the dossier
//! plus its progress entries, in order, idempotently.
//!
//! For one event at version `v`:
//! 1. know the portal's copy — from memory, or (first time, or after an
//!    answer went missing) by asking `TraCuuHoSo`; if it already has
//!    progress up to `v`, the event is already synced (a redelivery). The
//!    portal's entries are recognised as the hub's history lines by their
//!    time, status and content (`TienDo::same_step`), or by `SoThuTu` under
//!    a profile that carries it;
//! 2. upsert the dossier with `DongBoHoSoMC`: a create (`isUpdating`
//!    false, written as the profile says), and on "already exists" the same
//!    record as an update — or directly an update when the portal is known
//!    to have it;
//! 3. only then `CapNhatTienDoHoSoMC` with the progress entries the portal
//!    lacks, oldest first. Normally that is the one entry the event carries;
//!    when the portal is behind by more (first sync of an older dossier, or
//!    a progress write whose answer was lost), the missing history is read
//!    from the hub and sent in batches of `progress_batch_size`, in order.
//!
//! The event counts as accepted only once the portal accepted all of it.

use crate::citizen;
use crate::client::Client;
use crate::error::PortalError;
use crate::mapping;
use crate::profile::{Op, Record};
use crate::protocol::{HoSo, HoSoTraCuu, TienDo};
use crate::sync_state::{PortalCopy, SyncState};
use lienthong_adapter::vietnam_time;
use lienthong_adapter::{pb, Accepted, DeliveryError, HubApi, Sink};
use serde_json::{Map, Value};
use std::sync::Arc;

pub struct PortalSink {
    pub(crate) client: Arc<Client>,
    pub(crate) state: Arc<SyncState>,
    pub(crate) hub: Arc<dyn HubApi>,
    pub(crate) batch_size: usize,
}

#[async_trait::async_trait]
impl Sink for PortalSink {
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError> {
        match &event.payload {
            Some(pb::event::Payload::DossierRated(r)) => {
                let item = self
                    .client
                    .profile()
                    .write(Record::Rating, &citizen::danh_gia(r));
                return self
                    .send_one(Op::Rating, item, format!("DanhGia:{}", r.ma_ho_so))
                    .await;
            }
            Some(pb::event::Payload::AnswerPublished(a)) => {
                let item = self
                    .client
                    .profile()
                    .write(Record::QuestionAnswer, &citizen::hoi_dap(a));
                return self
                    .send_one(Op::QuestionAnswer, item, format!("HoiDap:{}", a.code))
                    .await;
            }
            _ => {}
        }
        let Some(change) = lienthong_adapter::event::change(event)? else {
            return Ok(Accepted::default());
        };
        let dossier = change.dossier;
        let ma = dossier.ma_ho_so.as_str();
        if ma.is_empty() {
            return Err(DeliveryError::reject(format!(
                "event {} carries a dossier without MaHoSo",
                event.event_id
            )));
        }
        let version = event.dossier_version.max(dossier.version);
        let retry = |e: lienthong_adapter::StateError| {
            DeliveryError::retry(format!("sync record of {ma} not stored: {e}"))
        };
        self.state.load().await.map_err(retry)?;
        self.state.seen(ma, version);
        match self.sync(dossier, change.entry, version).await {
            Ok(()) => {
                self.state.synced(
                    ma,
                    version,
                    vietnam_time::ts_millis(event.occurred_at.as_ref()),
                );
                // Stored before the hub hears "accepted". If it cannot be,
                // the event comes again and is answered from this record,
                // which memory still holds: nothing is sent twice.
                self.state.save(ma).await.map_err(retry)?;
                Ok(Accepted {
                    partner_reference: format!("{ma}#{version}"),
                })
            }
            Err(e) => {
                if e.outcome_unknown() {
                    self.state.set_portal_copy(ma, None);
                }
                self.state.failed(ma, &e.to_string());
                if let Err(not_stored) = self.state.save(ma).await {
                    // The stored record is "in doubt" already (`sync`).
                    tracing::warn!(ma_ho_so = ma, error = %not_stored, "sync record not stored");
                }
                tracing::warn!(ma_ho_so = ma, version, error = %e, "sync to the national portal failed");
                Err(e.delivery())
            }
        }
    }
}

impl PortalSink {
    /// One item of the hosted portal's feedback, in one call; accepted with
    /// `reference` once the portal accepted it.
    async fn send_one(
        &self,
        op: Op,
        item: Value,
        reference: String,
    ) -> Result<Accepted, DeliveryError> {
        let sent = self.client.call(op, Map::new(), Some(vec![item])).await;
        match sent {
            Ok(_) => Ok(Accepted {
                partner_reference: reference,
            }),
            Err(e) => {
                tracing::warn!(op = op.key(), reference = %reference, error = %e, "sync to the national portal failed");
                Err(e.delivery())
            }
        }
    }

    async fn sync(
        &self,
        dossier: &pb::Dossier,
        entry: Option<&pb::HistoryEntry>,
        version: u64,
    ) -> Result<(), PortalError> {
        let ma = dossier.ma_ho_so.as_str();
        let copy = match self.state.portal_copy(ma) {
            Some(copy) => copy,
            None => {
                let copy = self.look_up(ma, entry).await?;
                self.state.set_portal_copy(ma, Some(copy));
                copy
            }
        };
        if version <= copy.version {
            return Ok(());
        }
        // In doubt from here until the portal accepted everything: a crash
        // in between must lead to a lookup, never to a copy trusted stale.
        self.state.set_portal_copy(ma, None);
        self.state.save(ma).await?;
        self.state.set_portal_copy(ma, Some(copy));
        self.upsert(&mapping::ho_so(dossier), copy.exists).await?;
        let mut copy = PortalCopy {
            exists: true,
            version: copy.version,
        };
        self.state.set_portal_copy(ma, Some(copy));
        let entries = self
            .missing_entries(ma, entry, copy.version, version)
            .await?;
        let profile = self.client.profile();
        for batch in entries.chunks(self.batch_size) {
            let data = batch
                .iter()
                .map(|t| profile.write(Record::Progress, t))
                .collect();
            self.client
                .call(Op::Progress, Map::new(), Some(data))
                .await?;
            if let Some(last) = batch.last() {
                copy.version = copy.version.max(last.SoThuTu.unwrap_or(0).max(0) as u64);
            }
            self.state.set_portal_copy(ma, Some(copy));
        }
        // The portal now has everything up to `version`, even where the
        // hub's history had no line for some version (nothing to send).
        copy.version = copy.version.max(version);
        self.state.set_portal_copy(ma, Some(copy));
        Ok(())
    }

    /// The portal's copy: does it exist, and up to which history version.
    async fn look_up(
        &self,
        ma: &str,
        entry: Option<&pb::HistoryEntry>,
    ) -> Result<PortalCopy, PortalError> {
        let profile = self.client.profile();
        let mut params = Map::new();
        params.insert(profile.parameters.dossier_code.clone(), Value::from(ma));
        let found = match self.client.call(Op::Lookup, params, None).await {
            Ok(found) => found,
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(e),
        };
        let Some(item) = found.first() else {
            return Ok(PortalCopy {
                exists: false,
                version: 0,
            });
        };
        let service = &profile.operation(Op::Lookup).service;
        let record = profile
            .read::<HoSoTraCuu>(Record::Lookup, item, "result[0]")
            .map_err(|problems| PortalError::Fields {
                op: service.clone(),
                profile: profile.label(),
                problems: problems.to_string(),
            })?;
        self.state.unknown_fields(service, &record.unknown);
        let progress = record.value.QuaTrinhXuLy;
        let version = match progress.iter().filter_map(|t| t.SoThuTu).max() {
            Some(numbered) => numbered.max(0) as u64,
            None if progress.is_empty() => 0,
            None => self.recognised(ma, entry, &progress).await?,
        };
        Ok(PortalCopy {
            exists: true,
            version,
        })
    }

    /// The highest history version among the portal's entries, told by
    /// their content: the event's own line first (the usual redelivery),
    /// else the hub's whole history.
    async fn recognised(
        &self,
        ma: &str,
        entry: Option<&pb::HistoryEntry>,
        progress: &[TienDo],
    ) -> Result<u64, PortalError> {
        let on_portal = |h: &pb::HistoryEntry| {
            let mine = mapping::tien_do(ma, h);
            progress.iter().any(|t| t.same_step(&mine))
        };
        if let Some(e) = entry {
            if on_portal(e) {
                return Ok(e.version);
            }
        }
        let reply = self
            .hub
            .get_dossier(pb::DossierRef {
                r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma.to_string())),
            })
            .await?;
        Ok(reply
            .history
            .iter()
            .filter(|h| on_portal(h))
            .map(|h| h.version)
            .max()
            .unwrap_or(0))
    }

    /// `DongBoHoSoMC` as an upsert.
    async fn upsert(&self, ho_so: &HoSo, exists: bool) -> Result<(), PortalError> {
        if exists {
            match self.write(ho_so, true).await {
                Err(e) if e.is_not_found() => self.write(ho_so, false).await,
                other => other,
            }
        } else {
            match self.write(ho_so, false).await {
                Err(e) if e.is_already_exists() => {
                    tracing::debug!(ma_ho_so = %ho_so.MaHoSo, "already on the portal; updating");
                    self.write(ho_so, true).await
                }
                other => other,
            }
        }
    }

    async fn write(&self, ho_so: &HoSo, updating: bool) -> Result<(), PortalError> {
        let profile = self.client.profile();
        let data = profile.write(Record::Dossier, ho_so);
        let mut params = Map::new();
        params.insert(
            profile.parameters.is_updating.clone(),
            profile.is_updating(updating),
        );
        self.client
            .call(Op::SyncDossiers, params, Some(vec![data]))
            .await
            .map(|_| ())
    }

    /// Progress entries with versions in `(after, upto]`, oldest first.
    async fn missing_entries(
        &self,
        ma: &str,
        entry: Option<&pb::HistoryEntry>,
        after: u64,
        upto: u64,
    ) -> Result<Vec<TienDo>, PortalError> {
        if let Some(e) = entry {
            if e.version == upto && after + 1 == upto {
                return Ok(vec![mapping::tien_do(ma, e)]);
            }
        }
        let reply = self
            .hub
            .get_dossier(pb::DossierRef {
                r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma.to_string())),
            })
            .await?;
        let mut history: Vec<&pb::HistoryEntry> = reply
            .history
            .iter()
            .filter(|h| h.version > after && h.version <= upto)
            .collect();
        history.sort_by_key(|h| h.version);
        Ok(history
            .into_iter()
            .map(|h| mapping::tien_do(ma, h))
            .collect())
    }
}

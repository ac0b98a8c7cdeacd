//! The hub facade: what any transport (gRPC now, AMQP next) may ask of the
//! core, with authentication and authorisation applied the same way for all.
//!
//! It validates requests before they reach the writer (so the writer spends
//! its time only on what needs state), sends commands to the engine, serves
//! reads from the store, and runs the subscription feeds and retention.

mod adapter_deliveries;
mod adapter_state;
mod applicants;
mod attachments;
mod audit;
mod cursors;
mod dead_letters;
mod deliveries;
mod error;
mod feedback;
mod follower;
mod metrics;
mod notifications;
mod officers;
mod operations;
mod payments;
mod queued;
mod retention;
mod schedule;
mod sites;
mod subscription;
mod workspace;

pub use crate::engine::SiteOutcome;
pub use crate::store::{
    CompactionReport, CompactionStarted, CompactionStatus, CursorId, DeliveredEvent, DeliveryState,
    DeliveryStats, EmbeddedAnswer, ListFilter, NotificationOutcome, NotificationRecord,
    ParkedDelivery, StorageCondition,
};
pub use adapter_deliveries::{AdapterDeliveries, DeliveryStatus, DossierSync};
pub use adapter_state::AdapterState;
pub use applicants::ApplicantRecords;
pub use attachments::AttachmentRecords;
pub use audit::{AuditLog, AuditSettings};
pub use cursors::CursorSaver;
pub use dead_letters::{DeadLetters, ParkedMessage};
pub use deliveries::DeliveryRecords;
pub use error::{Disposition, HubError};
pub use feedback::{FeedbackRecords, FirstLayoutMoved};
pub use follower::{Batch, Follower};
pub use notifications::{
    DossierNotification, NotificationRecords, NotificationState, NotifyChannel,
};
pub use officers::OfficerRecords;
pub use operations::{
    DestinationInfo, DestinationLag, DestinationState, DossierLedger, LedgerDestination,
    PENDING_SCAN_EVENTS,
};
pub use payments::PaymentLink;
pub use queued::QueuedCommand;
pub use retention::{sweep as retention_sweep, RetentionSettings};
pub use schedule::Appointment;
pub use workspace::WorkspaceRecords;

use crate::domain::catalog::{self, CatalogChange, CatalogEntry, Publication};
use crate::domain::codes::check_code;
use crate::domain::working_time::WorkingTime;
use crate::domain::{
    size, validate, CommandEnvelope, CommandName, Dossier, DossierRef, Event, HistoryEntry,
};
use crate::engine::{CommandOutcome, Engine, EngineSettings, PublicationOutcome, WriterHandle};
use crate::limits::{Admission, Limiter};
use crate::partners::{
    AccessError, ClientCertificate, Partner, PartnerRegistry, PeerCertificate, SubscriptionFilter,
};
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

pub const DEFAULT_PAGE_SIZE: usize = 100;
pub const MAX_PAGE_SIZE: usize = 1000;

/// An event consumer inside the hub, with its durable cursor.
#[derive(Clone, Debug)]
pub struct Destination {
    pub cursor: CursorId,
    pub filter: crate::partners::SubscriptionFilter,
}

#[derive(Clone)]
pub struct Hub {
    engine: Engine,
    store: Store,
    partners: Arc<PartnerRegistry>,
    stopping: watch::Receiver<bool>,
    /// The calendar appointment dates are counted with (`schedule.rs`).
    working_time: Arc<WorkingTime>,
    /// The most dossier bytes one answer carries (`domain::size`): the
    /// dossier-size limit, which is below the message limit, so a listing
    /// page cut to it always fits in a message and holds at least one.
    max_dossier_bytes: usize,
    /// Each partner's rate and concurrency limits (`[limits]`), which
    /// every entry point applies through `admit`.
    limits: Arc<Limiter>,
    /// Refusals, operator actions, checkpoints and receipts (`audit.rs`).
    audit: AuditLog,
    /// What the hub counts for operators (`metrics.rs`, `crate::metrics`).
    metrics: crate::metrics::Metrics,
    /// The hub's own consumers, whose lag `metrics.rs` reports.
    destinations: Arc<Vec<Destination>>,
    /// This hub's site and its peers (`[site]`), if any (`sites.rs`).
    sites: Option<Arc<crate::domain::site::SiteMap>>,
}

/// Keeps the background parts of a running hub; `stop` ends them in order.
pub struct HubRuntime {
    writer: WriterHandle,
    audit: audit::AuditThread,
    retention: tokio::task::JoinHandle<()>,
    stopping: watch::Sender<bool>,
}

impl HubRuntime {
    /// Ends subscription feeds and retention, so that a server waiting for
    /// its streams to finish can stop.
    pub fn begin_stop(&self) {
        let _ = self.stopping.send(true);
    }

    /// Waits for the writer to answer everything it was given. Call after
    /// every `Hub` clone has been dropped.
    pub async fn stop(self) {
        self.begin_stop();
        let _ = self.retention.await;
        let (writer, audit) = (self.writer, self.audit);
        let _ = tokio::task::spawn_blocking(move || {
            writer.join();
            // Every hub handle is gone with the writer's: the audit thread
            // writes what it counted and ends.
            audit.join();
        })
        .await;
    }
}

impl Hub {
    /// Starts the engine and retention. `destinations` are the hub's own
    /// event consumers (the AMQP publisher) whose cursors hold retention back
    /// like a partner's.
    pub fn start(
        store: Store,
        partners: PartnerRegistry,
        destinations: Vec<Destination>,
        engine_settings: EngineSettings,
        retention: RetentionSettings,
        audit: AuditSettings,
    ) -> Result<(Hub, HubRuntime), HubError> {
        let metrics = crate::metrics::Metrics::new();
        let max_dossier_bytes = engine_settings.max_dossier_bytes;
        let sites = engine_settings.sites.clone();
        let (engine, writer) = Engine::start(
            store.clone(),
            engine_settings,
            error::engine_outcome,
            metrics.clone(),
        )?;
        let destinations = Arc::new(destinations);
        let (audit, audit_thread) = AuditLog::start(store.clone(), audit)?;
        let partners = Arc::new(partners);
        let (stopping, stopping_rx) = watch::channel(false);
        let retention = tokio::spawn(retention::run(
            engine.clone(),
            store.clone(),
            partners.clone(),
            destinations.clone(),
            retention,
            stopping_rx.clone(),
        ));
        let hub = Hub {
            engine,
            store,
            partners,
            stopping: stopping_rx,
            working_time: Arc::new(WorkingTime::default()),
            max_dossier_bytes,
            sites,
            limits: Arc::new(Limiter::unlimited()),
            audit,
            metrics,
            destinations,
        };
        Ok((
            hub,
            HubRuntime {
                writer,
                audit: audit_thread,
                retention,
                stopping,
            },
        ))
    }

    /// Counts appointment dates with this calendar and these rules (the
    /// configuration's `[calendar]`) instead of the embedded default; call
    /// before the hub is cloned.
    pub fn with_working_time(mut self, working_time: Arc<WorkingTime>) -> Hub {
        self.working_time = working_time;
        self
    }

    /// Limits each partner's requests with these limits (the
    /// configuration's `[limits]`) instead of none; call before the hub is
    /// cloned.
    pub fn with_limits(mut self, limits: Arc<Limiter>) -> Hub {
        self.limits = limits;
        self
    }

    /// Admits one request of `partner` at an entry point (gRPC, an
    /// adapter's HTTP route, an AMQP command), before anything is written:
    /// the request counts as in progress until the admission is dropped.
    /// A refusal is counted in the audit log (never itemised: a partner
    /// over its limit must not fill the disk either).
    pub fn admit(&self, partner: &Partner) -> Result<Admission, HubError> {
        self.limits.admit(&partner.id).map_err(|e| {
            let e = HubError::from(e);
            self.audit.count(partner.id.clone(), e.code().name());
            e
        })
    }

    /// Admits one command of a stream whose opening `admit` admitted: it
    /// takes the partner's rate like any request, but no concurrency slot
    /// (the stream holds one). Refusals are counted like `admit`'s.
    pub fn admit_streamed(&self, partner: &Partner) -> Result<(), HubError> {
        self.limits.take_rate(&partner.id).map_err(|e| {
            let e = HubError::from(e);
            self.audit.count(partner.id.clone(), e.code().name());
            e
        })
    }

    /// The audit log: checkpoints, receipts and the public key.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// A request the transport refused before the hub could (a body that
    /// does not decode): recorded in the audit log, nothing else.
    pub fn record_refusal(&self, partner: &Partner, action: &str, error: &HubError) {
        self.refused(&partner.id, action, String::new(), "", error);
    }

    fn refused(&self, actor: &str, action: &str, subject: String, request: &str, error: &HubError) {
        let mut record = crate::audit::Record::new(
            crate::domain::UnixMillis::now().0,
            crate::audit::Kind::Refusal,
            actor,
            action,
            error.code().name(),
        );
        record.subject = subject;
        record.request = request.to_string();
        self.audit.refused(record);
    }

    /// An operator's action on something outside the store (the broker's
    /// parked messages), recorded before the operator is answered.
    pub fn record_operator_action(
        &self,
        operator: &str,
        action: &str,
        outcome: Result<u64, &HubError>,
        detail: String,
    ) -> Result<(), HubError> {
        let code = match outcome {
            Ok(_) => crate::audit::OK,
            Err(e) => e.code().name(),
        };
        let mut record = crate::audit::Record::new(
            crate::domain::UnixMillis::now().0,
            crate::audit::Kind::Operator,
            operator,
            action,
            code,
        );
        record.count = *outcome.as_ref().unwrap_or(&0);
        record.detail = detail;
        self.audit.operator_action(record)
    }

    pub fn partners(&self) -> &PartnerRegistry {
        &self.partners
    }

    /// The durable state of `partner`'s adapter (its own key space).
    pub fn adapter_state(&self, partner: &str) -> AdapterState {
        AdapterState {
            store: self.store.clone(),
            partner: partner.to_string(),
        }
    }

    /// One partner's delivery bookkeeping (what its adapter's relay parked,
    /// delivered and counted).
    pub fn delivery_records(&self, partner: &str) -> DeliveryRecords {
        DeliveryRecords {
            store: self.store.clone(),
            partner: partner.to_string(),
        }
    }

    /// The hosted one-stop module's officers: accounts, sessions, failed
    /// sign-ins.
    pub fn officer_records(&self) -> OfficerRecords {
        OfficerRecords::new(self.store.clone())
    }

    /// The hosted portal's applicants: accounts, sessions, failed sign-ins,
    /// the dossiers each filed online.
    pub fn applicant_records(&self) -> ApplicantRecords {
        ApplicantRecords::new(self.store.clone())
    }

    /// The files attached to dossiers filed on the portal.
    pub fn attachment_records(&self) -> AttachmentRecords {
        AttachmentRecords::new(self.store.clone())
    }

    /// The portal's ratings and feedback with their answers.
    pub fn feedback_records(&self) -> FeedbackRecords {
        FeedbackRecords::new(self.store.clone(), self.engine.clone())
    }

    /// The hosted one-stop workspace's read model and assignments.
    pub fn workspace_records(&self) -> WorkspaceRecords {
        WorkspaceRecords::new(self.store.clone())
    }

    /// The seq of the newest durable event; changes on every commit.
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.engine.committed()
    }

    /// Whether the store accepts writes now (not after a failed write, such
    /// as a full disk, until it has recovered); health follows it.
    pub fn storage_condition(&self) -> watch::Receiver<StorageCondition> {
        self.store.condition()
    }

    /// Starts an online compaction of the store (`store::online_compact`)
    /// unless one runs or the store cannot now.
    pub fn start_compaction(&self) -> CompactionStarted {
        self.store.start_compaction()
    }

    /// Where online compaction stands.
    pub fn compaction_status(&self) -> CompactionStatus {
        self.store.compaction_status()
    }

    /// Becomes true when the hub begins to stop.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.clone()
    }

    /// The partner a message names by its token alone (AMQP: the hub does
    /// not see the sender's TLS session there). A refusal is counted in the
    /// audit log, never itemised: whoever sends no valid credential cannot
    /// make the hub write one entry per request.
    pub fn authenticate(&self, bearer_token: Option<&str>) -> Result<Arc<Partner>, HubError> {
        self.counted(
            self.partners
                .authenticate(bearer_token, PeerCertificate::NotVisible),
        )
    }

    /// The partner a caller on one of the hub's listeners is, by its token
    /// and the client certificate it presented (`PartnerRegistry::authenticate`);
    /// a refusal is counted like `authenticate`'s.
    pub fn authenticate_peer(
        &self,
        bearer_token: Option<&str>,
        certificate: Option<&ClientCertificate>,
    ) -> Result<Arc<Partner>, HubError> {
        self.counted(
            self.partners
                .authenticate(bearer_token, PeerCertificate::Seen(certificate)),
        )
    }

    fn counted(
        &self,
        authenticated: Result<Arc<Partner>, AccessError>,
    ) -> Result<Arc<Partner>, HubError> {
        authenticated.map_err(|e| {
            let e = HubError::from(e);
            self.audit.count(String::new(), e.code().name());
            e
        })
    }

    /// Refused before the writer: recorded in the audit log here; the
    /// writer records its own decisions in the command's batch.
    pub async fn execute(
        &self,
        partner: &Arc<Partner>,
        envelope: CommandEnvelope,
    ) -> Result<CommandOutcome, HubError> {
        self.queue_command(partner, envelope).await.outcome().await
    }

    pub async fn publish_catalog(
        &self,
        partner: &Arc<Partner>,
        publication: Publication,
    ) -> Result<PublicationOutcome, HubError> {
        let checked = partner
            .check_command(CommandName::PublishCatalog)
            .map_err(HubError::from)
            .and_then(|_| Ok(publication.validate()?));
        let arrived = std::time::Instant::now();
        let decided = match checked {
            Err(e) => {
                let (kind, key) = (publication.kind.clone(), &publication.idempotency_key);
                self.refused(&partner.id, "publish_catalog", kind, key, &e);
                Err(e)
            }
            Ok(()) => {
                (self.engine.publish(partner.clone(), publication).await).map_err(HubError::from)
            }
        };
        self.count_command("publish_catalog", &decided, arrived);
        decided
    }

    pub fn get_dossier(
        &self,
        partner: &Partner,
        reference: &DossierRef,
    ) -> Result<(Dossier, Vec<HistoryEntry>), HubError> {
        let dossier = visible_dossier(&self.store, partner, reference)?;
        let history = self.store.history(dossier.id)?;
        Ok((dossier, history))
    }

    /// One page of dossiers the partner may see. `page_token` is the opaque
    /// token of the previous page (empty for the first).
    pub fn list_dossiers(
        &self,
        partner: &Partner,
        filter: &ListFilter,
        page_size: usize,
        page_token: &str,
    ) -> Result<(Vec<Dossier>, String), HubError> {
        if let Some(agency) = &filter.agency_code {
            check_code("agency_code", agency)?;
            partner.check_agency(agency)?;
        }
        if let Some(procedure) = &filter.procedure_code {
            check_code("procedure_code", procedure)?;
        }
        let after_id = if page_token.is_empty() {
            0
        } else {
            page_token.parse::<u64>().map_err(|_| {
                crate::domain::DomainError::invalid(
                    "page_token",
                    "is not a token from a previous reply",
                )
            })?
        };
        let limit = match page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        };
        let (found, next) = self.store.list_dossiers(filter, after_id, limit)?;
        let (page, next) = self.page_that_fits(partner, found, next);
        Ok((page, next.map(|id| id.to_string()).unwrap_or_default()))
    }

    /// The dossiers of `found` the partner may see (a partner scoped to some
    /// agencies sees only theirs), cut where their size would pass
    /// `max_dossier_bytes`: the page then ends early and the next one
    /// starts after the last dossier looked at.
    fn page_that_fits(
        &self,
        partner: &Partner,
        found: Vec<Dossier>,
        next: Option<u64>,
    ) -> (Vec<Dossier>, Option<u64>) {
        let mut page = Vec::new();
        let mut bytes = 0usize;
        let mut looked_at = None;
        for dossier in found {
            if partner.check_agency(&dossier.agency_code).is_ok() {
                let size = size::dossier_bytes(&dossier);
                if !page.is_empty() && bytes + size > self.max_dossier_bytes {
                    return (page, looked_at);
                }
                bytes += size;
                looked_at = Some(dossier.id);
                page.push(dossier);
            } else {
                looked_at = Some(dossier.id);
            }
        }
        (page, next)
    }

    pub fn catalog(&self, kind: &str) -> Result<(u64, Vec<CatalogEntry>), HubError> {
        catalog::check_kind(kind)?;
        Ok(self.store.catalog(kind)?)
    }

    /// One entry of a catalogue (e.g. an agency's name), if published.
    pub fn catalog_entry(&self, kind: &str, code: &str) -> Result<Option<CatalogEntry>, HubError> {
        catalog::check_kind(kind)?;
        Ok(self.store.catalog_entry(kind, code)?)
    }

    pub fn catalog_changes(
        &self,
        kind: &str,
        since_version: u64,
    ) -> Result<(u64, Vec<CatalogChange>), HubError> {
        catalog::check_kind(kind)?;
        Ok(self.store.catalog_changes(kind, since_version)?)
    }

    /// Starts feeding the partner's matching events, after its durable cursor
    /// or after `after_seq`. The receiver ends when the hub stops or the
    /// reader goes away.
    pub fn subscribe(
        &self,
        partner: &Partner,
        after_seq: Option<u64>,
    ) -> Result<mpsc::Receiver<Result<Event, HubError>>, HubError> {
        let filter = partner
            .subscription
            .clone()
            .ok_or_else(|| AccessError::NoSubscription {
                partner: partner.id.clone(),
            })?;
        let cursor = self.store.cursor(&CursorId::Partner(partner.id.clone()))?;
        let start = match after_seq {
            None => cursor,
            Some(after) => {
                self.check_replayable(after, cursor)?;
                after
            }
        };
        let counted = subscription::Counted {
            open: self.metrics.stream_opened(),
            delivered: self
                .metrics
                .destination(crate::metrics::DestinationKind::Partner, &partner.id),
        };
        Ok(subscription::spawn(self.follow(start, filter), counted))
    }

    /// Follows the outbox after `after`, handing out the committed events
    /// `filter` matches; see `Follower`.
    pub fn follow(&self, after: u64, filter: SubscriptionFilter) -> Follower {
        Follower::new(
            self.store.clone(),
            filter,
            after,
            self.engine.committed(),
            self.stopping.clone(),
        )
    }

    /// How far a consumer has got (0 when it never stored a cursor).
    pub fn cursor(&self, id: &CursorId) -> Result<u64, HubError> {
        Ok(self.store.cursor(id)?)
    }

    /// Keeps one of the hub's own consumers' cursor durable from `saved` on;
    /// see `CursorSaver`.
    pub fn cursor_saver(&self, id: CursorId, saved: u64) -> CursorSaver {
        CursorSaver::start(self.store.clone(), id, saved)
    }

    fn check_replayable(&self, after: u64, cursor: u64) -> Result<(), HubError> {
        let last = self.committed_at_least("after_seq", after)?;
        if after < cursor {
            let oldest = self.store.oldest_event_seq()?.unwrap_or(last + 1);
            if after + 1 < oldest {
                return Err(HubError::NoLongerRetained {
                    after_seq: after,
                    oldest,
                });
            }
        }
        Ok(())
    }

    /// The newest committed seq, if `seq` (the request's `field`) is not
    /// beyond it.
    fn committed_at_least(&self, field: &str, seq: u64) -> Result<u64, HubError> {
        let last = self.store.last_seq()?;
        if seq > last {
            return Err(crate::domain::DomainError::invalid(
                field,
                format!("{seq} is beyond the newest committed event ({last})"),
            )
            .into());
        }
        Ok(last)
    }

    /// Acknowledges every event up to `seq` for this partner. Returns the
    /// durable cursor.
    pub fn ack(&self, partner: &Partner, seq: u64) -> Result<u64, HubError> {
        if partner.subscription.is_none() {
            return Err(AccessError::NoSubscription {
                partner: partner.id.clone(),
            }
            .into());
        }
        self.committed_at_least("seq", seq)?;
        let record = crate::audit::Record {
            seq,
            ..crate::audit::Record::new(
                crate::domain::UnixMillis::now().0,
                crate::audit::Kind::Acknowledgement,
                &partner.id,
                "ack",
                crate::audit::OK,
            )
        };
        Ok(self
            .store
            .acknowledge(&CursorId::Partner(partner.id.clone()), seq, record)?)
    }
}

/// The dossier `reference` names, or `NotFound` naming it.
fn stored_dossier(store: &Store, reference: &DossierRef) -> Result<Dossier, HubError> {
    validate::reference(reference)?;
    store
        .dossier(reference)?
        .ok_or_else(|| not_found(reference))
}

/// The dossier `reference` names, if `partner` may see it. Another agency's
/// dossier gets exactly the answer of one that does not exist (the engine
/// answers commands alike), so a partner cannot learn which ids and MaHoSo
/// exist beyond its own agencies.
fn visible_dossier(
    store: &Store,
    partner: &Partner,
    reference: &DossierRef,
) -> Result<Dossier, HubError> {
    match stored_dossier(store, reference) {
        Ok(dossier) if partner.check_agency(&dossier.agency_code).is_ok() => Ok(dossier),
        Ok(_) => Err(not_found(reference)),
        Err(e) => Err(e),
    }
}

fn not_found(reference: &DossierRef) -> HubError {
    HubError::NotFound {
        what: format!("dossier {reference}"),
    }
}

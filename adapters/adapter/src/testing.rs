//! The one stand-in for the hub in adapters' tests (feature `testing`): it
//! holds dossiers, records every call, answers like the hub would —
//! replays of a known idempotency key, the expected version, the
//! transition table (`domain::machine`), ALREADY_EXISTS for a MaHoSo
//! submitted twice — and refuses on demand. Plus the builders and the
//! loopback server every adapter's tests need.
//!
//! A command for a dossier it does not hold is accepted as it comes (a
//! sink-side test does not need the dossier), with a version that counts
//! the distinct keys seen.

use crate::domain::machine::{self, Target};
use crate::domain::{CommandName, Status};
use crate::pb::{self, command_request::Command, dossier_ref::Ref};
use crate::state::{self, StateError};
use crate::{ErrorCode, HubApi, HubCallError};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

/// A refusal as the hub gives one.
pub fn refusal(code: ErrorCode, message: impl Into<String>) -> HubCallError {
    HubCallError::new(code, message)
}

#[derive(Default)]
struct Held {
    dossier: pb::Dossier,
    history: Vec<pb::HistoryEntry>,
    paused_from: Option<Status>,
}

#[derive(Default)]
struct State {
    dossiers: HashMap<String, Held>,
    calls: Vec<pb::CommandRequest>,
    applied: Vec<pb::CommandRequest>,
    replies: HashMap<String, pb::CommandReply>,
    published: Vec<pb::PublishCatalogRequest>,
    catalog_versions: HashMap<String, u64>,
    dossier_reads: u32,
    refuse_next: Vec<HubCallError>,
    refuse_always: Option<HubCallError>,
    /// The adapter's durable state, as the hub's store would keep it.
    kept: std::collections::BTreeMap<String, Vec<u8>>,
    state_puts: u32,
    state_unavailable: bool,
}

/// The recording fake hub.
#[derive(Default)]
pub struct FakeHub {
    state: Mutex<State>,
}

impl FakeHub {
    fn state(&self) -> MutexGuard<'_, State> {
        crate::sync::lock(&self.state)
    }

    /// Holds `dossier` (by its MaHoSo), as `get_dossier` will answer it.
    pub fn add(&self, dossier: pb::Dossier) {
        self.add_with_history(dossier, Vec::new());
    }

    /// Holds `dossier` with its history.
    pub fn add_with_history(&self, dossier: pb::Dossier, history: Vec<pb::HistoryEntry>) {
        self.state().dossiers.insert(
            dossier.ma_ho_so.clone(),
            Held {
                dossier,
                history,
                paused_from: None,
            },
        );
    }

    /// The held dossier (panics in a test that did not add it).
    pub fn dossier(&self, ma_ho_so: &str) -> pb::Dossier {
        self.state().dossiers[ma_ho_so].dossier.clone()
    }

    /// The held dossier's status code.
    pub fn status(&self, ma_ho_so: &str) -> i32 {
        self.dossier(ma_ho_so).status
    }

    /// Every `execute` call, in order, refused ones and replays too.
    pub fn calls(&self) -> Vec<pb::CommandRequest> {
        self.state().calls.clone()
    }

    /// The calls it applied: neither refused nor replays.
    pub fn applied(&self) -> Vec<pb::CommandRequest> {
        self.state().applied.clone()
    }

    /// The commands of the applied calls.
    pub fn commands(&self) -> Vec<Command> {
        self.applied()
            .into_iter()
            .filter_map(|r| r.command)
            .collect()
    }

    /// How many distinct idempotency keys the calls carried.
    pub fn distinct_keys(&self) -> usize {
        let calls = self.calls();
        let keys: HashSet<&str> = calls.iter().map(|r| r.idempotency_key.as_str()).collect();
        keys.len()
    }

    /// Every catalogue publication, in order.
    pub fn published(&self) -> Vec<pb::PublishCatalogRequest> {
        self.state().published.clone()
    }

    /// How many times a dossier was read.
    pub fn dossier_reads(&self) -> u32 {
        self.state().dossier_reads
    }

    /// Refuses the next `times` calls to `execute` with `error`.
    pub fn refuse_next(&self, times: usize, error: HubCallError) {
        let mut state = self.state();
        state.refuse_next = vec![error; times];
    }

    /// Refuses every call to `execute` with `error` (until `None`).
    pub fn refuse_always(&self, error: Option<HubCallError>) {
        self.state().refuse_always = error;
    }

    /// The adapter's durable state: every key and value put, in key order.
    pub fn kept(&self) -> Vec<(String, Vec<u8>)> {
        let state = self.state();
        state
            .kept
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// How many state puts and deletes were made.
    pub fn state_puts(&self) -> u32 {
        self.state().state_puts
    }

    /// Makes every state call fail as an unavailable store does (until
    /// `false`).
    pub fn state_unavailable(&self, unavailable: bool) {
        self.state().state_unavailable = unavailable;
    }

    fn state_call(&self, key: &str) -> Result<MutexGuard<'_, State>, StateError> {
        state::check_prefix(key)?;
        let held = self.state();
        if held.state_unavailable {
            return Err(StateError::Unavailable(
                "the fake hub's store is unavailable".into(),
            ));
        }
        Ok(held)
    }
}

fn ma_of(dossier: Option<&pb::DossierRef>) -> Option<String> {
    match dossier?.r#ref.as_ref()? {
        Ref::MaHoSo(ma) => Some(ma.clone()),
        Ref::Id(_) => None,
    }
}

fn command_name(command: &Command) -> CommandName {
    match command {
        Command::Submit(_) => CommandName::Submit,
        Command::Receive(_) => CommandName::Receive,
        Command::Refuse(_) => CommandName::Refuse,
        Command::RequestSupplement(_) => CommandName::RequestSupplement,
        Command::SubmitSupplement(_) => CommandName::SubmitSupplement,
        Command::StartProcessing(_) => CommandName::StartProcessing,
        Command::RequestFinancialObligation(_) => CommandName::RequestFinancialObligation,
        Command::RecordPayment(_) => CommandName::RecordPayment,
        Command::Stop(_) => CommandName::Stop,
        Command::Resume(_) => CommandName::Resume,
        Command::Withdraw(_) => CommandName::Withdraw,
        Command::Finish(_) => CommandName::Finish,
        Command::ReturnResult(_) => CommandName::ReturnResult,
        Command::Reschedule(_) => CommandName::Reschedule,
        Command::Forward(_) => CommandName::Forward,
        Command::RecordPartnerEvent(_) => CommandName::RecordPartnerEvent,
    }
}

/// Moves a held dossier as the transition table says, or refuses.
fn apply(held: &mut Held, command: &Command) -> Result<(), HubCallError> {
    let d = &mut held.dossier;
    let current = u8::try_from(d.status)
        .ok()
        .and_then(Status::from_code)
        .ok_or_else(|| refusal(ErrorCode::Internal, format!("dossier status {}", d.status)))?;
    let rule = machine::transition(command_name(command), current)
        .map_err(|e| refusal(ErrorCode::FailedPrecondition, e.to_string()))?;
    let next = match rule.to {
        Target::To(status) => status,
        Target::Pause(status) => {
            held.paused_from = Some(current);
            status
        }
        Target::Resume => held.paused_from.take().unwrap_or(Status::Processing),
        Target::Unchanged => current,
    };
    match command {
        Command::Receive(c) => d.due_at = c.due_at,
        Command::Reschedule(c) => d.due_at = c.new_due_at,
        Command::Forward(c) => d.agency_code = c.to_agency_code.clone(),
        Command::SubmitSupplement(c) if c.new_due_at.is_some() => d.due_at = c.new_due_at,
        _ => {}
    }
    d.status = i32::from(next.code());
    d.version += 1;
    Ok(())
}

#[async_trait::async_trait]
impl HubApi for FakeHub {
    async fn execute(&self, request: pb::CommandRequest) -> Result<pb::CommandReply, HubCallError> {
        let mut state = self.state();
        state.calls.push(request.clone());
        if let Some(error) = state.refuse_next.pop() {
            return Err(error);
        }
        if let Some(error) = state.refuse_always.clone() {
            return Err(error);
        }
        if let Some(first) = state.replies.get(&request.idempotency_key) {
            let mut again = first.clone();
            again.replayed = true;
            return Ok(again);
        }
        let command = request.command.clone().ok_or_else(|| {
            refusal(
                ErrorCode::InvalidArgument,
                "invalid field `command`: is required",
            )
        })?;
        let dossier = if let Command::Submit(submit) = &command {
            if state.dossiers.contains_key(&submit.ma_ho_so) {
                return Err(refusal(
                    ErrorCode::AlreadyExists,
                    format!("dossier {} already exists", submit.ma_ho_so),
                ));
            }
            let dossier = pb::Dossier {
                ma_ho_so: submit.ma_ho_so.clone(),
                version: 1,
                status: pb::DossierStatus::Submitted as i32,
                ..Default::default()
            };
            state.dossiers.insert(
                submit.ma_ho_so.clone(),
                Held {
                    dossier: dossier.clone(),
                    ..Default::default()
                },
            );
            dossier
        } else if let Some(held) =
            ma_of(request.dossier.as_ref()).and_then(|ma| state.dossiers.get_mut(&ma))
        {
            if let Some(expected) = request.expected_version {
                if expected != held.dossier.version {
                    return Err(refusal(
                        ErrorCode::Aborted,
                        format!("dossier is at version {}", held.dossier.version),
                    ));
                }
            }
            apply(held, &command)?;
            held.dossier.clone()
        } else {
            pb::Dossier {
                version: state.replies.len() as u64 + 1,
                ..Default::default()
            }
        };
        let reply = pb::CommandReply {
            dossier: Some(dossier),
            ..Default::default()
        };
        state
            .replies
            .insert(request.idempotency_key.clone(), reply.clone());
        state.applied.push(request);
        Ok(reply)
    }

    async fn publish_catalog(
        &self,
        request: pb::PublishCatalogRequest,
    ) -> Result<pb::PublishCatalogReply, HubCallError> {
        let mut state = self.state();
        let version = {
            let version = state
                .catalog_versions
                .entry(request.kind.clone())
                .or_default();
            *version += 1;
            *version
        };
        let reply = pb::PublishCatalogReply {
            kind: request.kind.clone(),
            version,
            added: request.entries.len() as u32,
            ..Default::default()
        };
        state.published.push(request);
        Ok(reply)
    }

    async fn get_dossier(
        &self,
        dossier: pb::DossierRef,
    ) -> Result<pb::GetDossierReply, HubCallError> {
        let mut state = self.state();
        state.dossier_reads += 1;
        let ma = ma_of(Some(&dossier))
            .ok_or_else(|| refusal(ErrorCode::InvalidArgument, "by MaHoSo only in this fake"))?;
        let held = state
            .dossiers
            .get(&ma)
            .ok_or_else(|| refusal(ErrorCode::NotFound, format!("dossier {ma} not found")))?;
        Ok(pb::GetDossierReply {
            dossier: Some(held.dossier.clone()),
            history: held.history.clone(),
        })
    }

    async fn state_get(&self, key: &str) -> Result<Option<Vec<u8>>, StateError> {
        state::check_key(key)?;
        Ok(self.state_call(key)?.kept.get(key).cloned())
    }

    async fn state_put(&self, key: &str, value: Vec<u8>) -> Result<(), StateError> {
        state::check_key(key)?;
        state::check_value(key, &value)?;
        let mut held = self.state_call(key)?;
        held.state_puts += 1;
        held.kept.insert(key.to_string(), value);
        Ok(())
    }

    async fn state_delete(&self, key: &str) -> Result<(), StateError> {
        state::check_key(key)?;
        let mut held = self.state_call(key)?;
        held.state_puts += 1;
        held.kept.remove(key);
        Ok(())
    }

    async fn state_scan(
        &self,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StateError> {
        let held = self.state_call(prefix)?;
        Ok(held
            .kept
            .range::<str, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
            .filter(|(k, _)| k.starts_with(prefix))
            .take(limit.min(state::MAX_SCAN_ENTRIES))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

/// An event of `kind` carrying `dossier` (as it is after the change), with
/// an empty history line, numbered `seq` (`ev-<seq>`).
pub fn event(kind: pb::EventType, dossier: pb::Dossier, seq: u64) -> pb::Event {
    pb::Event {
        event_id: format!("ev-{seq}"),
        seq,
        r#type: kind as i32,
        occurred_at: dossier.updated_at.or(dossier.submitted_at),
        ma_ho_so: dossier.ma_ho_so.clone(),
        dossier_id: dossier.id,
        dossier_version: dossier.version,
        agency_code: dossier.agency_code.clone(),
        procedure_code: dossier.procedure_code.clone(),
        to_status: dossier.status,
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(dossier),
            entry: Some(pb::HistoryEntry::default()),
        })),
        ..Default::default()
    }
}

/// Delivers `event` to `sink` as each of `kinds` in turn: each must be
/// accepted with no partner reference, nothing having been sent.
pub async fn assert_ignored(sink: &dyn crate::Sink, mut event: pb::Event, kinds: &[pb::EventType]) {
    for kind in kinds {
        event.r#type = *kind as i32;
        let accepted = sink.deliver(&event).await.expect("accepted");
        assert!(
            accepted.partner_reference.is_empty(),
            "{kind:?}: {accepted:?}"
        );
    }
}

/// An adapter's settings `table` with the keys of `extra` (TOML text) put
/// in, replacing any of the same name: a test's variation of them.
pub fn with_keys(mut table: toml::Table, extra: &str) -> toml::Table {
    table.extend(
        extra
            .parse::<toml::Table>()
            .expect("extra settings are TOML"),
    );
    table
}

/// Serves an adapter's routes on a loopback port under
/// `/partners/<partner_id>`, as the hub mounts them; returns that base URL
/// and the sender whose drop stops the server.
pub async fn serve_routes(
    partner_id: &str,
    routes: axum::Router,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let prefix = format!("/partners/{partner_id}");
    let (url, stop) = crate::serve_simulator("127.0.0.1:0", "adapter under test", |_| {
        axum::Router::new().nest(&prefix, routes)
    })
    .await
    .expect("a loopback port");
    (format!("{url}{prefix}"), stop)
}

/// An adapter built as the hub builds it, its routes served and its tasks
/// running; dropping it stops both.
pub struct TestAdapter {
    pub sink: Option<std::sync::Arc<dyn crate::Sink>>,
    /// Where its routes are served:
    /// `http://127.0.0.1:<port>/partners/<partner_id>`.
    pub routes_url: String,
    pub tasks: RunningTasks,
    /// Dropping it stops the routes' server.
    pub server: tokio::sync::oneshot::Sender<()>,
}

/// Builds `kind`'s adapter for `partner_id` from a settings table, as the
/// hub does: the table is validated first, the routes are mounted under
/// `/partners/<partner_id>` on a loopback port, the tasks started.
/// `settings` is given the routes' URL first, for a partner that is told
/// where to call back.
pub async fn build_adapter<K: crate::AdapterKind>(
    kind: &K,
    partner_id: &str,
    hub: std::sync::Arc<FakeHub>,
    settings: impl FnOnce(&str) -> toml::Table,
) -> TestAdapter {
    let prefix = format!("/partners/{partner_id}");
    let mut built = None;
    let (url, server) = crate::serve_simulator("127.0.0.1:0", "adapter under test", |url| {
        let table = settings(&format!("{url}{prefix}"));
        kind.validate(&table).expect("valid settings");
        let adapter = kind.build(partner_id, &table, hub).expect("adapter");
        built = Some((adapter.sink, adapter.tasks));
        match adapter.routes {
            Some(routes) => axum::Router::new().nest(&prefix, routes),
            None => axum::Router::new(),
        }
    })
    .await
    .expect("a loopback port");
    let (sink, tasks) = built.expect("built with the server");
    TestAdapter {
        sink,
        routes_url: format!("{url}{prefix}"),
        tasks: start_tasks(tasks),
        server,
    }
}

/// An adapter's background tasks, running; dropping this stops them.
pub struct RunningTasks {
    _stop: tokio::sync::watch::Sender<()>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningTasks {
    /// Gives every task its stop signal; answers their handles, to wait for
    /// them to end.
    pub fn stop(self) -> Vec<tokio::task::JoinHandle<()>> {
        self.handles
    }
}

/// Starts an adapter's background tasks as the hub does, each with the
/// stop signal the returned [`RunningTasks`] gives when dropped or stopped.
pub fn start_tasks(tasks: Vec<crate::TaskStarter>) -> RunningTasks {
    let (stop, stopped) = tokio::sync::watch::channel(());
    let handles = tasks
        .into_iter()
        .map(|task| {
            let mut stopped = stopped.clone();
            tokio::spawn(task(Box::pin(async move {
                let _ = stopped.changed().await;
            })))
        })
        .collect();
    RunningTasks {
        _stop: stop,
        handles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ma: &str, status: pb::DossierStatus) -> pb::Dossier {
        pb::Dossier {
            ma_ho_so: ma.into(),
            version: 1,
            status: status as i32,
            ..Default::default()
        }
    }

    fn request(key: &str, ma: &str, command: Command) -> pb::CommandRequest {
        pb::CommandRequest {
            idempotency_key: key.into(),
            dossier: Some(pb::DossierRef {
                r#ref: Some(Ref::MaHoSo(ma.into())),
            }),
            command: Some(command),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn moves_held_dossiers_by_the_table_and_replays_keys() {
        let hub = FakeHub::default();
        hub.add(at("A", pb::DossierStatus::Processing));
        let supplement = Command::RequestSupplement(pb::RequestSupplement::default());
        hub.execute(request("k1", "A", supplement.clone()))
            .await
            .unwrap();
        assert_eq!(hub.status("A"), 5);
        let again = hub.execute(request("k1", "A", supplement)).await.unwrap();
        assert!(again.replayed);
        let back = Command::SubmitSupplement(pb::SubmitSupplement::default());
        hub.execute(request("k2", "A", back)).await.unwrap();
        assert_eq!(hub.status("A"), 4, "back to where the pause came from");
        let refused = hub
            .execute(request(
                "k3",
                "A",
                Command::Receive(pb::ReceiveDossier::default()),
            ))
            .await
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::FailedPrecondition);
        assert_eq!(hub.calls().len(), 4);
        assert_eq!(hub.applied().len(), 2);
        assert_eq!(hub.distinct_keys(), 3);
    }

    #[tokio::test]
    async fn refuses_on_demand_and_checks_versions() {
        let hub = FakeHub::default();
        hub.add(at("A", pb::DossierStatus::Received));
        hub.refuse_next(1, refusal(ErrorCode::Unavailable, "stopping"));
        let start = Command::StartProcessing(pb::StartProcessing::default());
        let e = hub
            .execute(request("k", "A", start.clone()))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Unavailable);
        let mut stale = request("k", "A", start.clone());
        stale.expected_version = Some(7);
        assert_eq!(
            hub.execute(stale).await.unwrap_err().code,
            ErrorCode::Aborted
        );
        hub.execute(request("k", "A", start)).await.unwrap();
        hub.refuse_always(Some(refusal(ErrorCode::PermissionDenied, "no")));
        let e = hub
            .execute(request(
                "k2",
                "B",
                Command::Stop(pb::StopProcessing::default()),
            ))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::PermissionDenied);
        let unknown = pb::DossierRef {
            r#ref: Some(Ref::MaHoSo("Z".into())),
        };
        assert_eq!(
            hub.get_dossier(unknown).await.unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(hub.dossier_reads(), 1);
    }

    #[tokio::test]
    async fn a_submission_creates_the_dossier_once() {
        let hub = FakeHub::default();
        let submit = |key: &str| pb::CommandRequest {
            idempotency_key: key.into(),
            command: Some(Command::Submit(pb::SubmitDossier {
                ma_ho_so: "N".into(),
                ..Default::default()
            })),
            ..Default::default()
        };
        hub.execute(submit("s1")).await.unwrap();
        assert_eq!(hub.status("N"), 1);
        assert_eq!(
            hub.execute(submit("s2")).await.unwrap_err().code,
            ErrorCode::AlreadyExists
        );
    }
}

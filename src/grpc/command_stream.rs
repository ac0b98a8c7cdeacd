//! `DossierService.ExecuteStream`: many commands on one stream, for partners
//! that sync a backlog or a batch at once, under the rules of `Execute`.
//!
//! Two tasks per stream. The reader takes a place in the stream's window
//! (`[hub] stream_window_commands`), reads one request, checks and queues it
//! for the writer (`Hub::queue_command`, awaited only until it is queued),
//! and hands it on in order; it never waits for a commit, so the stream's
//! commands share group commits with each other and with every other
//! caller. The answerer waits for each queued command's outcome in order
//! and sends the answer to the client. A place in the window is given back
//! only when the client's stream has taken the answer: a client that sends
//! faster than the hub commits, or stops reading, leaves the reader waiting
//! for a place, so the hub stops reading its requests and HTTP/2 flow
//! control holds the sender. Nothing grows without bound; a stalled client
//! stalls only its own stream.
//!
//! When the hub stops, the reader stops reading; what was read is answered
//! (the writer answers everything queued), then the stream ends with
//! UNAVAILABLE, so the client knows to send the rest again.

use super::{from_proto, pb, status::command_error, to_proto, to_status};
use crate::hub::{Hub, HubError, QueuedCommand};
use crate::limits::Admission;
use crate::metrics::StreamGuard;
use crate::partners::Partner;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_stream::{wrappers::ReceiverStream, Stream, StreamExt};
use tonic::{Status, Streaming};

pub type ReplyStream = Pin<Box<dyn Stream<Item = Result<pb::StreamedCommandReply, Status>> + Send>>;

/// One command's place in its stream's window, and in the in-flight
/// gauge: given back when the answer is taken by the client's stream.
struct Place {
    _permit: OwnedSemaphorePermit,
    _counted: StreamGuard,
}

enum Slot {
    Command {
        index: u64,
        command: Pending,
        place: Place,
    },
    /// The stream ends with this status after the answers before it.
    End(Status),
}

enum Pending {
    Queued(QueuedCommand),
    Refused(HubError),
}

/// Starts the stream's reader and answerer; the returned stream yields the
/// answers in request order. `admission` (the stream's concurrency slot)
/// is held until the last answer is sent.
pub fn start(
    hub: Hub,
    partner: Arc<Partner>,
    admission: Admission,
    inbound: Streaming<pb::CommandRequest>,
    window: usize,
) -> ReplyStream {
    let window = window.max(1);
    let places = Arc::new(Semaphore::new(window));
    let (slots_tx, slots) = mpsc::channel(window);
    let (answers_tx, answers) = mpsc::channel(window);
    let open = hub.metrics().command_stream_opened();
    tracing::info!(partner = %partner.id, window, "command stream opened");
    tokio::spawn(read(hub, partner.clone(), inbound, places, slots_tx));
    tokio::spawn(answer(slots, answers_tx, (admission, open), partner));
    // The place is given back once tonic has taken the answer to send.
    Box::pin(ReceiverStream::new(answers).map(|(answer, _place): (_, Option<Place>)| answer))
}

async fn read(
    hub: Hub,
    partner: Arc<Partner>,
    mut inbound: Streaming<pb::CommandRequest>,
    places: Arc<Semaphore>,
    slots: mpsc::Sender<Slot>,
) {
    let mut stopping = hub.stopping();
    let mut index = 0u64;
    let end = loop {
        let permit = tokio::select! {
            biased;
            _ = stopping.wait_for(|stop| *stop) => break Some(stopped(index)),
            permit = places.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        let message = tokio::select! {
            biased;
            _ = stopping.wait_for(|stop| *stop) => break Some(stopped(index)),
            message = inbound.message() => message,
        };
        let request = match message {
            Ok(Some(request)) => request,
            // The client sent its last command.
            Ok(None) => break None,
            // Bytes that are not a request, or the connection broke.
            Err(status) => break Some(status),
        };
        let place = Place {
            _permit: permit,
            _counted: hub.metrics().stream_command_read(),
        };
        let command = queue(&hub, &partner, request).await;
        let slot = Slot::Command {
            index,
            command,
            place,
        };
        if slots.send(slot).await.is_err() {
            return; // the client went away
        }
        index += 1;
    };
    if let Some(status) = end {
        let _ = slots.send(Slot::End(status)).await;
    }
}

/// Admits, decodes and queues one command as `Execute` does.
async fn queue(hub: &Hub, partner: &Arc<Partner>, request: pb::CommandRequest) -> Pending {
    if let Err(e) = hub.admit_streamed(partner) {
        return Pending::Refused(e);
    }
    match from_proto::command_request(request) {
        Ok(envelope) => Pending::Queued(hub.queue_command(partner, envelope).await),
        Err(e) => {
            let e = e.into();
            hub.record_refusal(partner, "command", &e);
            Pending::Refused(e)
        }
    }
}

fn stopped(read: u64) -> Status {
    to_status(&HubError::Unavailable {
        what: "this command stream".into(),
        reason: format!(
            "the hub is stopping; the {read} commands it read were answered above; \
             send the rest again on a new stream (the same idempotency keys are safe)"
        ),
    })
}

type Answer = (Result<pb::StreamedCommandReply, Status>, Option<Place>);

async fn answer(
    mut slots: mpsc::Receiver<Slot>,
    answers: mpsc::Sender<Answer>,
    _held: (Admission, StreamGuard),
    partner: Arc<Partner>,
) {
    let (mut accepted, mut refused) = (0u64, 0u64);
    while let Some(slot) = slots.recv().await {
        let sent = match slot {
            Slot::Command {
                index,
                command,
                place,
            } => {
                let decided = match command {
                    Pending::Queued(queued) => queued.outcome().await,
                    Pending::Refused(e) => Err(e),
                };
                let result = match decided {
                    Ok(outcome) => {
                        accepted += 1;
                        pb::streamed_command_reply::Result::Reply(to_proto::command_reply(outcome))
                    }
                    Err(e) => {
                        refused += 1;
                        tracing::debug!(partner = %partner.id, index, error = %e, "streamed command refused");
                        pb::streamed_command_reply::Result::Error(command_error(&e))
                    }
                };
                let reply = pb::StreamedCommandReply {
                    index,
                    result: Some(result),
                };
                answers.send((Ok(reply), Some(place))).await
            }
            Slot::End(status) => {
                tracing::info!(partner = %partner.id, code = ?status.code(), "command stream ended early");
                let _ = answers.send((Err(status), None)).await;
                break;
            }
        };
        if sent.is_err() {
            tracing::info!(partner = %partner.id, accepted, refused, "command stream: the client went away");
            return;
        }
    }
    tracing::info!(partner = %partner.id, accepted, refused, "command stream closed");
}

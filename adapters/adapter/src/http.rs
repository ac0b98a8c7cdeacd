//! The HTTP client adapters call their partners with, how a call that got
//! no answer reads, and [`CallError`], the failed call whatever the
//! partner: every adapter builds, words and judges them alike. For a
//! partner whose answer is read only after a 2xx, [`send_for_text`] and
//! [`SendError`] are that send, read and judgement, once.

use crate::delivery::{classify_http_status, DeliveryError};
use std::time::Duration;

/// A call to a partner that gave no usable answer: the part of an
/// adapter's error that is about the call, not about the partner's
/// business (which each adapter's own error says).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The partner could not be reached or did not answer in time.
    #[error("{operation}: unreachable: {reason}")]
    Transport {
        operation: &'static str,
        reason: String,
    },
    /// The partner answered with an HTTP error status.
    #[error("{operation}: HTTP {status}: {body}")]
    Http {
        operation: &'static str,
        status: u16,
        body: String,
    },
    /// The partner's answer is not what its protocol describes.
    #[error("{operation}: unreadable answer: {problem}")]
    BadReply {
        operation: &'static str,
        problem: String,
    },
    /// The answer carries a `MaXacThuc` that does not verify.
    #[error("{operation}: the answer's MaXacThuc does not verify (check `secret`)")]
    BadSignature { operation: &'static str },
}

impl CallError {
    /// Whether calling again later can help: no answer, an unreadable one,
    /// or an HTTP status worth retrying (408, 429, 5xx). A signature that
    /// does not verify is a configuration problem: retrying cannot fix it.
    pub fn is_retryable(&self) -> bool {
        match self {
            CallError::Transport { .. } | CallError::BadReply { .. } => true,
            CallError::Http { status, body, .. } => classify_http_status(*status, body)
                .err()
                .is_some_and(|e| e.is_retryable()),
            CallError::BadSignature { .. } => false,
        }
    }
}

/// A call that brought back no 2xx answer, worded with the partner's name
/// (`the national portal`). Whether the partner may have applied it is what
/// tells `Unreachable` from the other two.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Nothing reached the partner: nothing can have been applied.
    #[error("cannot reach {partner} for {op}: {reason}")]
    Unreachable {
        partner: &'static str,
        op: String,
        reason: String,
    },
    /// Sent, but no answer came back: the partner may have applied it.
    #[error("no answer from {partner} to {op}: {reason}")]
    NoAnswer {
        partner: &'static str,
        op: String,
        reason: String,
    },
    /// The partner answered with a status outside 2xx (its body cut at 300
    /// characters).
    #[error("{partner} answered {op} with HTTP {status}: {body}")]
    Http {
        partner: &'static str,
        op: String,
        status: u16,
        body: String,
    },
}

impl SendError {
    /// The HTTP status the partner answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            SendError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The partner may have applied the call although no 2xx came back.
    pub fn outcome_unknown(&self) -> bool {
        !matches!(self, SendError::Unreachable { .. })
    }

    /// How the hub treats an event that failed so: an HTTP status the
    /// partner will answer again (4xx but 408 and 429) parks it; anything
    /// else is worth retrying.
    pub fn delivery(&self) -> DeliveryError {
        let reason = self.to_string();
        match self {
            SendError::Http { status, .. } => match classify_http_status(*status, "") {
                Err(e) if !e.is_retryable() => DeliveryError::reject(reason),
                _ => DeliveryError::retry(reason),
            },
            _ => DeliveryError::retry(reason),
        }
    }
}

/// Sends `request` to `partner` for the operation `op` and reads the body
/// of its 2xx answer; anything else is a [`SendError`].
pub async fn send_for_text(
    partner: &'static str,
    op: &str,
    request: reqwest::RequestBuilder,
) -> Result<String, SendError> {
    exchange(request).await.map_err(|failure| {
        let op = op.to_string();
        match failure {
            Exchange::NoAnswer(e) if e.is_connect() => SendError::Unreachable {
                partner,
                op,
                reason: e.to_string(),
            },
            Exchange::NoAnswer(e) => SendError::NoAnswer {
                partner,
                op,
                reason: e.to_string(),
            },
            Exchange::Status { status, body } => SendError::Http {
                partner,
                op,
                status,
                body,
            },
        }
    })
}

/// How one exchange with a partner failed, before [`send`] and
/// [`send_for_text`] word it each in its own error.
enum Exchange {
    /// The request was not sent, or its answer not read.
    NoAnswer(reqwest::Error),
    /// The partner answered outside 2xx; `body` holds its first 300
    /// characters.
    Status { status: u16, body: String },
}

/// The one send-and-read both [`send`] and [`send_for_text`] use: the body
/// of a 2xx answer, or how the exchange failed.
async fn exchange(request: reqwest::RequestBuilder) -> Result<String, Exchange> {
    let response = request.send().await.map_err(Exchange::NoAnswer)?;
    let status = response.status().as_u16();
    let body = response.text().await.map_err(Exchange::NoAnswer)?;
    if !(200..300).contains(&status) {
        return Err(Exchange::Status {
            status,
            body: body.chars().take(300).collect(),
        });
    }
    Ok(body)
}

/// A client whose every call ends within `timeout`, and whose connection
/// attempts give up after `connect_timeout` (or `timeout`, if shorter).
pub fn http_client(
    timeout: Duration,
    connect_timeout: Duration,
) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(connect_timeout.min(timeout))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// The client of one partner's API: every call, its connection included,
/// ends within `timeout`. A client that cannot be built is the
/// [`CallError`] of operation `client`.
pub fn partner_client(timeout: Duration) -> Result<reqwest::Client, CallError> {
    http_client(timeout, timeout).map_err(|reason| CallError::Transport {
        operation: "client",
        reason,
    })
}

/// Sends the call `operation` and answers the body of its 2xx answer: no
/// answer is [`CallError::Transport`], another status [`CallError::Http`]
/// (with the first 300 characters of the body).
pub async fn send(
    operation: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<String, CallError> {
    exchange(request).await.map_err(|failure| match failure {
        Exchange::NoAnswer(e) => CallError::Transport {
            operation,
            reason: e.to_string(),
        },
        Exchange::Status { status, body } => CallError::Http {
            operation,
            status,
            body,
        },
    })
}

/// What became of a call that got no answer: `timed out`, `could not
/// connect`, or `failed`.
pub fn transport_failure(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_calls_are_judged_alike() {
        let http = |status| CallError::Http {
            operation: "INIT",
            status,
            body: String::new(),
        };
        assert!(http(500).is_retryable());
        assert!(http(429).is_retryable());
        assert!(!http(400).is_retryable());
        assert!(!CallError::BadSignature { operation: "INIT" }.is_retryable());
        let no_answer = CallError::Transport {
            operation: "INIT",
            reason: "timeout".into(),
        };
        assert!(no_answer.is_retryable());
        assert_eq!(no_answer.to_string(), "INIT: unreachable: timeout");
    }

    #[tokio::test]
    async fn a_closed_port_could_not_connect() {
        // Bind, learn the port, close it: nothing listens there now.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = http_client(Duration::from_secs(5), Duration::from_secs(1)).unwrap();
        let e = client
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(transport_failure(&e), "could not connect");
    }

    #[tokio::test]
    async fn a_send_is_read_and_judged_alike() {
        let app = axum::Router::new()
            .route("/ok", axum::routing::get(|| async { "fine" }))
            .route(
                "/gone",
                axum::routing::get(|| async { (axum::http::StatusCode::NOT_FOUND, "no such") }),
            )
            .route(
                "/down",
                axum::routing::get(|| async { axum::http::StatusCode::SERVICE_UNAVAILABLE }),
            );
        let (url, _stop) = crate::serve_simulator("127.0.0.1:0", "test", |_| app)
            .await
            .unwrap();
        let client = http_client(Duration::from_secs(5), Duration::from_secs(1)).unwrap();
        let send =
            |path: &str| send_for_text("the partner", "read", client.get(format!("{url}{path}")));
        assert_eq!(send("/ok").await.unwrap(), "fine");
        let gone = send("/gone").await.unwrap_err();
        assert_eq!(
            gone.to_string(),
            "the partner answered read with HTTP 404: no such"
        );
        assert_eq!(gone.status(), Some(404));
        assert!(gone.outcome_unknown());
        assert!(!gone.delivery().is_retryable());
        assert!(send("/down").await.unwrap_err().delivery().is_retryable());

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed = listener.local_addr().unwrap();
        drop(listener);
        let e = send_for_text(
            "the partner",
            "read",
            client.get(format!("http://{closed}/")),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, SendError::Unreachable { .. }), "{e}");
        assert!(!e.outcome_unknown());
        assert!(e.delivery().is_retryable());
    }
}

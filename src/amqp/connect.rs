//! Connecting to RabbitMQ on the hub's tokio runtime, and the backoff between
//! attempts.

use super::{AmqpError, AmqpTls};
use lapin::uri::AMQPUri;
use lapin::{Connection, ConnectionProperties};
use std::time::Duration;
use tokio::sync::watch;

pub async fn connect(url: &str, name: &str) -> Result<Connection, AmqpError> {
    connect_with(url, name, &AmqpTls::default()).await
}

/// Connects with the TLS files of `[amqp]` (read now: a renewed client
/// certificate is used from the next connection on).
pub async fn connect_with(url: &str, name: &str, tls: &AmqpTls) -> Result<Connection, AmqpError> {
    let config = tls.lapin_config().map_err(|source| AmqpError::Tls {
        endpoint: redact(url),
        source,
    })?;
    let properties = ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio)
        .with_connection_name(name.into());
    Connection::connect_with_config(url, properties, config)
        .await
        .map_err(|source| AmqpError::Connect {
            endpoint: redact(url),
            source,
        })
}

/// Whether `other` may stand beside `url` as another node of its cluster:
/// an AMQP URL of the same scheme, user and vhost. The rule broken, if any.
pub fn check_failover_url(url: &str, other: &str) -> Result<(), String> {
    let parsed = other
        .parse::<AMQPUri>()
        .map_err(|reason| format!("is not an AMQP URL: {reason}"))?;
    // An unparsable `url` is reported under its own key.
    let Ok(first) = url.parse::<AMQPUri>() else {
        return Ok(());
    };
    if parsed.scheme != first.scheme {
        return Err("must use the scheme of amqp.url (amqp:// or amqps:// for every node)".into());
    }
    if parsed.authority.userinfo.username != first.authority.userinfo.username {
        return Err(format!(
            "must name the user of amqp.url ({})",
            first.authority.userinfo.username
        ));
    }
    if parsed.vhost != first.vhost {
        return Err(format!("must name the vhost of amqp.url ({})", first.vhost));
    }
    Ok(())
}

/// Connects to `url` or, when it does not answer, to the first of
/// `failovers` (the other nodes of its cluster) that does, in order; the
/// last node's error when none answers.
pub async fn connect_any(
    url: &str,
    failovers: &[String],
    name: &str,
    tls: &AmqpTls,
) -> Result<Connection, AmqpError> {
    let mut error = match connect_with(url, name, tls).await {
        Ok(connection) => return Ok(connection),
        Err(e) => e,
    };
    for other in failovers {
        tracing::warn!(error = %error, next = %redact(other), "a node of the cluster did not answer; trying the next");
        match connect_with(other, name, tls).await {
            Ok(connection) => {
                tracing::info!(broker = %redact(other), "connected to a failover node of the cluster");
                return Ok(connection);
            }
            Err(e) => error = e,
        }
    }
    Err(error)
}

/// The URL without its password, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Exponential backoff: `initial`, doubled each failure, at most `max`.
pub struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max,
            next: initial,
        }
    }

    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    pub fn reset(&mut self) {
        self.next = self.initial;
    }

    /// After a lost session: logs `lost` with its `error`, then waits out
    /// the next delay. False when the hub began to stop meanwhile: no new
    /// session then.
    pub async fn wait_after(
        &mut self,
        lost: &str,
        error: &AmqpError,
        stopping: &mut watch::Receiver<bool>,
    ) -> bool {
        let delay = self.next_delay();
        tracing::warn!(error = %error, retry_in_ms = delay.as_millis() as u64, "{lost}");
        tokio::select! {
            _ = tokio::time::sleep(delay) => true,
            _ = stopping.changed() => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redact("amqp://hub:s3cret@mq.example.vn:5672/%2f"),
            "amqp://hub:***@mq.example.vn:5672/%2f"
        );
        assert_eq!(redact("amqp://localhost"), "amqp://localhost");
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(350));
        let delays: Vec<_> = (0..4).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(delays, [100, 200, 350, 350]);
        b.reset();
        assert_eq!(b.next_delay().as_millis(), 100);
    }
}

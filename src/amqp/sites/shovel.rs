//! The hub declares the links it needs: one dynamic shovel per peer site on
//! its own broker, through RabbitMQ's management API
//! (`PUT /api/parameters/shovel/<vhost>/<name>`). It checks them every
//! `site.link_check_interval_seconds` and declares again one that is
//! missing or differs (an operator deleted it, the broker lost it), so a
//! cut link comes back by itself; the shovel's own reconnects (a peer's
//! broker restarted) are RabbitMQ's.

use super::SiteLinks;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum ShovelError {
    #[error("the management API at {endpoint} did not answer: {reason}")]
    Unreachable { endpoint: String, reason: String },
    #[error("the management API refused {what} ({status}): {body}")]
    Refused {
        what: String,
        status: u16,
        body: String,
    },
}

/// The management API's address without credentials, and the credentials.
struct Api {
    base: reqwest::Url,
    user: String,
    password: String,
    client: reqwest::Client,
}

impl Api {
    fn new(url: &str) -> Option<Api> {
        let mut base = reqwest::Url::parse(url).ok()?;
        let user = percent_decode(base.username());
        let password = percent_decode(base.password().unwrap_or(""));
        let _ = base.set_username("");
        let _ = base.set_password(None);
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .ok()?;
        Some(Api {
            base,
            user,
            password,
            client,
        })
    }

    fn endpoint(&self) -> String {
        self.base.to_string()
    }

    /// `/api/parameters/shovel/<vhost>/<name>`, each part escaped.
    fn parameter(&self, vhost: &str, name: &str) -> reqwest::Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend(["api", "parameters", "shovel", vhost, name]);
        }
        url
    }

    fn unreachable(&self, e: reqwest::Error) -> ShovelError {
        ShovelError::Unreachable {
            endpoint: self.endpoint(),
            reason: e.to_string(),
        }
    }

    async fn get(&self, url: reqwest::Url) -> Result<Option<Value>, ShovelError> {
        let answer = self
            .client
            .get(url)
            .basic_auth(&self.user, Some(&self.password))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let status = answer.status();
        let body = answer.text().await.map_err(|e| self.unreachable(e))?;
        if !status.is_success() {
            return Err(ShovelError::Refused {
                what: "reading a shovel".into(),
                status: status.as_u16(),
                body,
            });
        }
        Ok(serde_json::from_str(&body).ok())
    }

    async fn put(&self, url: reqwest::Url, body: &Value, what: &str) -> Result<(), ShovelError> {
        let answer = self
            .client
            .put(url)
            .basic_auth(&self.user, Some(&self.password))
            .json(body)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        Err(ShovelError::Refused {
            what: what.to_string(),
            status: status.as_u16(),
            body: answer.text().await.unwrap_or_default(),
        })
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The vhost of the hub's `amqp.url` (RabbitMQ's default `/` when none).
fn vhost(links: &SiteLinks) -> String {
    links
        .amqp
        .url
        .parse::<lapin::uri::AMQPUri>()
        .map(|uri| uri.vhost)
        .unwrap_or_else(|_| "/".into())
}

/// The shovel to `peer` as this hub wants it.
pub fn definition(links: &SiteLinks, peer: &crate::config::PeerSection) -> Value {
    let vhost = vhost(links);
    // The source is this very broker, on the hub's vhost.
    let source = if vhost == "/" {
        "amqp://".to_string()
    } else {
        format!("amqp:///{}", vhost.replace('%', "%25").replace('/', "%2F"))
    };
    json!({
        "src-protocol": "amqp091",
        "src-uri": source,
        "src-queue": links.names.outbound(&peer.code),
        "dest-protocol": "amqp091",
        "dest-uri": peer.amqp_url,
        "dest-exchange": peer.exchange,
        "dest-exchange-key": links.section.code,
        // A message leaves this broker only once the peer's confirmed it.
        "ack-mode": "on-confirm",
        "src-delete-after": "never",
        "reconnect-delay": 1,
    })
}

/// Declares every peer's shovel that is missing or differs; the number
/// declared.
pub async fn declare_all(links: &SiteLinks) -> Result<usize, ShovelError> {
    let Some(api) = Api::new(&links.section.management_url) else {
        return Err(ShovelError::Unreachable {
            endpoint: "site.management_url".into(),
            reason: "not a usable URL".into(),
        });
    };
    let vhost = vhost(links);
    let mut declared = 0;
    for peer in &links.section.peers {
        let name = links.names.shovel(&peer.code);
        let url = api.parameter(&vhost, &name);
        let wanted = definition(links, peer);
        let current = api.get(url.clone()).await?;
        if current.as_ref().and_then(|c| c.get("value")) == Some(&wanted) {
            continue;
        }
        let body = json!({ "component": "shovel", "vhost": vhost, "name": name, "value": wanted });
        api.put(url, &body, &format!("declaring shovel {name}"))
            .await?;
        tracing::info!(shovel = %name, peer = %peer.code, "declared the shovel to a peer site");
        declared += 1;
    }
    Ok(declared)
}

/// Keeps the shovels declared until the hub stops.
pub async fn keep(
    links: Arc<SiteLinks>,
    mut declared: watch::Receiver<bool>,
    mut stopping: watch::Receiver<bool>,
) {
    // The source queues first (quorum, declared by the hub), or the
    // shovel would declare them as classic queues.
    tokio::select! {
        ready = declared.wait_for(|ready| *ready) => if ready.is_err() { return },
        _ = stopping.changed() => return,
    }
    loop {
        if let Err(e) = declare_all(&links).await {
            tracing::warn!(error = %e, "could not check or declare the shovels to peer sites; trying again");
        }
        tokio::select! {
            _ = tokio::time::sleep(links.link_check_interval()) => {}
            _ = stopping.changed() => return,
        }
        if *stopping.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn credentials_in_the_url_are_decoded() {
        assert_eq!(percent_decode("p%40ss%2Fword"), "p@ss/word");
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode("odd%2"), "odd%2");
        assert_eq!(percent_decode("%ệ"), "%ệ");
    }
}

//! The sites demo's one RabbitMQ, as its operator sees it through the
//! management API: the plugins checked first (a missing one is named with
//! the command that enables it), a vhost per site created and deleted at the
//! end (which takes its queues and its shovels with it), a shovel deleted
//! by hand to cut a link, and a queue's depth read for the tally. The hubs
//! declare their own shovels; the demo never does.

use crate::demo::DemoError;
use reqwest::{Method, StatusCode, Url};
use serde_json::{json, Value};
use std::time::Duration;

/// What a site's broker must run (deploy/rabbitmq/enabled_plugins).
const PLUGINS: [&str; 2] = ["rabbitmq_shovel", "rabbitmq_management"];
pub const ENABLE: &str = "rabbitmq-plugins enable rabbitmq_shovel rabbitmq_management";

pub struct Broker {
    /// The management API without credentials.
    api: Url,
    user: String,
    password: String,
    /// `--amqp-url` without its vhost.
    amqp: Url,
    http: reqwest::Client,
}

fn decode(text: &str) -> String {
    // Credentials in a URL are percent-encoded; these are the usual few.
    text.replace("%40", "@")
        .replace("%3A", ":")
        .replace("%2F", "/")
        .replace("%25", "%")
}

fn bad_option(option: &str, problem: impl std::fmt::Display) -> DemoError {
    DemoError::Args {
        option: option.into(),
        problem: problem.to_string(),
    }
}

impl Broker {
    /// The broker of `--amqp-url` / `--management-url`, its plugins checked.
    pub async fn open(amqp_url: &str, management_url: &str) -> Result<Broker, DemoError> {
        let mut api = Url::parse(management_url)
            .map_err(|e| bad_option("--management-url", format!("is not a URL: {e}")))?;
        if !matches!(api.scheme(), "http" | "https") {
            return Err(bad_option("--management-url", "must start with http://"));
        }
        let user = match api.username() {
            "" => "guest".to_string(),
            user => decode(user),
        };
        let password = decode(api.password().unwrap_or("guest"));
        let _ = api.set_username("");
        let _ = api.set_password(None);
        let mut amqp = Url::parse(amqp_url)
            .map_err(|e| bad_option("--amqp-url", format!("is not a URL: {e}")))?;
        if amqp.scheme() != "amqp" || amqp.host_str().is_none() {
            return Err(bad_option(
                "--amqp-url",
                "must be amqp://user:password@host:port (the vhosts are the demo's own)",
            ));
        }
        amqp.set_path("");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| bad_option("--management-url", e))?;
        let broker = Broker {
            api,
            user,
            password,
            amqp,
            http,
        };
        broker.check_plugins().await?;
        Ok(broker)
    }

    pub fn endpoint(&self) -> String {
        self.api.to_string()
    }

    fn url(&self, path: &[&str]) -> Url {
        let mut url = self.api.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push("api").extend(path);
        }
        url
    }

    async fn call(
        &self,
        method: Method,
        path: &[&str],
        body: Option<Value>,
    ) -> Result<(StatusCode, String), DemoError> {
        let url = self.url(path);
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .basic_auth(&self.user, Some(&self.password));
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let answer = request.send().await.map_err(|e| DemoError::Broker {
            what: format!("{method} {}", url.path()),
            answer: format!(
                "no answer ({e}); is RabbitMQ running with its management plugin? Enable the plugins with: {ENABLE}"
            ),
        })?;
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        Ok((status, text))
    }

    async fn expect(
        &self,
        method: Method,
        path: &[&str],
        body: Option<Value>,
    ) -> Result<String, DemoError> {
        let (status, text) = self.call(method.clone(), path, body).await?;
        if status.is_success() {
            return Ok(text);
        }
        Err(DemoError::Broker {
            what: format!("{method} /api/{}", path.join("/")),
            answer: format!("{status}: {}", text.chars().take(200).collect::<String>()),
        })
    }

    async fn check_plugins(&self) -> Result<(), DemoError> {
        let (status, text) = self.call(Method::GET, &["nodes"], None).await?;
        let running: Vec<String> = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|nodes| nodes.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .flat_map(|node| node["applications"].as_array().cloned().unwrap_or_default())
            .filter_map(|app| app["name"].as_str().map(str::to_string))
            .collect();
        if !status.is_success() || running.is_empty() {
            return Err(DemoError::Broker {
                what: format!("reading the plugins at {}", self.endpoint()),
                answer: format!("{status}; the user needs the management (or administrator) tag"),
            });
        }
        let missing: Vec<&str> = PLUGINS
            .iter()
            .copied()
            .filter(|p| !running.iter().any(|r| r == p))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(DemoError::Plugins {
            missing: missing.join(", "),
        })
    }

    /// The AMQP URL of `vhost` on this broker (a hub's `amqp.url`, a
    /// shovel's destination).
    pub fn amqp_url(&self, vhost: &str) -> String {
        let mut url = self.amqp.clone();
        url.set_path(&format!("/{vhost}"));
        url.to_string()
    }

    /// The management API with its credentials (a hub's `site.management_url`).
    pub fn management_url(&self) -> String {
        let mut url = self.api.clone();
        let _ = url.set_username(&self.user);
        let _ = url.set_password(Some(&self.password));
        url.as_str().trim_end_matches('/').to_string()
    }

    /// Creates `vhost` (refusing one that exists: it is not the demo's) and
    /// gives the user every right on it.
    pub async fn create_vhost(&self, vhost: &str) -> Result<(), DemoError> {
        let (status, _) = self.call(Method::GET, &["vhosts", vhost], None).await?;
        if status.is_success() {
            return Err(DemoError::Broker {
                what: format!("creating vhost {vhost}"),
                answer: "it exists already (another demo's?); delete it or run again".into(),
            });
        }
        self.expect(Method::PUT, &["vhosts", vhost], Some(json!({})))
            .await?;
        let rights = json!({ "configure": ".*", "write": ".*", "read": ".*" });
        self.expect(
            Method::PUT,
            &["permissions", vhost, &self.user],
            Some(rights),
        )
        .await?;
        Ok(())
    }

    /// Deletes `vhost` with everything in it (queues, exchanges, shovels).
    pub async fn delete_vhost(&self, vhost: &str) -> Result<(), DemoError> {
        let (status, text) = self.call(Method::DELETE, &["vhosts", vhost], None).await?;
        if status.is_success() || status == StatusCode::NOT_FOUND {
            return Ok(());
        }
        Err(DemoError::Broker {
            what: format!("deleting vhost {vhost}"),
            answer: format!("{status}: {text}"),
        })
    }

    /// The dynamic shovels declared on `vhost`: name, source queue,
    /// destination.
    pub async fn shovels(&self, vhost: &str) -> Result<Vec<(String, String, String)>, DemoError> {
        let text = self
            .expect(Method::GET, &["parameters", "shovel", vhost], None)
            .await?;
        let listed: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
        Ok(listed
            .iter()
            .map(|s| {
                let value = &s["value"];
                let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
                (
                    text(&s["name"]),
                    text(&value["src-queue"]),
                    format!(
                        "{} {}",
                        redact(value["dest-uri"].as_str().unwrap_or_default()),
                        text(&value["dest-exchange"])
                    ),
                )
            })
            .collect())
    }

    /// Declares the dynamic shovel `name` on `vhost` (as a hub declares
    /// its links; the benchmark's raw shovel).
    pub async fn declare_shovel(
        &self,
        vhost: &str,
        name: &str,
        value: Value,
    ) -> Result<(), DemoError> {
        let body = json!({ "component": "shovel", "vhost": vhost, "name": name, "value": value });
        self.expect(
            Method::PUT,
            &["parameters", "shovel", vhost, name],
            Some(body),
        )
        .await
        .map(|_| ())
    }

    /// Whether the shovel `name` on `vhost` is running (the shovel
    /// management plugin's status).
    pub async fn shovel_running(&self, vhost: &str, name: &str) -> Result<bool, DemoError> {
        let text = self.expect(Method::GET, &["shovels", vhost], None).await?;
        let listed: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
        Ok(listed
            .iter()
            .any(|s| s["name"] == name && s["state"] == "running"))
    }

    pub async fn shovel_exists(&self, vhost: &str, name: &str) -> Result<bool, DemoError> {
        let (status, _) = self
            .call(Method::GET, &["parameters", "shovel", vhost, name], None)
            .await?;
        Ok(status.is_success())
    }

    pub async fn delete_shovel(&self, vhost: &str, name: &str) -> Result<(), DemoError> {
        self.expect(Method::DELETE, &["parameters", "shovel", vhost, name], None)
            .await
            .map(|_| ())
    }

    /// Messages in `queue` of `vhost` (ready and unacknowledged), as the
    /// management API last sampled them; 0 for a queue that does not exist.
    pub async fn queue_messages(&self, vhost: &str, queue: &str) -> Result<u64, DemoError> {
        let (status, text) = self
            .call(Method::GET, &["queues", vhost, queue], None)
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(0);
        }
        let value: Value = serde_json::from_str(&text).unwrap_or_default();
        Ok(value["messages"].as_u64().unwrap_or(0))
    }
}

/// An AMQP URL without its credentials, for the terminal.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

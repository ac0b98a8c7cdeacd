//! Adapter state across a crash: the real `lienthong` binary with one
//! partner's adapter, killed with SIGKILL mid-flow and started again on the
//! same data directory, while the partner's simulator (in this process)
//! keeps running. Each adapter's test shows the flow completes after the
//! restart with nothing lost or done twice: what the adapter remembered
//! (postal tracking, the portal's sync records, a pending payment) came
//! back from the hub's store.

use crate::common::{serve_binary, Client};
use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::process::Child;

mod national_portal;
mod payment;
mod postal;

/// A hub run as the real binary with one adapter partner, restartable.
pub struct KilledHub {
    _dir: tempfile::TempDir,
    config: PathBuf,
    data: PathBuf,
    child: Option<Child>,
    /// The gRPC address of the running hub.
    pub addr: SocketAddr,
    /// `[hub] http_listen`: the same port across restarts, so the partner's
    /// callbacks keep their URL.
    pub http: SocketAddr,
}

/// A free loopback port for `http_listen` (the binary prints only the gRPC
/// address, and callbacks must find the hub again after a restart).
fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address")
}

impl KilledHub {
    /// Starts the binary on the embedded development configuration plus
    /// `partner` (a `[[partners]]` table with its `adapter`).
    pub async fn start(partner: toml::Table) -> KilledHub {
        let dir = tempfile::tempdir().unwrap();
        let http = free_port();
        let mut extra = toml::Table::new();
        extra.insert("partners".into(), toml::Value::Array(vec![partner.into()]));
        let text = format!(
            "{}\n[delivery]\nmax_attempts = 10\ninitial_backoff_milliseconds = 20\nmax_backoff_seconds = 1\nconcurrency = 16\n\n{}",
            lienthong::config::EMBEDDED_DEFAULT
                .replacen("[hub]\n", &format!("[hub]\nhttp_listen = \"{http}\"\n"), 1),
            toml::to_string(&extra).expect("a partner table")
        );
        let config = dir.path().join("hub.toml");
        std::fs::write(&config, text).unwrap();
        let data = dir.path().join("data");
        let mut hub = KilledHub {
            _dir: dir,
            config,
            data,
            child: None,
            addr: http,
            http,
        };
        hub.run().await;
        hub
    }

    async fn run(&mut self) {
        let args = [
            OsStr::new("--config"),
            self.config.as_os_str(),
            OsStr::new("--web-listen"),
            OsStr::new("127.0.0.1:0"),
        ];
        let (child, addr) = serve_binary(args, &self.data).await;
        self.child = Some(child);
        self.addr = addr;
    }

    /// Waits until the partner's relay cursor, as stored, has reached every
    /// committed event: after a kill from here, nothing is offered to the
    /// adapter again, so only what the adapter kept can carry its flow on.
    pub async fn settled(&self, partner: &str) {
        use lienthong::grpc::pb::{self, admin_service_client::AdminServiceClient};
        let operator = self.client(crate::common::PORTAL).await;
        let mut admin = AdminServiceClient::connect(format!("http://{}", self.addr))
            .await
            .unwrap();
        for _ in 0..400 {
            let request = operator.req(pb::GetDeliveryStatusRequest {
                partner_id: partner.into(),
                dossier: None,
            });
            let status = admin
                .get_delivery_status(request)
                .await
                .unwrap()
                .into_inner()
                .status
                .unwrap();
            if status.cursor == status.committed {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the relay of {partner} never caught up");
    }

    /// SIGKILL, then the same binary on the same data directory.
    pub async fn kill_and_restart(&mut self) {
        let mut child = self.child.take().expect("running");
        child.start_kill().expect("SIGKILL");
        child.wait().await.expect("killed");
        self.run().await;
    }

    pub async fn client(&self, token: &str) -> Client {
        Client::connect(self.addr, token).await
    }

    /// The base URL of the partner's inbound routes.
    pub fn inbound_url(&self, partner: &str) -> String {
        format!("http://{}/partners/{partner}", self.http)
    }

    /// GET `path` below the partner's routes with `token`: 200 and JSON.
    pub async fn inbound_json(&self, partner: &str, path: &str, token: &str) -> serde_json::Value {
        let url = format!("{}/{path}", self.inbound_url(partner));
        let (status, body) = super::http("GET", &url, Some(token), None).await;
        assert_eq!(status, 200, "{url}: {body}");
        body
    }

    /// Waits (every 50 ms, 20 s at most) until `check` holds for the JSON
    /// at `path`; answers it.
    pub async fn wait_json(
        &self,
        partner: &str,
        path: &str,
        token: &str,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let url = format!("{}/{path}", self.inbound_url(partner));
        let mut last = serde_json::Value::Null;
        for _ in 0..400 {
            let (status, body) = super::http("GET", &url, Some(token), None).await;
            if status == 200 && check(&body) {
                return body;
            }
            last = body;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{what}: never; last answer of {url}: {last}");
    }

    /// Waits until dossier `id` is in status `wanted`; answers it.
    pub async fn wait_status(&self, id: u64, wanted: i32) -> lienthong::grpc::pb::GetDossierReply {
        let mut client = self.client(crate::common::ONE_STOP).await;
        for _ in 0..400 {
            let reply = client.get(id).await.expect("dossier");
            if reply.dossier.as_ref().map(|d| d.status) == Some(wanted) {
                return reply;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("dossier {id} never reached status {wanted}");
    }
}

/// A `[[partners]]` table for an adapter partner (every agency), as
/// `super::partner` builds its section.
pub fn partner_table(
    id: &str,
    token: &str,
    commands: &[&str],
    event_types: &[&str],
    adapter: toml::Table,
) -> toml::Table {
    let names =
        |list: &[&str]| toml::Value::Array(list.iter().map(|n| toml::Value::from(*n)).collect());
    let mut subscription = toml::Table::new();
    subscription.insert("event_types".into(), names(event_types));
    let mut partner = toml::Table::new();
    partner.insert("id".into(), id.into());
    partner.insert("kind".into(), "legacy".into());
    partner.insert("token".into(), token.into());
    partner.insert("commands".into(), names(commands));
    partner.insert("agencies".into(), names(&["*"]));
    partner.insert("subscription".into(), subscription.into());
    partner.insert("adapter".into(), adapter.into());
    partner
}

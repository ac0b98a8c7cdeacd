//! The TLS configurations in force, and reading their files again when they
//! change: every `reload_interval` the certificate, key and client-CA files
//! are read; when their bytes differ from the last ones tried, the
//! configurations are rebuilt. A good set replaces the old one for every new
//! handshake (connections already open keep theirs); a bad one is logged,
//! naming the key and the file, and the old set stays. Polling the bytes
//! (rather than waiting for a signal) also follows a Kubernetes secret,
//! which is swapped through a symbolic link.

use super::files::server_config;
use super::{Listener, TlsError, TlsFiles};
use rustls::ServerConfig;
use std::sync::{Arc, RwLock, Weak};

/// The server configurations of every listener, shared by the acceptors.
#[derive(Clone)]
pub struct ServerTls {
    inner: Arc<Inner>,
}

struct Inner {
    files: TlsFiles,
    state: RwLock<State>,
}

struct State {
    /// One per `Listener::ALL`, in that order.
    configs: Vec<Arc<ServerConfig>>,
    /// The files' bytes when the configurations were last built or tried.
    tried: Vec<Option<Vec<u8>>>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("files", &self.inner.files)
            .finish()
    }
}

fn build(files: &TlsFiles) -> Result<Vec<Arc<ServerConfig>>, TlsError> {
    Listener::ALL
        .into_iter()
        .map(|listener| server_config(files, listener))
        .collect()
}

/// The bytes of every file, `None` where one cannot be read now.
fn snapshot(files: &TlsFiles) -> Vec<Option<Vec<u8>>> {
    let mut paths = vec![&files.cert_file, &files.key_file];
    paths.extend(files.client_ca_file.as_ref());
    paths.into_iter().map(|p| std::fs::read(p).ok()).collect()
}

impl ServerTls {
    /// Reads and checks every file now (configuration load and start).
    pub fn load(files: &TlsFiles) -> Result<ServerTls, TlsError> {
        let tried = snapshot(files);
        let configs = build(files)?;
        Ok(ServerTls {
            inner: Arc::new(Inner {
                files: files.clone(),
                state: RwLock::new(State { configs, tried }),
            }),
        })
    }

    /// The configuration a new handshake on `listener` uses.
    pub fn config(&self, listener: Listener) -> Arc<ServerConfig> {
        let index = Listener::ALL
            .iter()
            .position(|l| *l == listener)
            .expect("every listener is in ALL");
        let state = self.inner.state.read().unwrap_or_else(|e| e.into_inner());
        state.configs[index].clone()
    }

    /// Reads the files again if they changed since the last try: `Ok(true)`
    /// when new configurations are in force, `Ok(false)` when nothing
    /// changed, the error (old configurations kept) otherwise.
    pub fn reload_if_changed(&self) -> Result<bool, TlsError> {
        let now = snapshot(&self.inner.files);
        {
            let state = self.inner.state.read().unwrap_or_else(|e| e.into_inner());
            if state.tried == now {
                return Ok(false);
            }
        }
        let built = build(&self.inner.files);
        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        state.tried = now;
        state.configs = built?;
        Ok(true)
    }

    /// Checks the files every `reload_interval` for as long as a listener
    /// holds this `ServerTls`.
    pub fn watch(&self) {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let every = self.inner.files.reload_interval;
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                let tls = ServerTls { inner };
                let checked = tokio::task::spawn_blocking({
                    let tls = tls.clone();
                    move || tls.reload_if_changed()
                })
                .await;
                match checked {
                    Ok(Ok(true)) => tracing::info!(
                        cert_file = %tls.inner.files.cert_file.display(),
                        "TLS certificates read again: new connections use them"
                    ),
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => tracing::error!(
                        key = e.key(),
                        error = %e,
                        "TLS files changed but cannot be used; the previous certificates stay in force"
                    ),
                    Err(join) => tracing::error!(error = %join, "TLS reload check failed"),
                }
            }
        });
    }
}

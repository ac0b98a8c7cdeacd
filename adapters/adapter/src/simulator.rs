//! Serving a partner simulator: every adapter crate ships one (for its tests,
//! the hub's integration tests and `lienthong demo`), and they all listen
//! and stop the same way.

/// Serves a simulator's routes on `addr` (`127.0.0.1:0` for any free port)
/// until the returned sender is dropped or fired; returns its base URL.
/// `app` is given that URL, for a simulator whose answers name itself.
pub async fn serve_simulator(
    addr: &str,
    name: &'static str,
    app: impl FnOnce(&str) -> axum::Router,
) -> std::io::Result<(String, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = app(&url);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let stopped = async {
            let _ = stopped.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::warn!(error = %e, simulator = name, "simulator stopped with an error");
        }
    });
    Ok((url, stop))
}

//! `Application`: binds the listener, serves until told to stop.

use super::{AppState, router};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Binds the configured address (port 0 picks a free port). The state
    /// then holds the address bound, which the host check compares with.
    pub async fn build(mut state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(state.settings.server.address).await?;
        let mut settings = (*state.settings).clone();
        settings.server.address = listener.local_addr()?;
        state.settings = Arc::new(settings);
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes the requests in
    /// flight and waits for the monitor's sampler to stop.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let monitor = self.state.monitor.clone();
        let closing = monitor.clone();
        let changes = self.state.changes.clone();
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        // Live event streams never finish by themselves: end them when
        // shutdown begins, or the graceful shutdown would wait for them.
        let shutdown = async move {
            shutdown.await;
            closing.close();
            changes.close();
        };
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        // The monitor's last minute is stored before the caller lets go of
        // the database.
        monitor.stopped().await;
        served
    }
}

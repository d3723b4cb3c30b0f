//! What every handler shares: the hub, the keys, the configuration.

use crate::auth::Keys;
use crate::config::Config;
use crate::hub::Hub;
use crate::rest::Nonces;
use rand::distributions::Alphanumeric;
use rand::Rng;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;
use tokio_util::task::TaskTracker;

/// Shared server state.
pub struct AppState {
    /// Connections, channels, presence.
    hub: Mutex<Hub>,
    /// Accepted API keys.
    pub keys: Keys,
    /// Flags the server started with.
    pub config: Config,
    /// Whether `GET /auth/token-request` is served.
    pub dev_auth: bool,
    /// Token request nonces seen recently, with when they were seen (40105 on reuse).
    pub nonces: Mutex<Nonces>,
    /// Turns true when the server is shutting down.
    pub shutdown: watch::Receiver<bool>,
    /// Live WebSocket sessions, awaited on shutdown so each can say DISCONNECTED.
    pub sessions: TaskTracker,
}

/// The state handle handlers get.
pub type Shared = Arc<AppState>;

impl AppState {
    /// State around a hub.
    pub fn new(
        hub: Hub,
        keys: Keys,
        config: Config,
        dev_auth: bool,
        shutdown: watch::Receiver<bool>,
    ) -> AppState {
        AppState {
            hub: Mutex::new(hub),
            keys,
            config,
            dev_auth,
            nonces: Mutex::new(Nonces::default()),
            shutdown,
            sessions: TaskTracker::new(),
        }
    }

    /// The hub, locked. A panic while it was held cannot leave it half-updated in a way
    /// that matters more than stopping every connection would, so poisoning is ignored.
    pub fn hub(&self) -> MutexGuard<'_, Hub> {
        self.hub
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `len` random letters and digits (ids, keys, nonces, secrets).
pub fn random_text(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

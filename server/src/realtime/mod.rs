//! The realtime WebSocket endpoint on `/`: connect parameters, authentication, and the
//! per-connection session loop.

mod connect;
mod session;

pub use connect::ConnectParams;
pub use session::run;

//! The realtime WebSocket endpoint on `/`: connect parameters, authentication, and the
//! per-connection session loop.

mod connect;
mod frames;
mod session;

pub use connect::ConnectParams;
pub use frames::frame_limit;
pub use session::run;

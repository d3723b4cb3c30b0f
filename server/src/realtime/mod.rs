//! The realtime WebSocket endpoint on `/`: the upgrade, connect parameters,
//! authentication, the per-connection session loop and how its frames go out.

mod connect;
mod fragments;
mod frames;
mod inbound;
mod rate;
mod salvage;
mod session;
mod upgrade;

pub use connect::ConnectParams;
pub use frames::socket_config;
pub use session::run;
pub use upgrade::Upgrade;

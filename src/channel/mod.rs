//! One channel as the client holds it: its state, presence set, own members and the
//! operations waiting for it to attach. `realtime::Realtime` drives the transitions.

mod record;
mod state;

pub use record::{Channel, ChannelOptions, Queued};
pub use state::{ChannelState, ChannelStateChange};

//! The realtime connection's vocabulary: options, states, the connect URL and the
//! queue of messages awaiting acknowledgement. `realtime::Realtime` drives them.

mod options;
mod pending;
mod state;
mod url;

pub use options::{AuthMethod, ClientOptions, Timeouts};
pub use pending::PendingQueue;
pub use state::{ConnectionState, ConnectionStateChange};
pub use url::connect_url;

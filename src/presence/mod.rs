//! The presence set of one channel, as a client sees it: who is here, merged by the
//! RTP2 newness rule, refreshed by SYNC with residual leaves (RTP18/RTP19), plus the
//! members this connection entered itself, for automatic re-entry (RTP17).

mod member;
mod newness;
mod own_members;
mod set;
mod sync_serial;

pub use member::Member;
pub use newness::{is_newer, message_position};
pub use own_members::OwnMembers;
#[cfg(target_arch = "wasm32")]
pub use set::seed_key_hashes;
pub use set::{Changes, MemberFilter, PresenceSet};
pub use sync_serial::parse_sync_serial;

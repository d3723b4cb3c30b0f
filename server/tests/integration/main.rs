//! Integration tests: a real roster-server process on an ephemeral loopback port,
//! driven over WebSocket and HTTP.

mod bad_input;
mod batch;
mod bounds;
mod consumers;
mod continuity;
mod expiry;
mod fragments;
mod http;
mod lifetime;
mod limits;
mod msgpack;
mod paging;
mod rate;
mod shutdown;
mod support;
mod sync;

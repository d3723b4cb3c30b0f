//! Roster: realtime presence for the browser, speaking the Ably realtime protocol.
//!
//! The crate is a sans-IO core: it never reads a clock or touches a socket. Callers feed
//! it bytes and the current time in milliseconds, then drain what it wants done — frames
//! to send, transports to open or close, events for the application — until it says
//! nothing more is due before its next deadline (`poll_timeout`). The same core runs
//! natively (tests, the server's wire types) and in the browser (`wasm` module).
//!
//! The core needs only `core` and `alloc`. The npm package's wasm build (without the `std`
//! feature) is `no_std`, so std's panic machinery stays out of it (`wasm` module's panic
//! handler); every other build links std as usual.

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

pub mod auth;
pub mod base64;
pub mod channel;
pub mod connection;
pub mod json;
pub mod presence;
pub mod protocol;
pub mod realtime;
pub mod rest;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

//! Browser tests: the wasm classes in headless Chromium against a live roster-server
//! (`bash tests/web.sh` starts one and passes its URL as ROSTER_TEST_URL at build time).
#![cfg(target_arch = "wasm32")]

mod support;

mod connection;
mod expiry;
mod key_hashes;
mod presence;
mod reconnect;
mod rest;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

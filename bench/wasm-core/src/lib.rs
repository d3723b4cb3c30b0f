//! One step of the core-throughput workload: decode a JSON frame as received from the
//! server and apply its presence messages to a `PresenceSet`. Built natively for the
//! native figure and with wasm-pack (`--target web`) for the browser one, so the two runs
//! execute the same code and the difference is the wasm boundary and engine.

use roster::presence::{parse_sync_serial, PresenceSet};
use roster::protocol::{decode_json, Action};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

/// A channel's presence set fed with raw frames.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen)]
#[derive(Default)]
pub struct Core {
    set: PresenceSet,
    events: u32,
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen)]
impl Core {
    /// An empty set.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen(constructor))]
    pub fn new() -> Core {
        Core::default()
    }

    /// Decode one PRESENCE or SYNC frame and apply it; returns false if it did not decode.
    pub fn apply(&mut self, frame: &str) -> bool {
        let Ok(mut msg) = decode_json(frame.as_bytes()) else {
            return false;
        };
        msg.fill_inner_from_parent();
        let now = msg.timestamp.unwrap_or(0);
        let sync_done = match (&msg.action, msg.channel_serial.as_deref()) {
            (Action::Sync, serial) => {
                if !self.set.is_syncing() {
                    self.set.start_sync();
                }
                serial
                    .and_then(parse_sync_serial)
                    .is_none_or(|(_, cursor)| cursor.is_empty())
            }
            _ => false,
        };
        for member in msg.presence.take().unwrap_or_default() {
            let (member, _) = member.decoded();
            if self.set.apply(member).is_some() {
                self.events += 1;
            }
        }
        if sync_done {
            self.events += self.set.end_sync(now).len() as u32;
        }
        true
    }

    /// Members present now.
    pub fn members(&self) -> u32 {
        self.set.len() as u32
    }

    /// Events the set produced so far (what an app's listeners would have been called with).
    pub fn events(&self) -> u32 {
        self.events
    }
}

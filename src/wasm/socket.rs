//! One WebSocket with its handlers. Frames the core sends before the socket opens wait
//! here; the handlers are detached before a close the core asked for, so the core only
//! hears of closes it did not make.

use super::Callback;
use crate::protocol::Frame;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

/// What the socket tells its owner.
pub enum SocketInput {
    /// One received message's bytes (text as UTF-8, or binary).
    Frame(Vec<u8>),
    /// The socket closed or failed.
    Closed,
}

/// An open or opening WebSocket.
pub struct Socket {
    ws: WebSocket,
    waiting: Rc<RefCell<Vec<Frame>>>,
    _on_event: Callback,
}

impl Socket {
    /// Opens `url`; `input` hears frames and the close. An invalid URL is an error.
    pub fn open(url: &str, input: impl Fn(SocketInput) + 'static) -> Result<Socket, JsValue> {
        let ws = WebSocket::new(url)?;
        let waiting: Rc<RefCell<Vec<Frame>>> = Rc::default();
        // One handler for open, message and close (see `listen`).
        let on_event = {
            let (ws, waiting) = (ws.clone(), waiting.clone());
            Callback::new(move |event: JsValue| {
                if let Some(text) = event.as_string() {
                    input(SocketInput::Frame(text.into_bytes()));
                } else if let Some(open) = event.as_bool() {
                    if open {
                        for frame in waiting.take() {
                            send_now(&ws, &frame);
                        }
                    } else {
                        input(SocketInput::Closed);
                    }
                } else {
                    input(SocketInput::Frame(
                        event.unchecked_into::<Uint8Array>().to_vec(),
                    ));
                }
            })
        };
        listen(&ws, on_event.as_ref());
        Ok(Socket {
            ws,
            waiting,
            _on_event: on_event,
        })
    }

    /// Sends now if open, else when it opens.
    pub fn send(&self, frame: Frame) {
        if self.ws.ready_state() == WebSocket::OPEN {
            send_now(&self.ws, &frame);
        } else {
            self.waiting.borrow_mut().push(frame);
        }
    }

    /// Closes without telling the owner (the core asked for it).
    pub fn close_quietly(self) {
        self.detach();
        let _ = self.ws.close();
    }

    /// Closes and lets the `close` handler report it, as a network failure would.
    #[cfg(feature = "test-hooks")]
    pub fn close_loudly(&self) {
        let _ = self.ws.close();
    }

    fn detach(&self) {
        listen(&self.ws, &JsValue::NULL);
    }
}

// Written in JS: helpers.js says why.
#[wasm_bindgen(module = "/src/wasm/helpers.js")]
extern "C" {
    /// Sets `ws`'s handlers to call `on` (see helpers.js), or with null, removes them.
    fn listen(ws: &WebSocket, on: &JsValue);
}

#[wasm_bindgen]
extern "C" {
    /// A WebSocket as `send_now` sends on it.
    type Sender;
    /// `ws.send(data)`: one import for text and binary frames alike, not one each.
    #[wasm_bindgen(method, catch)]
    fn send(this: &Sender, data: &JsValue) -> Result<(), JsValue>;
}

fn send_now(ws: &WebSocket, frame: &Frame) {
    let data = match frame {
        Frame::Text(text) => JsValue::from_str(text),
        Frame::Binary(bytes) => Uint8Array::from(&bytes[..]).into(),
    };
    // A send on a socket that is closing fails; its close event reaches the core anyway.
    let _ = ws.unchecked_ref::<Sender>().send(&data);
}

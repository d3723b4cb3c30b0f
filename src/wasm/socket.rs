//! One WebSocket with its handlers. Frames the core sends before the socket opens wait
//! here; the handlers are detached before a close the core asked for, so the core only
//! hears of closes it did not make.

use crate::protocol::Frame;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, MessageEvent, WebSocket};

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
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Socket {
    /// Opens `url`; `input` hears frames and the close. An invalid URL is an error.
    pub fn open(url: &str, input: impl Fn(SocketInput) + 'static) -> Result<Socket, JsValue> {
        let ws = WebSocket::new(url)?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let input = Rc::new(input);
        let waiting: Rc<RefCell<Vec<Frame>>> = Rc::default();
        let on_open = {
            let (ws, waiting) = (ws.clone(), waiting.clone());
            Closure::<dyn FnMut()>::new(move || {
                for frame in waiting.take() {
                    send_now(&ws, &frame);
                }
            })
        };
        let on_message = {
            let input = input.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let bytes = match data.as_string() {
                    Some(text) => text.into_bytes(),
                    None => js_sys::Uint8Array::new(&data).to_vec(),
                };
                input(SocketInput::Frame(bytes));
            })
        };
        let on_close = Closure::<dyn FnMut()>::new(move || input(SocketInput::Closed));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // `error` is always followed by `close`; listening to both would report twice.
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            waiting,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
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
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
    }
}

fn send_now(ws: &WebSocket, frame: &Frame) {
    // A send on a socket that is closing fails; its close event reaches the core anyway.
    let _ = match frame {
        Frame::Text(text) => ws.send_with_str(text),
        Frame::Binary(bytes) => ws.send_with_u8_array(bytes),
    };
}

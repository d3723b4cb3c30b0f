//! The run loop around the sans-IO core (drain contract, see `crate::realtime`): feed an
//! input with `Date.now()`, then drain transport commands, frames and events until none
//! are left, and arm one timer for `poll_timeout()`.
//!
//! Re-entrancy: JS listeners may call back into the SDK (`get()` from a presence
//! listener). Nothing JS-side runs while the core is borrowed: events and promise
//! settlements are queued during a drain and delivered after it, in order, by the
//! outermost call only.

use super::convert;
use super::error::to_js;
use super::event;
use super::members::Conversion;
use super::rest_client::RestClient;
use super::socket::{Socket, SocketInput};
use super::task;
use super::timer::Timeout;
use super::token::AuthSource;
use crate::auth::TokenDetails;
use crate::connection::ConnectionState;
use crate::protocol::{ErrorInfo, PresenceMessage, PresenceView};
use crate::realtime::{Completion, Event, OpId, Realtime, TransportCommand};
use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

/// Presence events converted per JSON text: a frame of 200 updates as one text held 64 KB
/// of wasm memory at once (and its events 27 KB more), which the allocator then had to
/// find in one piece among the members; 50 a text hold 16 KB.
const PRESENCE_RUN: usize = 50;

/// Something for JS, delivered after the core is released.
enum Outgoing {
    /// Pass this event object to the app's sink.
    Event(JsValue),
    /// Call this resolve or reject function with the value.
    Settle(Function, JsValue),
}

/// The core plus the browser resources it asked for.
pub struct Driver {
    core: RefCell<Realtime>,
    /// REST for history and tokens (authUrl / authCallback).
    pub rest: Rc<RestClient>,
    sink: Function,
    socket: RefCell<Option<Socket>>,
    /// The armed timer and the deadline it is for.
    timer: RefCell<Option<(u64, Timeout)>>,
    /// The report of a socket closed quietly or never opened. One-shot timers are held,
    /// not forgotten: a forgotten Timeout leaks its closure, and dropping a held one once
    /// it has fired frees it.
    closing: RefCell<Option<Timeout>>,
    /// The next slice of `converting`.
    next_slice: RefCell<Option<Timeout>>,
    /// Operations awaiting completion with their resolve and reject functions. A few at a
    /// time: a Vec costs less wasm than a HashMap instance of its own.
    pending: RefCell<Vec<(OpId, Function, Function)>>,
    outgoing: RefCell<Vec<Outgoing>>,
    /// Large get() results being converted, oldest first (members.rs).
    converting: RefCell<Vec<Conversion>>,
    is_flushing: Cell<bool>,
    #[cfg(feature = "test-hooks")]
    is_resume_spoiled: Cell<bool>,
    this: Weak<Driver>,
}

/// Milliseconds since the epoch: the only clock the core sees.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

impl Driver {
    /// A driver for `core`; `sink` receives every event object.
    pub fn new(core: Realtime, rest: Rc<RestClient>, sink: Function) -> Rc<Driver> {
        Rc::new_cyclic(|this| Driver {
            core: RefCell::new(core),
            rest,
            sink,
            socket: RefCell::new(None),
            timer: RefCell::new(None),
            closing: RefCell::new(None),
            next_slice: RefCell::new(None),
            pending: RefCell::new(Vec::new()),
            outgoing: RefCell::new(Vec::new()),
            converting: RefCell::new(Vec::new()),
            is_flushing: Cell::new(false),
            #[cfg(feature = "test-hooks")]
            is_resume_spoiled: Cell::new(false),
            this: this.clone(),
        })
    }

    /// Reads the core (for getters); never held across a call into JS.
    pub fn read<R>(&self, f: impl FnOnce(&Realtime) -> R) -> R {
        f(&self.core.borrow())
    }

    /// Feeds one input, then drains and delivers.
    pub fn input<R>(&self, f: impl FnOnce(&mut Realtime, u64) -> R) -> R {
        let result = f(&mut self.core.borrow_mut(), now());
        self.drain();
        result
    }

    /// Starts an operation; its promise settles on the matching `Completed` event.
    pub fn operation(&self, f: impl FnOnce(&mut Realtime, u64) -> OpId) -> Promise {
        let op = f(&mut self.core.borrow_mut(), now());
        self.promise_for(op)
    }

    /// The promise for `op`, registered before the drain that may complete it. Apart from
    /// `operation` so that its body is not copied into every caller.
    fn promise_for(&self, op: OpId) -> Promise {
        let (promise, resolve, reject) = task::settled_by();
        self.pending.borrow_mut().push((op, resolve, reject));
        self.drain();
        promise
    }

    /// Closes the socket under the core, like a network failure. With `silent_ms` > 0 the
    /// core hears of it only after that long (a laptop lid closed, then opened). With
    /// `spoil_resume` the next connect presents an unknown connection key, so the server
    /// refuses the resume as it would after losing the connection's state.
    #[cfg(feature = "test-hooks")]
    pub fn simulate_disconnect(&self, silent_ms: u32, spoil_resume: bool) {
        self.is_resume_spoiled.set(spoil_resume);
        if silent_ms == 0 {
            if let Some(socket) = self.socket.borrow().as_ref() {
                socket.close_loudly();
            }
            return;
        }
        let Some(socket) = self.socket.borrow_mut().take() else {
            return;
        };
        socket.close_quietly();
        let report = self.timeout(silent_ms, Driver::transport_closed);
        *self.closing.borrow_mut() = Some(report);
    }

    fn drain(&self) {
        let mut core = self.core.borrow_mut();
        // Held throughout: nothing below calls the app (sockets, timers and token
        // fetches report from the event loop), and events wait in `outgoing`.
        // Frames first: the core sends only on an open connection, so what an input sent
        // belongs to the socket it came in on, even if the input also closed it (a CLOSE
        // before closing the socket, as when the page is hidden).
        while let Some(frame) = core.poll_transmit() {
            if let Some(socket) = self.socket.borrow().as_ref() {
                socket.send(frame);
            }
        }
        while let Some(command) = core.poll_transport() {
            self.transport(command);
        }
        // Runs of presence events on one channel are converted together, up to
        // PRESENCE_RUN at a time; order with the rest is kept.
        let mut presence: Vec<(String, PresenceMessage)> = Vec::new();
        while let Some(event) = core.poll_event() {
            match event {
                Event::Presence { channel, message } => {
                    if presence.last().is_some_and(|(last, _)| *last != channel) {
                        self.queue_presence(&mut presence);
                    }
                    presence.push((channel, message));
                    if presence.len() == PRESENCE_RUN {
                        self.queue_presence(&mut presence);
                    }
                }
                other => {
                    self.queue_presence(&mut presence);
                    if let Event::ConnectionState(change) = &other {
                        self.learn_client_id(change.current, core.client_id());
                    }
                    self.handle_event(other);
                }
            }
        }
        self.queue_presence(&mut presence);
        self.arm_timer(core.poll_timeout());
        drop(core);
        self.flush();
    }

    /// As ably-js (RSA12a): once connected, the clientId the server confirmed, a token's
    /// included, is asked for in the client's later token requests.
    fn learn_client_id(&self, state: ConnectionState, client_id: Option<&str>) {
        if let (ConnectionState::Connected, Some(client_id)) = (state, client_id) {
            self.rest.token_params.borrow_mut().client_id = Some(client_id.into());
        }
    }

    /// Opens or closes the socket.
    fn transport(&self, command: TransportCommand) {
        if let Some(old) = self.socket.borrow_mut().take() {
            old.close_quietly();
        }
        let TransportCommand::Open { url } = command else {
            return;
        };
        #[cfg(feature = "test-hooks")]
        let url = match self.is_resume_spoiled.replace(false) {
            true => url.replace("resume=", "resume=spoiled"),
            false => url,
        };
        let this = self.this.clone();
        let input = move |input: SocketInput| {
            let Some(driver) = this.upgrade() else { return };
            match input {
                SocketInput::Frame(bytes) => {
                    driver.input(|core, now| core.handle_frame(&bytes, now))
                }
                SocketInput::Closed => {
                    driver.socket.borrow_mut().take();
                    driver.transport_closed();
                }
            }
        };
        match Socket::open(&url, input) {
            Ok(socket) => *self.socket.borrow_mut() = Some(socket),
            // An unusable URL fails like a refused connection, reported from the event loop
            // so that this drain finishes first.
            Err(_) => *self.closing.borrow_mut() = Some(self.timeout(0, Driver::transport_closed)),
        }
    }

    fn handle_event(&self, event: Event) {
        let outgoing = match event {
            Event::Completed { op, result } => {
                let mut pending = self.pending.borrow_mut();
                let Some(index) = pending.iter().position(|(id, ..)| *id == op) else {
                    return;
                };
                let (_, resolve, reject) = pending.swap_remove(index);
                drop(pending);
                match result {
                    Ok(Completion::Done) => Outgoing::Settle(resolve, JsValue::UNDEFINED),
                    Ok(Completion::Members {
                        members,
                        known,
                        retired,
                    }) => {
                        let conversion = Conversion::new(members, known, retired, resolve);
                        return self.settle_members(conversion);
                    }
                    Ok(Completion::Pong(rtt)) => {
                        Outgoing::Settle(resolve, JsValue::from(rtt as f64))
                    }
                    Ok(Completion::Token(details)) => {
                        Outgoing::Settle(resolve, convert::to_js(&details))
                    }
                    Err(error) => Outgoing::Settle(reject, to_js(&error)),
                }
            }
            Event::AuthRequired => {
                self.fetch_token(None);
                return;
            }
            other => Outgoing::Event(event::to_js(other)),
        };
        self.outgoing.borrow_mut().push(outgoing);
    }

    /// Settles a get() with its members: at once when they are few and no other result is
    /// still converting, else after the others, a slice per task so that no task converts
    /// them all. Results settle in the order the core took them, as the wrapper's member
    /// cache follows the latest one.
    fn settle_members(&self, conversion: Conversion) {
        let idle = self.converting.borrow().is_empty();
        self.converting.borrow_mut().push(conversion);
        if idle {
            self.convert_slice();
        }
    }

    fn convert_more(&self) {
        self.convert_slice();
        self.flush();
    }

    /// Converts a slice of the oldest result waiting, settling it once done, and asks for
    /// a later task while any result is left.
    fn convert_slice(&self) {
        let mut converting = self.converting.borrow_mut();
        let Some(conversion) = converting.first_mut() else {
            return;
        };
        if let Some((resolve, result)) = conversion.step() {
            converting.remove(0);
            self.outgoing
                .borrow_mut()
                .push(Outgoing::Settle(resolve, result));
        }
        if !converting.is_empty() {
            *self.next_slice.borrow_mut() = Some(self.timeout(0, Driver::convert_more));
        }
    }

    /// Queues a run of presence events on one channel as one event object.
    fn queue_presence(&self, run: &mut Vec<(String, PresenceMessage)>) {
        let Some((channel, _)) = run.first() else {
            return;
        };
        let messages: Vec<PresenceView> = run.iter().map(|(_, m)| m.view()).collect();
        let events = Outgoing::Event(event::presence_run_to_js(channel, &messages));
        self.outgoing.borrow_mut().push(events);
        run.clear();
    }

    /// The app's authorize(): a token from the client's auth, used by the connection
    /// once the core has it; settles with it once the server confirms it. With
    /// `brings_token` false, a client whose only credential is a fixed token has no way
    /// to get a new one: as in ably-js, that fails the call and the connection with
    /// 40171 (RSA4a) rather than sending the same token again.
    pub fn authorize(&self, brings_token: bool) -> Promise {
        let op = self.core.borrow_mut().start_authorize();
        if !brings_token && matches!(**self.rest.options.auth.borrow(), AuthSource::Token(_)) {
            let error = crate::realtime::no_token_renewal();
            self.core.borrow_mut().authorize_refused(op, error);
        } else {
            self.fetch_token(Some(op));
        }
        self.promise_for(op)
    }

    /// Gets a token for authorize() `op`, or (none) the one the core asked for.
    fn fetch_token(&self, op: Option<OpId>) {
        let this = self.this.clone();
        let rest = self.rest.clone();
        // Soon: this runs in a drain, with the core borrowed, and an authCallback may
        // call into the SDK.
        task::soon(move || {
            let client = rest.clone();
            let fetched = move |result: Result<TokenDetails, ErrorInfo>| {
                if let Ok(details) = &result {
                    // REST requests share the token, as in ably-js.
                    client.use_token(&details.token);
                }
                let can_renew = !matches!(**client.options.auth.borrow(), AuthSource::Token(_));
                if let Some(driver) = this.upgrade() {
                    driver.input(|core, now| match (result, op) {
                        (Ok(details), Some(op)) => core.authorized(op, details, can_renew, now),
                        (Ok(details), None) => core.authorize(details.token, now),
                        (Err(error), Some(op)) => core.authorize_refused(op, error),
                        (Err(error), None) => core.auth_failed(error, now),
                    });
                }
            };
            rest.own_token(Box::new(fetched));
        });
    }

    fn arm_timer(&self, deadline: Option<u64>) {
        let mut timer = self.timer.borrow_mut();
        // Most inputs only push the idle deadline a little later: a timer armed for an
        // earlier time stays, and the core re-arms it when it fires early (one
        // setTimeout per deadline reached rather than one per frame).
        if let (Some(at), Some((armed, _))) = (deadline, timer.as_ref()) {
            if *armed <= at {
                return;
            }
        }
        // Replacing the old Timeout drops it, which cancels it: one timer at a time.
        *timer = deadline.map(|at| {
            let delay = at.saturating_sub(now()).min(u32::MAX as u64) as u32;
            let timeout = self.timeout(delay, |driver| {
                driver.timer.borrow_mut().take();
                driver.input(|core, now| core.handle_timeout(now))
            });
            (at, timeout)
        });
    }

    /// Runs `action` on this driver after `delay` ms (with 0, in a task of its own queued
    /// now) unless it is gone by then (or the Timeout is dropped). One closure type for
    /// every timer: one instance in the wasm.
    fn timeout(&self, delay: u32, action: fn(&Driver)) -> Timeout {
        let this = self.this.clone();
        Timeout::new(delay, move || {
            if let Some(driver) = this.upgrade() {
                action(&driver);
            }
        })
    }

    fn transport_closed(&self) {
        self.input(|core, now| core.transport_closed(now));
    }

    fn flush(&self) {
        if self.is_flushing.replace(true) {
            return;
        }
        // Taken a batch at a time: whatever the listeners cause is queued behind the batch.
        loop {
            let batch = core::mem::take(&mut *self.outgoing.borrow_mut());
            if batch.is_empty() {
                break;
            }
            for next in batch {
                // A throwing listener must not stop delivery to the others.
                let _ = match next {
                    Outgoing::Event(event) => self.sink.call1(&JsValue::NULL, &event),
                    Outgoing::Settle(function, value) => function.call1(&JsValue::NULL, &value),
                };
            }
        }
        self.is_flushing.set(false);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(socket) = self.socket.get_mut().take() {
            socket.close_quietly();
        }
    }
}

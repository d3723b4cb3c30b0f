//! `Realtime`: the connection, channels and presence over one WebSocket. Every method
//! converts and forwards to the core through the `Driver`; the JS wrapper adds the
//! ably-js object shapes (`connection`, `channels.get(name).presence`) and listeners.

use super::data;
use super::driver::Driver;
use super::error::{rejected, set, to_js};
use super::ops;
use super::options::{
    auth_source, bool_field, field, host, number_field, pairs_field, string_field, Options,
};
use super::rest_client::RestClient;
use super::token::{AuthSource, TokenParams};
use crate::channel::ChannelOptions;
use crate::connection::{AuthMethod, ClientOptions};
use crate::json;
use crate::presence::MemberFilter;
use crate::protocol::{codes, ErrorInfo, Flags, Format, PresenceAction};
use crate::realtime as core;
use crate::text;
use alloc::rc::Rc;
use alloc::vec::Vec;
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;

/// A realtime client; `sink(event)` receives every event object (see `event.rs`).
#[wasm_bindgen]
pub struct Realtime {
    driver: Rc<Driver>,
}

#[wasm_bindgen]
impl Realtime {
    /// A client for `options` (ably-js names). Does not connect: the wrapper calls
    /// `connect()` unless `autoConnect` is false. Throws ErrorInfo (e.g. 40103).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, sink: Function) -> Result<Realtime, JsValue> {
        let js_options = options;
        let options = Options::from_js(&js_options).map_err(|e| to_js(&e))?;
        // As ably-js (RSA4): with `useTokenAuth`, a key signs TokenRequests and the
        // connection and REST requests carry the tokens they bring, not the key.
        let key_tokens = bool_field(&js_options, "useTokenAuth") == Some(true);
        // This build has no HMAC to sign with: refused here rather than failing later.
        #[cfg(not(feature = "rest"))]
        if key_tokens && matches!(**options.auth.borrow(), AuthSource::Key(_)) {
            let refusal = ErrorInfo::bad_request(super::token::NO_SIGNING);
            return Err(to_js(&refusal));
        }
        let client_options = client_options(&options, &js_options, key_tokens);
        // Each client's channels hash member keys from a seed of their own.
        crate::presence::seed_key_hashes(random_seed());
        let core = core::Realtime::new(client_options).map_err(|e| to_js(&e))?;
        let rest = RestClient::new(options, key_tokens).map_err(|e| to_js(&e))?;
        Ok(Realtime {
            driver: Driver::new(core, Rc::new(rest), sink),
        })
    }

    /// Every operation of the client, `op` (a number of `ops`, named below as the JS
    /// wrapper names it), on `channel` ('' for the client's own): one export for all, as
    /// each export costs glue and a wasm shim (`a` and `b` as the operation takes them,
    /// JsValues rather than `&str` or `Option<String>`; `channel` a `&str`, copied by the
    /// glue: 124 B gzip less than a String and a JsValue read in the wasm).
    /// The client's (see `lifecycle`): `connect`, `close`, `ping`, the page's events,
    /// `connection`, `recovery` and `authorize`. A channel's:
    /// - `enter`, `update`, `leave`: presence for clientId `a` if a string (enterClient
    ///   etc.), with data `b`; a promise. `released*`: the same for a released channel
    ///   object that is attached, sent as a publish is (see `presence_on`).
    /// - `publish`: the messages `a`, `[{ name, data, extras }]`, without attaching; a
    ///   promise.
    /// - `get`: presence.get(params `a`: `{ waitForSync, clientId, connectionId }`);
    ///   resolves with `{ versions, fresh, retired? }` (see `members::Conversion`),
    ///   members unchanged since version `b` (0: none) as versions only. The caller
    ///   follows the set: an unfiltered get may bring only the changes since the last
    ///   one, with `retired`. (The wrapper asks for every member and filters the list
    ///   it keeps in ably-js's order itself.)
    /// - `history`: presence.history(params `a`) over REST, with this client's credentials
    ///   (or, `a` a page's link, that page); a promise.
    /// - `attach`, `detach`: a promise.
    /// - `release`, channels.release(name): the ErrorInfo (90001) to throw unless the
    ///   channel is initialized, detached or failed, undefined when released.
    /// - `mute`, `unmute`: stops or resumes presence events for the channel (the wrapper
    ///   mutes channels whose presence has no listeners, so their events are neither made
    ///   nor converted).
    /// - `read`: the channel as `{ state, errorReason, syncComplete }`, with `a` true also
    ///   the granted `modes` (bits) and `params`.
    /// - `setOptions`: channel.setOptions(options `a`), with `b` the mode bits (0: none
    ///   asked); a promise. `getOptions`: the same for channels.get(name, options), but
    ///   an ErrorInfo 40000 to throw rather than attach again.
    pub fn op(&self, channel: &str, op: u32, a: JsValue, b: JsValue) -> JsValue {
        let action = match op {
            ops::ENTER | ops::RELEASED_ENTER => PresenceAction::Enter,
            ops::UPDATE | ops::RELEASED_UPDATE => PresenceAction::Update,
            ops::LEAVE | ops::RELEASED_LEAVE => PresenceAction::Leave,
            ops::PUBLISH => return self.publish(channel, a.unchecked_into()).into(),
            ops::GET => return self.presence_get(channel, &a, b).into(),
            ops::HISTORY => {
                let rest = self.driver.rest.clone();
                return super::history::presence_history(rest, channel, &a).into();
            }
            ops::READ => return self.read(channel, a.as_bool().unwrap_or(false)),
            set @ (ops::SET_OPTIONS | ops::GET_OPTIONS) => {
                let modes = b.as_f64().unwrap_or(0.0) as u32;
                return self.set_options(channel, modes, &a, set == ops::GET_OPTIONS);
            }
            ops::RELEASE => {
                return match self.driver.input(|c, _| c.release_channel(channel)) {
                    Ok(()) => JsValue::UNDEFINED,
                    Err(error) => to_js(&error),
                }
            }
            mute @ (ops::MUTE | ops::UNMUTE) => {
                let muted = mute == ops::MUTE;
                self.driver.input(|c, _| c.mute_presence(channel, muted));
                return JsValue::UNDEFINED;
            }
            op @ (ops::ATTACH | ops::DETACH) => {
                let attach = op == ops::ATTACH;
                let operation = self.driver.operation(|c, now| match attach {
                    true => c.attach(channel, now),
                    false => c.detach(channel, now),
                });
                return operation.into();
            }
            event => return self.lifecycle(event, a, b),
        };
        let client_id = a.as_string();
        let is_released = op >= ops::RELEASED_ENTER;
        match data::data_from_js(&b) {
            Ok(data) => self.driver.operation(|c, now| {
                c.presence_on(
                    channel,
                    action,
                    client_id,
                    data,
                    (!is_released).then_some(now),
                )
            }),
            Err(error) => rejected(&error),
        }
        .into()
    }

    /// Test hook: drops the socket as a failing network would; the core hears of it after
    /// `silentMs` (0: at once, so it resumes; longer: the server times the member out).
    /// `spoilResume` makes the server refuse the resume (a non-resumed reconnect).
    #[cfg(feature = "test-hooks")]
    #[wasm_bindgen(js_name = simulateDisconnect)]
    pub fn simulate_disconnect(&self, silent_ms: u32, spoil_resume: bool) {
        self.driver.simulate_disconnect(silent_ms, spoil_resume);
    }
}

impl Realtime {
    /// `op`'s client operations, the connection's lifecycle: `connect` (open, or retry
    /// now), `close`, and the page's `online` (reconnect now), `offline` (drop a connected
    /// transport) or `pagehide` (closeOnUnload: close at the server, hold channels for a
    /// restored page); and `ping`, a round trip to the server, whose promise resolves with the time in ms.
    /// `connection` gives the connection as `{ state, id, key, clientId, errorReason }`.
    /// `recovery`: with `a` a parsed recovery key (`{ connectionKey, msgSerial,
    /// channelSerials }`), continues another instance's connection before connecting;
    /// without (undefined or null), gives this connection's recovery key, the JSON text of
    /// createRecoveryKey(), or null when there is nothing to recover (RTN16g).
    /// `authorize`: auth.authorize(tokenParams `a`, authOptions `b`), a new token from the
    /// client's auth; `authOptions` and `tokenParams` given replace the stored ones for
    /// this and later tokens (RSA10g). Resolves with its TokenDetails once the connection
    /// uses it (see `Driver::authorize`).
    fn lifecycle(&self, event: u32, a: JsValue, b: JsValue) -> JsValue {
        match event {
            ops::PING => return self.driver.operation(|c, now| c.ping(now)).into(),
            ops::CONNECTION => return self.connection(),
            ops::RECOVERY => return self.recovery(a),
            ops::AUTHORIZE => return self.authorize(a, b).into(),
            _ => {}
        }
        self.driver.input(|c, now| match event {
            ops::CONNECT => c.connect(now),
            ops::CLOSE => c.close(now),
            ops::ONLINE => c.network_online(now),
            ops::OFFLINE => c.network_offline(now),
            // PAGEHIDE.
            _ => c.page_hidden(),
        });
        JsValue::UNDEFINED
    }

    /// `lifecycle`'s `connection`: the connection as `{ state, id, key, clientId,
    /// errorReason }`.
    fn connection(&self) -> JsValue {
        self.driver.read(|c| {
            let object: JsValue = Object::new().into();
            set(&object, "state", c.connection_state().name().into());
            set(&object, "id", optional_text(c.connection_id()));
            set(&object, "key", optional_text(c.connection_key()));
            set(&object, "clientId", optional_text(c.client_id()));
            let reason = c.error_reason().map_or(JsValue::NULL, to_js);
            set(&object, "errorReason", reason);
            object
        })
    }

    /// `lifecycle`'s `recovery` (RTN16).
    fn recovery(&self, key: JsValue) -> JsValue {
        if key.is_null_or_undefined() {
            return match self.driver.read(|c| c.recovery_key()) {
                Some(key) => json::to_string(&key).into(),
                None => JsValue::NULL,
            };
        }
        if let Some(connection_key) = string_field(&key, "connectionKey") {
            let key = core::RecoveryKey {
                connection_key,
                msg_serial: number_field(&key, "msgSerial").unwrap_or(0.0) as u64,
                channel_serials: pairs_field(&key, "channelSerials"),
            };
            self.driver.input(|c, _| c.recover(key));
        }
        JsValue::UNDEFINED
    }

    /// `lifecycle`'s `authorize` (RSA10, RTC8).
    fn authorize(&self, token_params: JsValue, auth_options: JsValue) -> Promise {
        let rest = &self.driver.rest;
        let brings_token = field(&auth_options, "token").is_some();
        if auth_options.is_object() {
            match auth_source(&auth_options) {
                Ok(source) => *rest.options.auth.borrow_mut() = Rc::new(source),
                Err(error) => return rejected(&error),
            }
        }
        if token_params.is_object() {
            let client_id = rest.options.client_id.as_deref();
            *rest.token_params.borrow_mut() = TokenParams::from_js(&token_params, client_id);
        }
        self.driver.authorize(brings_token)
    }

    /// `op`'s `read`: the channel as `{ state, errorReason, syncComplete }`, with
    /// `granted` also `modes` as the granted mode bits and `params` as granted (an object
    /// made only for the getters that read them, not for every `state` read).
    fn read(&self, channel: &str, granted: bool) -> JsValue {
        self.driver.read(|c| {
            let object: JsValue = Object::new().into();
            set(&object, "state", c.channel_state(channel).name().into());
            let reason = c.channel_error_reason(channel).map_or(JsValue::NULL, to_js);
            set(&object, "errorReason", reason);
            set(&object, "syncComplete", c.is_sync_complete(channel).into());
            if let Some(granted) = c.channel_granted(channel).filter(|_| granted) {
                set(&object, "modes", (granted.modes.0 as u32).into());
                let params: JsValue = Object::new().into();
                for (key, value) in granted.params.iter().flatten() {
                    set(&params, key, value.into());
                }
                set(&object, "params", params);
            }
            object
        })
    }

    /// `op`'s `setOptions` and, `strict`, `getOptions`: `modes` as mode bits (0:
    /// none asked), params from `options.params`. Returns the error rather than a Result,
    /// whose glue costs more wasm.
    fn set_options(&self, channel: &str, modes: u32, options: &JsValue, strict: bool) -> JsValue {
        let options = ChannelOptions {
            modes: Flags(modes.into()),
            params: field(options, "params").map(|_| pairs_field(options, "params")),
        };
        if strict && self.driver.read(|c| c.would_reattach(channel, &options)) {
            let message = "channels.get() cannot change the modes or params of an attached \
                channel: use channel.setOptions()";
            return to_js(&ErrorInfo::new(codes::BAD_REQUEST, 400, message));
        }
        self.driver
            .operation(|c, now| c.set_channel_options(channel, options, now))
            .into()
    }

    /// `op`'s `publish`.
    fn publish(&self, channel: &str, messages: Array) -> Promise {
        // A loop rather than collecting into a Result: that instance cost ~1 KB of wasm.
        let mut list = Vec::new();
        // By index with `get`, the accessor the other array walks use: no ArrayIter.
        for index in 0..messages.length() {
            match data::message_from_js(&messages.get(index)) {
                Ok(message) => list.push(message),
                Err(error) => return rejected(&error),
            }
        }
        self.driver.operation(|c, _| c.publish(channel, list))
    }

    /// `op`'s `get`: members unchanged since version `known` as versions only.
    fn presence_get(&self, channel: &str, params: &JsValue, known: JsValue) -> Promise {
        let filter = MemberFilter {
            client_id: string_field(params, "clientId"),
            connection_id: string_field(params, "connectionId"),
            known: known.as_f64().unwrap_or(0.0) as u64,
            follow: true,
        };
        let wait_for_sync = bool_field(params, "waitForSync").unwrap_or(true);
        self.driver
            .operation(|c, now| c.presence_get(channel, filter, wait_for_sync, now))
    }
}

/// A seed for the presence sets' key hashes and retry jitter: Math.random's 53 bits, not
/// a secret key, only a number an app's peers cannot know when they pick clientIds.
fn random_seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

/// A string, or `undefined` for none (cheaper glue than `Option<String>`).
fn optional_text(text: Option<&str>) -> JsValue {
    text.map_or(JsValue::UNDEFINED, JsValue::from)
}

/// msgpack frames if asked for and built in; JSON otherwise (as ably-js without msgpack).
fn format(use_binary_protocol: bool) -> Format {
    #[cfg(feature = "msgpack")]
    if use_binary_protocol {
        return Format::Msgpack;
    }
    let _ = use_binary_protocol;
    Format::Json
}

/// The core's options; a key authenticates itself unless `key_tokens` (it signs TokenRequests).
fn client_options(options: &Options, js: &JsValue, key_tokens: bool) -> ClientOptions {
    let auth = match &**options.auth.borrow() {
        AuthSource::Key(key) if !key_tokens => {
            AuthMethod::Key(text::concat(&[&key.key_name, ":", &key.secret]))
        }
        AuthSource::Token(token) => AuthMethod::Token(token.clone()),
        AuthSource::Key(_) | AuthSource::Url(_) | AuthSource::Callback(_) => AuthMethod::External,
    };
    let mut client = ClientOptions {
        host: host(js, "realtimeHost"),
        port: options.port,
        tls: options.tls,
        client_id: options.client_id.clone(),
        auth,
        first_token: super::options::given_token(js),
        format: format(bool_field(js, "useBinaryProtocol").unwrap_or(false)),
        echo_messages: bool_field(js, "echoMessages").unwrap_or(true),
        queue_messages: bool_field(js, "queueMessages").unwrap_or(true),
        transport_params: pairs_field(js, "transportParams"),
        agent: super::options::AGENT.into(),
        // Odd, so never 0 (no jitter): clients cut off together retry apart (RTB1).
        seed: random_seed() | 1,
        ..ClientOptions::default()
    };
    if let Some(ms) = number_field(js, "disconnectedRetryTimeout") {
        client.timeouts.disconnected_retry = ms as u64;
    }
    if let Some(ms) = number_field(js, "suspendedRetryTimeout") {
        client.timeouts.suspended_retry = ms as u64;
    }
    if let Some(ms) = number_field(js, "realtimeRequestTimeout") {
        client.timeouts.realtime_request = ms as u64;
    }
    if let Some(ms) = number_field(js, "channelRetryTimeout") {
        client.timeouts.channel_retry = ms as u64;
    }
    client
}

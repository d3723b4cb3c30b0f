//! The operations `Realtime::op` and `Rest::op` take, by number: the JS wrapper's `OP_`
//! constants (js/realtime-api.js) give the same numbers the same names. A number is
//! matched in one comparison; as names, the operations cost a string comparison each,
//! the names in the wasm's data and their copy into the wasm on every call (244 B gzip
//! more for the realtime app, 384 B for the full one).

/// presence.enter / enterClient.
pub const ENTER: u32 = 0;
/// presence.update / updateClient.
pub const UPDATE: u32 = 1;
/// presence.leave / leaveClient.
pub const LEAVE: u32 = 2;
/// channel.publish.
pub const PUBLISH: u32 = 3;
/// presence.get (Realtime's members, Rest's page).
pub const GET: u32 = 4;
/// presence.history, or a page a list links to.
pub const HISTORY: u32 = 5;
/// The channel's state for its getters.
pub const READ: u32 = 6;
/// channel.setOptions.
pub const SET_OPTIONS: u32 = 7;
/// channels.get(name, options).
pub const GET_OPTIONS: u32 = 8;
/// channels.release.
pub const RELEASE: u32 = 9;
/// Stop a channel's presence events.
pub const MUTE: u32 = 10;
/// Resume a channel's presence events.
pub const UNMUTE: u32 = 11;
/// channel.attach.
pub const ATTACH: u32 = 12;
/// channel.detach.
pub const DETACH: u32 = 13;
/// connection.ping.
pub const PING: u32 = 14;
/// The connection's state for its getters.
pub const CONNECTION: u32 = 15;
/// Recovery key in or out (RTN16).
pub const RECOVERY: u32 = 16;
/// auth.authorize.
pub const AUTHORIZE: u32 = 17;
/// connection.connect.
pub const CONNECT: u32 = 18;
/// connection.close.
pub const CLOSE: u32 = 19;
/// The page's `online` event.
pub const ONLINE: u32 = 20;
/// The page's `offline` event.
pub const OFFLINE: u32 = 21;
/// The page's `pagehide` event.
pub const PAGEHIDE: u32 = 22;
/// Rest's batchPresence.
pub const BATCH_PRESENCE: u32 = 23;
/// Rest's time.
pub const TIME: u32 = 24;
/// Rest's auth.createTokenRequest.
pub const CREATE_TOKEN_REQUEST: u32 = 25;
/// Rest's auth.requestToken.
pub const REQUEST_TOKEN: u32 = 26;
/// presence.enter of a released channel object that is attached (channels.release): the
/// wrapper asks for `RELEASED_ENTER` plus ENTER, UPDATE or LEAVE.
pub const RELEASED_ENTER: u32 = 27;
/// presence.update of a released channel object that is attached.
pub const RELEASED_UPDATE: u32 = 28;
/// presence.leave of a released channel object that is attached.
pub const RELEASED_LEAVE: u32 = 29;

//! A user's session scripted frame by frame against the sans-IO client: the test plays the
//! server with JSON frames and owns the clock. No sockets, no sleeps.
#![cfg(not(target_arch = "wasm32"))]

use roster::channel::ChannelState;
use roster::connection::{AuthMethod, ClientOptions, ConnectionState};
use roster::presence::MemberFilter;
use roster::protocol::{codes, Data, Frame, PresenceAction};
use roster::realtime::{Completion, Event, OpId, Realtime, TransportCommand};
use serde_json::{json, Value};

/// The client plus everything it has asked for so far, on a virtual clock.
struct Harness {
    client: Realtime,
    now: u64,
    sent: Vec<Value>,
    events: Vec<Event>,
    transport: Vec<TransportCommand>,
}

impl Harness {
    fn new(options: ClientOptions) -> Harness {
        let client = Realtime::new(options).expect("valid options");
        Harness {
            client,
            now: 0,
            sent: Vec::new(),
            events: Vec::new(),
            transport: Vec::new(),
        }
    }

    fn with_token() -> Harness {
        Harness::new(ClientOptions {
            host: "127.0.0.1".into(),
            port: 8080,
            tls: false,
            client_id: Some("ann".into()),
            auth: AuthMethod::Token("tok".into()),
            ..ClientOptions::default()
        })
    }

    /// A client that gets its tokens from the app (authUrl / authCallback).
    fn with_external_auth() -> Harness {
        Harness::new(ClientOptions {
            tls: false,
            auth: AuthMethod::External,
            ..ClientOptions::default()
        })
    }

    /// The drain contract: poll everything until each queue is empty.
    fn drain(&mut self) {
        while let Some(cmd) = self.client.poll_transport() {
            self.transport.push(cmd);
        }
        while let Some(frame) = self.client.poll_transmit() {
            let Frame::Text(text) = frame else {
                panic!("json client sent a binary frame");
            };
            self.sent
                .push(serde_json::from_str(&text).expect("client sends valid json"));
        }
        while let Some(event) = self.client.poll_event() {
            self.events.push(event);
        }
    }

    fn server(&mut self, frame: Value) {
        self.client
            .handle_frame(frame.to_string().as_bytes(), self.now);
        self.drain();
    }

    /// Moves the clock, firing every deadline on the way as a driver's timer would.
    fn advance_to(&mut self, t: u64) {
        while let Some(deadline) = self.client.poll_timeout() {
            if deadline > t {
                break;
            }
            self.now = self.now.max(deadline);
            self.client.handle_timeout(self.now);
            self.drain();
        }
        self.now = t;
    }

    fn act<R>(&mut self, f: impl FnOnce(&mut Realtime, u64) -> R) -> R {
        let result = f(&mut self.client, self.now);
        self.drain();
        result
    }

    fn take_sent(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.sent)
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    fn take_transport(&mut self) -> Vec<TransportCommand> {
        std::mem::take(&mut self.transport)
    }

    fn open_url(&mut self) -> String {
        match self.take_transport().as_slice() {
            [.., TransportCommand::Open { url }] => url.clone(),
            other => panic!("expected an Open, got {other:?}"),
        }
    }

    fn connected(&mut self, connection_id: &str, key: &str) {
        self.server(json!({
            "action": 4,
            "connectionId": connection_id,
            "connectionDetails": {
                "connectionKey": key,
                "clientId": "ann",
                "maxIdleInterval": 15000,
                "connectionStateTtl": 120000
            }
        }));
    }

    fn completion(&self, op: OpId) -> Option<&Result<Completion, roster::protocol::ErrorInfo>> {
        self.events.iter().find_map(|e| match e {
            Event::Completed { op: o, result } if *o == op => Some(result),
            _ => None,
        })
    }

    fn connection_events(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::ConnectionState(change) => Some(change.current.name()),
                _ => None,
            })
            .collect()
    }

    fn presence_events(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Presence { message, .. } => Some((
                    message.action.name().to_owned(),
                    message.client_id.clone().unwrap_or_default(),
                )),
                _ => None,
            })
            .collect()
    }
}

fn actions(frames: &[Value]) -> Vec<u64> {
    frames.iter().filter_map(|f| f["action"].as_u64()).collect()
}

/// Connects and attaches `room` with a two-page SYNC of bob and carol.
fn attached_with_members(h: &mut Harness) {
    h.act(|c, now| c.connect(now));
    let url = h.open_url();
    assert!(url.starts_with("ws://127.0.0.1:8080/?access_token=tok&clientId=ann&format=json"));
    h.connected("c1", "k1");
    assert_eq!(h.client.connection_state(), ConnectionState::Connected);
    let attach = h.act(|c, now| c.attach("room", now));
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 10, "channel": "room"})]
    );
    h.server(json!({"action": 11, "channel": "room", "flags": 1}));
    assert_eq!(h.completion(attach), Some(&Ok(Completion::Done)));
    let get = h.act(|c, now| c.presence_get("room", MemberFilter::default(), true, now));
    assert!(h.completion(get).is_none(), "get waits for the sync");
    h.server(json!({"action": 16, "channel": "room", "channelSerial": "s1:cursor1",
        "presence": [{"action": 1, "clientId": "bob", "connectionId": "c2", "id": "c2:0:0", "timestamp": 5}]}));
    assert!(!h.client.is_sync_complete("room"));
    h.server(json!({"action": 16, "channel": "room", "channelSerial": "s1:",
        "presence": [{"action": 1, "clientId": "carol", "connectionId": "c3", "id": "c3:0:0", "timestamp": 5}]}));
    assert!(h.client.is_sync_complete("room"));
    match h.completion(get) {
        Some(Ok(Completion::Members { members, .. })) => assert_eq!(members.len(), 2),
        other => panic!("get did not complete with members: {other:?}"),
    }
}

#[test]
fn session_syncs_enters_resumes_and_reenters_after_a_new_connection() {
    let mut h = Harness::with_token();
    attached_with_members(&mut h);
    assert_eq!(
        h.presence_events(),
        vec![
            ("present".into(), "bob".into()),
            ("present".into(), "carol".into())
        ]
    );
    h.take_events();

    // Enter, ACKed; the server echoes our own enter.
    let enter = h.act(|c, now| {
        c.presence(
            "room",
            PresenceAction::Enter,
            None,
            Some(Data::String("hi".into())),
            now,
        )
    });
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 14, "channel": "room", "msgSerial": 0,
            "presence": [{"action": 2, "data": "hi"}]})]
    );
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(enter), Some(&Ok(Completion::Done)));
    h.server(
        json!({"action": 14, "channel": "room", "connectionId": "c1", "id": "c1:0",
        "channelSerial": "0a", "timestamp": 10,
        "presence": [{"action": 2, "clientId": "ann", "data": "hi"}]}),
    );
    assert_eq!(h.presence_events(), vec![("enter".into(), "ann".into())]);
    h.take_events();

    // An update in flight when the transport drops is resent with its serial on resume.
    h.now = 1_000;
    let update = h.act(|c, now| {
        c.presence(
            "room",
            PresenceAction::Update,
            None,
            Some(Data::String("away".into())),
            now,
        )
    });
    assert_eq!(h.take_sent()[0]["msgSerial"], 1);
    h.act(|c, now| c.transport_closed(now));
    assert_eq!(h.connection_events(), vec!["disconnected", "connecting"]);
    assert!(
        h.open_url().ends_with("&resume=k1"),
        "first reconnect is immediate and resumes"
    );
    h.take_events();
    h.connected("c1", "k2");
    let resent = h.take_sent();
    assert_eq!(actions(&resent), vec![14, 10], "the resend, then re-attach");
    assert_eq!(resent[0]["msgSerial"], 1);
    assert_eq!(
        resent[1],
        json!({"action": 10, "channel": "room", "channelSerial": "0a"}),
        "the re-attach names the last serial seen (RTL4c1, RTN15c6)"
    );
    assert_eq!(h.client.channel_state("room"), ChannelState::Attaching);
    h.server(json!({"action": 1, "msgSerial": 1, "count": 1}));
    assert_eq!(h.completion(update), Some(&Ok(Completion::Done)));
    // What the server fans out before its ATTACHED: presence applies, messages wait for
    // the replay that follows the ATTACHED (RTL17).
    h.server(
        json!({"action": 14, "channel": "room", "connectionId": "c1", "id": "c1:1",
        "channelSerial": "0c", "timestamp": 1000,
        "presence": [{"action": 4, "clientId": "ann", "data": "away"}]}),
    );
    h.server(
        json!({"action": 15, "channel": "room", "channelSerial": "0d",
        "messages": [{"name": "early", "data": "x", "id": "c2:5:0", "connectionId": "c2"}]}),
    );
    assert_eq!(h.presence_events(), vec![("update".into(), "ann".into())]);
    assert!(!h.events.iter().any(|e| matches!(e, Event::Message { .. })));
    h.take_events();
    h.server(json!({"action": 11, "channel": "room", "flags": 5, "channelSerial": "0d"}));
    assert_eq!(h.client.channel_state("room"), ChannelState::Attached);
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 14, "channel": "room", "msgSerial": 2,
            "presence": [{"action": 2, "id": "c1:1:0", "clientId": "ann", "data": "away"}]})],
        "own member re-entered with its id, for the server to absorb (RTP17g1)"
    );
    // The replayed backlog, then the SYNC: carol left while we were away.
    h.server(
        json!({"action": 14, "channel": "room", "channelSerial": "0b", "timestamp": 900,
        "presence": [{"action": 3, "clientId": "carol", "connectionId": "c3", "id": "!x-1:0:0"}]}),
    );
    h.server(
        json!({"action": 15, "channel": "room", "channelSerial": "0d",
        "messages": [{"name": "early", "data": "x", "id": "c2:5:0", "connectionId": "c2"}]}),
    );
    h.server(json!({"action": 16, "channel": "room", "channelSerial": "s2:",
        "presence": [
            {"action": 1, "clientId": "bob", "connectionId": "c2", "id": "c2:0:0", "timestamp": 5},
            {"action": 1, "clientId": "ann", "connectionId": "c1", "id": "c1:1:0", "timestamp": 1000,
             "data": "away"}]}));
    assert_eq!(
        h.presence_events(),
        vec![("leave".into(), "carol".into())],
        "the resume shows only what happened in the gap"
    );
    let messages = h
        .events
        .iter()
        .filter(|e| matches!(e, Event::Message { .. }))
        .count();
    assert_eq!(messages, 1, "the replayed message, once");
    h.server(json!({"action": 1, "msgSerial": 2, "count": 1}));
    h.take_events();

    // A new connection: serials restart, the channel re-attaches, ann is re-entered.
    h.now = 2_000;
    h.act(|c, now| c.transport_closed(now));
    assert!(h.open_url().ends_with("&resume=k2"));
    h.server(json!({"action": 4, "connectionId": "c9",
        "connectionDetails": {"connectionKey": "k9", "clientId": "ann", "maxIdleInterval": 15000},
        "error": {"code": 80008, "statusCode": 400, "message": "unable to recover"}}));
    assert_eq!(h.client.connection_id(), Some("c9"));
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 10, "channel": "room", "channelSerial": "0d"})],
        "the server decides whether it can resume the channel"
    );
    assert_eq!(h.client.channel_state("room"), ChannelState::Attaching);
    h.server(json!({"action": 11, "channel": "room", "flags": 1}));
    let reentered = h.take_sent();
    assert_eq!(
        reentered,
        vec![json!({"action": 14, "channel": "room", "msgSerial": 0,
            "presence": [{"action": 2, "clientId": "ann", "data": "away"}]})]
    );
    h.server(json!({"action": 2, "msgSerial": 0, "count": 1,
        "error": {"code": 40160, "statusCode": 401, "message": "no"}}));
    // As ably-js: 91004/400 whatever the refusal's status, the refusal as the cause.
    assert!(h.events.iter().any(|e| matches!(e,
        Event::PresenceReenterFailed { channel, error } if channel == "room"
            && error.code == codes::PRESENCE_REENTER_FAILED && error.status_code == 400
            && error.cause.as_ref().is_some_and(|cause| cause.code == 40160))));
}

#[test]
fn an_update_made_while_down_is_not_undone_by_the_reentry_on_a_new_connection() {
    let mut h = Harness::with_token();
    attached_with_members(&mut h);
    let enter = h.act(|c, now| {
        c.presence(
            "room",
            PresenceAction::Enter,
            None,
            Some(Data::String("here".into())),
            now,
        )
    });
    h.take_sent();
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(enter), Some(&Ok(Completion::Done)));
    h.server(
        json!({"action": 14, "channel": "room", "presence": [{"action": 2,
        "clientId": "ann", "connectionId": "c1", "id": "c1:0:0", "timestamp": 6, "data": "here"}]}),
    );
    // The transport drops; the app updates meanwhile; the server cannot resume.
    h.act(|c, now| c.transport_closed(now));
    let update = h.act(|c, now| {
        c.presence(
            "room",
            PresenceAction::Update,
            None,
            Some(Data::String("away".into())),
            now,
        )
    });
    h.take_sent();
    h.connected("c9", "k9");
    h.take_sent();
    h.server(json!({"action": 11, "channel": "room", "flags": 1}));
    // The update went out with the new connection; no ENTER with "here" follows it.
    let sent = h.take_sent();
    assert!(
        sent.iter().all(|f| f["presence"][0]["data"] != "here"),
        "no re-entry with the data the update replaced: {sent:?}"
    );
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(update), Some(&Ok(Completion::Done)));
}

/// An app whose token gives the clientId (no clientId option) may enter before the
/// connection is up, as in ably-js: the enter waits for the attach and is sent then.
#[test]
fn enter_before_connected_waits_for_the_token_s_client_id() {
    let mut h = Harness::new(ClientOptions {
        tls: false,
        auth: AuthMethod::Token("tok".into()),
        ..ClientOptions::default()
    });
    h.act(|c, now| c.connect(now));
    let op = h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now));
    assert_eq!(h.completion(op), None);
    h.server(json!({"action": 4, "connectionId": "c1",
        "connectionDetails": {"connectionKey": "k", "clientId": "ada"}}));
    h.server(json!({"action": 11, "channel": "room", "flags": 1}));
    let sent = h.take_sent();
    assert_eq!(
        actions(&sent).last(),
        Some(&14),
        "the enter sent once attached: {sent:?}"
    );
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(op), Some(&Ok(Completion::Done)));
}

#[test]
fn enter_without_client_id_fails_locally() {
    let mut h = Harness::new(ClientOptions {
        tls: false,
        auth: AuthMethod::Token("tok".into()),
        ..ClientOptions::default()
    });
    h.act(|c, now| c.connect(now));
    h.server(
        json!({"action": 4, "connectionId": "c1", "connectionDetails": {"connectionKey": "k"}}),
    );
    let op = h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now));
    match h.completion(op) {
        Some(Err(error)) => assert_eq!(error.code, codes::INVALID_CLIENT_ID),
        other => panic!("expected 40012, got {other:?}"),
    }
    assert!(h.take_sent().is_empty());
}

#[test]
fn silence_past_max_idle_interval_drops_and_reconnects() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.take_transport();
    h.connected("c1", "k1");
    h.advance_to(24_999);
    assert_eq!(h.client.connection_state(), ConnectionState::Connected);
    h.advance_to(25_000);
    let commands = h.take_transport();
    assert_eq!(commands[0], TransportCommand::Close);
    assert!(matches!(&commands[1], TransportCommand::Open { url } if url.ends_with("resume=k1")));
    let disconnected = h.events.iter().find_map(|e| match e {
        Event::ConnectionState(c) if c.current == ConnectionState::Disconnected => Some(c),
        _ => None,
    });
    let disconnected = disconnected.expect("a disconnected change");
    let reason = disconnected.reason.as_ref().map(|r| r.code);
    assert_eq!(reason, Some(codes::CONNECTION_DISCONNECTED));
    // Reconnecting at once, yet retryIn is the wait ably-js computes: 15 s less jitter.
    let retry_in = disconnected.retry_in;
    assert!(matches!(retry_in, Some(12_000..=15_000)), "{retry_in:?}");
}

#[test]
fn failed_attempts_retry_then_suspend_after_the_state_ttl() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.open_url();
    h.act(|c, now| c.transport_closed(now));
    assert_eq!(h.client.connection_state(), ConnectionState::Disconnected);
    h.advance_to(14_999);
    assert!(h.take_transport().is_empty());
    h.advance_to(15_000);
    h.open_url();
    // Every attempt times out after realtime_request; past 120 s we are suspended.
    h.advance_to(130_000);
    assert_eq!(h.client.connection_state(), ConnectionState::Suspended);
    h.take_transport();
    let suspended_at = h.now;
    let retry = h.client.poll_timeout().expect("suspended retry armed");
    assert!(retry > suspended_at && retry <= suspended_at + 30_000);
    h.advance_to(retry);
    assert_eq!(h.client.connection_state(), ConnectionState::Connecting);
}

/// Connected as c1 with the server's connectionStateTtl of `ttl` ms.
fn connected_with_state_ttl(h: &mut Harness, ttl: u64) {
    h.act(|c, now| c.connect(now));
    h.server(json!({"action": 4, "connectionId": "c1",
        "connectionDetails": {"connectionKey": "k1", "connectionStateTtl": ttl}}));
    assert_eq!(h.client.connection_state(), ConnectionState::Connected);
}

#[test]
fn suspended_when_the_state_ttl_has_passed_since_the_loss_not_at_the_next_failure() {
    let mut h = Harness::with_token();
    connected_with_state_ttl(&mut h, 20_000);
    h.now = 1_000;
    // Dropped: straight back to connecting; that attempt and the one 15 s later fail.
    h.act(|c, now| c.transport_closed(now));
    h.now = 1_010;
    h.act(|c, now| c.transport_closed(now));
    h.advance_to(16_010);
    h.act(|c, now| c.transport_closed(now));
    h.take_events();
    h.advance_to(20_999);
    assert_eq!(h.client.connection_state(), ConnectionState::Disconnected);
    // As ably-js's suspend timer: at the TTL after the loss, not at the retry at 31 s.
    h.advance_to(21_000);
    assert_eq!(
        changes(&h),
        vec![("suspended", Some((codes::CONNECTION_SUSPENDED, 400)))]
    );
    // ably-js's reason for it, word for word.
    let message = h.client.error_reason().map(|e| e.message.as_str());
    assert_eq!(message, Some("Connection to server unavailable"));
    assert_eq!(h.client.poll_timeout(), Some(21_000 + 30_000));
}

#[test]
fn an_attempt_still_under_way_when_the_state_ttl_runs_out_is_dropped_for_suspended() {
    let mut h = Harness::with_token();
    connected_with_state_ttl(&mut h, 5_000);
    h.take_transport();
    h.now = 1_000;
    h.act(|c, now| c.transport_closed(now));
    h.open_url();
    h.take_events();
    // The attempt hangs (its own timeout is 10 s): suspended at 6 s, its socket closed.
    h.advance_to(6_000);
    assert_eq!(
        changes(&h),
        vec![("suspended", Some((codes::CONNECTION_SUSPENDED, 400)))]
    );
    assert_eq!(h.take_transport(), vec![TransportCommand::Close]);
    // The next attempt, from suspended, is a new connection.
    h.advance_to(36_000);
    assert!(!h.open_url().contains("resume="));
}

#[test]
fn an_attempt_that_never_connects_is_unable_to_connect_and_close_passes_through_closing() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.open_url();
    h.act(|c, now| c.transport_closed(now));
    // As ably-js: a transport that never connected is 80003 with 404, "unable to connect".
    assert_eq!(
        h.client.error_reason().map(|r| (r.code, r.status_code)),
        Some((codes::CONNECTION_DISCONNECTED, 404))
    );
    h.events.clear();
    h.act(|c, now| c.close(now));
    let states: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::ConnectionState(c) => Some((c.current, c.reason.as_ref().map(|r| r.code))),
            _ => None,
        })
        .collect();
    // Nothing to wait for, yet the app hears of closing first, as with ably-js.
    let closed = Some(codes::CONNECTION_CLOSED);
    assert_eq!(
        states,
        vec![
            (ConnectionState::Closing, closed),
            (ConnectionState::Closed, closed)
        ]
    );
}

#[test]
fn attach_timeout_suspends_the_channel_and_retries() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    let op = h.act(|c, now| c.attach("room", now));
    h.take_sent();
    // Heartbeats keep the connection alive while the attach goes unanswered.
    h.now = 9_000;
    h.server(json!({"action": 0}));
    h.advance_to(10_000);
    assert_eq!(h.client.channel_state("room"), ChannelState::Suspended);
    match h.completion(op) {
        Some(Err(error)) => assert_eq!(error.code, codes::CHANNEL_TIMEOUT),
        other => panic!("expected 90007, got {other:?}"),
    }
    h.server(json!({"action": 0}));
    h.now = 20_000;
    h.server(json!({"action": 0}));
    h.advance_to(25_000);
    assert_eq!(h.client.channel_state("room"), ChannelState::Attaching);
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 10, "channel": "room"})]
    );
}

#[test]
fn ping_completes_with_the_round_trip() {
    let mut h = Harness::with_token();
    let early = h.act(|c, now| c.ping(now));
    match h.completion(early) {
        Some(Err(error)) => assert_eq!(error.code, codes::BAD_REQUEST, "not connected: {error:?}"),
        other => panic!("ping before connecting did not fail: {other:?}"),
    }
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    let op = h.act(|c, now| c.ping(now));
    let id = h.take_sent()[0]["id"].clone();
    h.now = 42;
    h.server(json!({"action": 0, "id": id}));
    assert_eq!(h.completion(op), Some(&Ok(Completion::Pong(42))));
}

#[test]
fn a_muted_channel_follows_its_members_without_presence_events() {
    let mut h = Harness::with_token();
    h.act(|c, _| c.mute_presence("room", true));
    attached_with_members(&mut h);
    h.server(json!({"action": 14, "channel": "room",
        "presence": [{"action": 3, "clientId": "bob", "connectionId": "c2", "id": "c2:1:0", "timestamp": 6}]}));
    assert_eq!(h.presence_events(), Vec::<(String, String)>::new());
    let get = h.act(|c, now| c.presence_get("room", MemberFilter::default(), false, now));
    match h.completion(get) {
        Some(Ok(Completion::Members { members, .. })) => assert_eq!(members.len(), 1, "bob left"),
        other => panic!("get did not complete with members: {other:?}"),
    }

    h.act(|c, _| c.mute_presence("room", false));
    h.server(json!({"action": 14, "channel": "room",
        "presence": [{"action": 2, "clientId": "dave", "connectionId": "c4", "id": "c4:0:0", "timestamp": 7}]}));
    assert_eq!(
        h.presence_events(),
        vec![("enter".to_owned(), "dave".to_owned())]
    );
}

/// A server that restarted knows bob on a new connection only: the last page's members
/// come after the leaves it ends, as ably-js tells them, so an app keying its list by
/// clientId still lists bob.
#[test]
fn a_last_sync_page_tells_the_leaves_it_ends_before_its_members() {
    let mut h = Harness::with_token();
    attached_with_members(&mut h);
    h.take_events();
    h.server(json!({"action": 16, "channel": "room", "channelSerial": "s9:",
        "presence": [{"action": 1, "clientId": "bob", "connectionId": "c9", "id": "c9:0:0", "timestamp": 50}]}));
    let mut events = h.presence_events();
    let member = events.pop();
    events.sort();
    assert_eq!(
        (events, member),
        (
            vec![
                ("leave".into(), "bob".into()),
                ("leave".into(), "carol".into())
            ],
            Some(("present".into(), "bob".into()))
        ),
        "the leaves (in any order), then bob's new member"
    );
}

#[test]
fn garbage_and_unknown_frames_change_nothing() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    h.take_events();
    for frame in [
        &b"not json"[..],
        b"{}",
        b"{\"action\":99}",
        b"{\"action\":11,\"channel\":\"nope\"}",
        b"{\"action\":16,\"channel\":\"nope\",\"presence\":[{\"action\":1}]}",
        b"[1,2]",
    ] {
        h.client.handle_frame(frame, 0);
        h.drain();
    }
    assert!(h.events.is_empty());
    assert_eq!(h.client.connection_state(), ConnectionState::Connected);
}

#[test]
fn close_sends_close_and_waits_for_closed() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    h.take_transport();
    h.act(|c, now| c.close(now));
    assert_eq!(h.take_sent(), vec![json!({"action": 7})]);
    assert_eq!(h.client.connection_state(), ConnectionState::Closing);
    h.server(json!({"action": 8}));
    assert_eq!(h.client.connection_state(), ConnectionState::Closed);
    assert_eq!(h.take_transport(), vec![TransportCommand::Close]);
    // As ably-js, the reason for closing and closed is 80017, and so is errorReason.
    let reasons: Vec<Option<u32>> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::ConnectionState(c) if c.current != ConnectionState::Connected => {
                Some(c.reason.as_ref().map(|r| r.code))
            }
            _ => None,
        })
        .collect();
    let closed = Some(codes::CONNECTION_CLOSED);
    assert_eq!(reasons[reasons.len() - 2..], [closed, closed]);
    assert_eq!(h.client.error_reason().map(|e| e.code), closed);
}

#[test]
fn connect_while_closing_ends_the_close_and_connects_afresh() {
    let mut h = Harness::with_token();
    attached_with_members(&mut h);
    h.take_transport();
    h.take_events();
    h.act(|c, now| c.close(now));
    assert_eq!(h.take_sent(), vec![json!({"action": 7})]);
    // As ably-js: connect() while closing is not lost. The close ends now (no CLOSED
    // waited for), its channels detached, and a new connection is made, not a resume.
    h.act(|c, now| c.connect(now));
    assert_eq!(
        h.connection_events(),
        vec!["closing", "closed", "connecting"]
    );
    assert_eq!(h.client.channel_state("room"), ChannelState::Detached);
    match h.take_transport().as_slice() {
        [TransportCommand::Close, TransportCommand::Open { url }] => {
            assert!(!url.contains("resume="), "{url}")
        }
        other => panic!("expected the old transport closed, a new one opened: {other:?}"),
    }
    h.connected("c2", "k2");
    assert_eq!(h.client.connection_state(), ConnectionState::Connected);
    // Nothing attaches again: the close detached the channels.
    assert!(h.take_sent().is_empty());
}

#[test]
fn external_auth_asks_for_a_token_before_opening() {
    let mut h = Harness::with_external_auth();
    h.act(|c, now| c.connect(now));
    assert!(h.events.contains(&Event::AuthRequired));
    assert!(h.take_transport().is_empty());
    h.act(|c, now| c.authorize("t1".into(), now));
    assert!(h.open_url().contains("access_token=t1"));
    h.take_events();
    h.server(
        json!({"action": 9, "error": {"code": 40142, "statusCode": 401, "message": "expired"}}),
    );
    assert!(h.events.contains(&Event::AuthRequired));
    // As ably-js 2.x (RTN14b): disconnected with the server's 40142, then at once a new
    // attempt with a fresh token.
    assert_eq!(
        changes(&h),
        vec![
            ("disconnected", Some((codes::TOKEN_EXPIRED, 401))),
            ("connecting", None)
        ]
    );
    h.act(|c, now| c.authorize("t2".into(), now));
    assert!(h.open_url().contains("access_token=t2"));
}

#[test]
fn external_auth_connects_first_with_the_token_the_app_gave() {
    // `token` beside an authUrl or authCallback: used first, renewed when refused, as
    // ably-js (an expired TokenDetails included: ably-js does not check `expires` before
    // it knows the server's clock).
    let mut h = Harness::new(ClientOptions {
        tls: false,
        auth: AuthMethod::External,
        first_token: Some("given".into()),
        ..ClientOptions::default()
    });
    h.act(|c, now| c.connect(now));
    assert!(!h.events.contains(&Event::AuthRequired));
    assert!(h.open_url().contains("access_token=given"));
    h.take_events();
    h.server(
        json!({"action": 9, "error": {"code": 40142, "statusCode": 401, "message": "expired"}}),
    );
    assert_eq!(
        changes(&h),
        vec![
            ("disconnected", Some((codes::TOKEN_EXPIRED, 401))),
            ("connecting", None)
        ]
    );
    assert!(h.events.contains(&Event::AuthRequired));
    h.act(|c, now| c.authorize("fresh".into(), now));
    assert!(h.open_url().contains("access_token=fresh"));
    h.connected("c1", "k1");
    assert_eq!(h.client.connection_state(), ConnectionState::Connected);
}

/// A DISCONNECTED frame for an expired token.
fn token_expired() -> Value {
    json!({"action": 6, "error": {"code": 40142, "statusCode": 401, "message": "token expired"}})
}

#[test]
fn expired_token_while_connected_renews_at_once_and_resumes() {
    let mut h = Harness::new(ClientOptions {
        tls: false,
        client_id: Some("ann".into()),
        auth: AuthMethod::External,
        ..ClientOptions::default()
    });
    h.act(|c, now| c.connect(now));
    h.act(|c, now| c.authorize("t1".into(), now));
    assert!(h.open_url().contains("access_token=t1"));
    h.connected("c1", "k1");
    h.act(|c, now| c.attach("room", now));
    h.server(json!({"action": 11, "channel": "room"}));
    h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now));
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    h.server(
        json!({"action": 14, "channel": "room", "connectionId": "c1", "id": "c1:0",
        "timestamp": 10, "presence": [{"action": 2, "clientId": "ann"}]}),
    );
    h.take_sent();
    h.take_events();

    // RTN15h2: disconnected, and a new token asked for at once (no retry delay).
    h.now = 5_000;
    h.server(token_expired());
    assert_eq!(h.connection_events(), vec!["disconnected", "connecting"]);
    let disconnected = h.events.iter().find_map(|e| match e {
        Event::ConnectionState(c) if c.current == ConnectionState::Disconnected => Some(c),
        _ => None,
    });
    let disconnected = disconnected.expect("a disconnected change");
    assert_eq!(
        disconnected.reason.as_ref().map(|r| r.code),
        Some(codes::TOKEN_EXPIRED)
    );
    // As ably-js: the change says the wait it computed (15 s less up to 20 % jitter),
    // though the retry is made at once.
    let retry_in = disconnected.retry_in;
    assert!(matches!(retry_in, Some(12_000..=15_000)), "{retry_in:?}");
    assert!(h.events.contains(&Event::AuthRequired));
    assert_eq!(h.take_transport(), vec![TransportCommand::Close]);
    h.take_events();

    // The fresh token goes out with the resume; the same connection comes back.
    h.act(|c, now| c.authorize("t2".into(), now));
    let url = h.open_url();
    assert!(url.contains("access_token=t2"), "{url}");
    assert!(url.ends_with("&resume=k1"), "{url}");
    h.connected("c1", "k2");
    assert_eq!(h.client.connection_id(), Some("c1"));
    assert_eq!(h.client.connection_state(), ConnectionState::Connected);
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 10, "channel": "room"})],
        "resumed: the channel re-attaches"
    );
    h.server(json!({"action": 11, "channel": "room", "flags": 5}));
    h.server(json!({"action": 16, "channel": "room", "presence": [
        {"action": 1, "clientId": "ann", "connectionId": "c1", "id": "c1:0:0", "timestamp": 10}]}));
    assert_eq!(h.client.channel_state("room"), ChannelState::Attached);
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 14, "channel": "room", "msgSerial": 1,
            "presence": [{"action": 2, "id": "c1:0:0", "clientId": "ann"}]})],
        "re-entered with its id, which the server absorbs"
    );
    assert!(h.presence_events().is_empty(), "nobody entered or left");
    assert!(!h.events.contains(&Event::AuthRequired));
    let members = h.act(|c, now| c.presence_get("room", MemberFilter::default(), false, now));
    match h.completion(members) {
        Some(Ok(Completion::Members { members, .. })) => {
            assert_eq!(members.len(), 1);
            assert_eq!(members[0].view().client_id, Some("ann"));
        }
        other => panic!("ann is still a member: {other:?}"),
    }
}

#[test]
fn one_immediate_renewal_per_disconnection_then_the_retry_delay() {
    let mut h = Harness::with_external_auth();
    h.act(|c, now| c.connect(now));
    h.act(|c, now| c.authorize("t1".into(), now));
    h.connected("c1", "k1");
    h.take_transport();
    h.server(token_expired());
    h.act(|c, now| c.authorize("t2".into(), now));
    assert!(h.open_url().contains("access_token=t2"));
    h.take_events();

    // The renewed attempt fails with a token error too: no second immediate renewal.
    h.server(
        json!({"action": 9, "error": {"code": 40142, "statusCode": 401, "message": "expired"}}),
    );
    assert_eq!(h.client.connection_state(), ConnectionState::Disconnected);
    assert!(!h.events.contains(&Event::AuthRequired));
    assert_eq!(h.take_transport(), vec![TransportCommand::Close]);
    // Disconnected the second time since connected: 4/3 × 15 s, as ably-js (RTB1).
    h.advance_to(19_999);
    assert!(!h.events.contains(&Event::AuthRequired));
    h.advance_to(20_000);
    assert!(h.events.contains(&Event::AuthRequired));
    h.act(|c, now| c.authorize("t3".into(), now));
    let url = h.open_url();
    assert!(
        url.contains("access_token=t3") && url.ends_with("&resume=k1"),
        "{url}"
    );
}

/// The connection changes so far as (state, reason code, reason status code).
fn changes(h: &Harness) -> Vec<(&'static str, Option<(u32, u16)>)> {
    h.events
        .iter()
        .filter_map(|e| match e {
            Event::ConnectionState(c) => Some((
                c.current.name(),
                c.reason.as_ref().map(|r| (r.code, r.status_code)),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn expired_fixed_token_while_connected_is_disconnected_then_failed_with_no_renewal() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    h.take_transport();
    h.take_events();
    h.server(token_expired());
    // As ably-js 2.x: disconnected at once with the server's 40142, then the attempt to
    // reconnect finds no way to renew the token (40171, 403) without opening a socket.
    assert_eq!(
        changes(&h),
        vec![
            ("disconnected", Some((codes::TOKEN_EXPIRED, 401))),
            ("connecting", None),
            ("failed", Some((codes::NO_TOKEN_RENEWAL, 403))),
        ]
    );
    assert_eq!(h.take_transport(), vec![TransportCommand::Close]);
    assert!(!h.events.contains(&Event::AuthRequired));
    assert_eq!(h.client.poll_timeout(), None);
    // connect() again: as ably-js, the refused token is not sent again (differential-10).
    h.take_events();
    h.act(|c, now| c.connect(now));
    assert_eq!(
        changes(&h),
        vec![
            ("connecting", None),
            ("failed", Some((codes::NO_TOKEN_RENEWAL, 403))),
        ]
    );
    assert!(h.take_transport().is_empty());
}

#[test]
fn expired_fixed_token_while_connecting_fails_with_no_renewal() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.open_url();
    h.take_events();
    h.server(
        json!({"action": 9, "error": {"code": 40142, "statusCode": 401, "message": "expired"}}),
    );
    // As ably-js 2.x (RTN14b): disconnected with the server's 40142 and a new attempt at
    // once, which finds no way to renew the token (as a token that expired while
    // connected does).
    assert_eq!(
        changes(&h),
        vec![
            ("disconnected", Some((codes::TOKEN_EXPIRED, 401))),
            ("connecting", None),
            ("failed", Some((codes::NO_TOKEN_RENEWAL, 403)))
        ]
    );
    assert_eq!(h.take_transport(), vec![TransportCommand::Close]);
}

/// TokenDetails as an auth server gives them, for "ann".
fn token_for_ann(token: &str) -> roster::auth::TokenDetails {
    roster::auth::TokenDetails {
        token: token.into(),
        key_name: Some("app.key".into()),
        issued: Some(1),
        expires: Some(3_600_001),
        capability: Some(r#"{"*":["*"]}"#.into()),
        client_id: Some("ann".into()),
    }
}

#[test]
fn authorize_while_connected_keeps_the_connection_channel_and_members() {
    let mut h = Harness::with_token();
    attached_with_members(&mut h);
    let enter = h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now));
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(enter), Some(&Ok(Completion::Done)));
    h.take_sent();
    h.take_events();

    // The app's authorize(): the driver got a token from the app's authUrl.
    let op = h.act(|c, _| c.start_authorize());
    h.act(|c, now| c.authorized(op, token_for_ann("tok2"), true, now));
    assert_eq!(
        h.take_sent(),
        vec![json!({"action": 17, "auth": {"accessToken": "tok2"}})]
    );
    assert!(h.take_transport().is_empty(), "the same transport");
    assert!(
        h.completion(op).is_none(),
        "not before the server confirms it"
    );
    h.connected("c1", "k1");
    assert_eq!(
        h.completion(op),
        Some(&Ok(Completion::Token(token_for_ann("tok2"))))
    );
    assert!(h.events.iter().any(|e| matches!(e,
        Event::ConnectionState(change) if change.event == "update")));
    assert_eq!(h.client.connection_id(), Some("c1"));
    assert_eq!(h.client.channel_state("room"), ChannelState::Attached);
    assert!(h.take_sent().is_empty(), "no re-attach, no re-enter");
    assert!(h.presence_events().is_empty());
    h.take_events();

    // A token client authorized from an authUrl renews from it later (RSA10g): an
    // expired token asks the driver for one instead of failing.
    h.server(token_expired());
    assert!(h.events.contains(&Event::AuthRequired));
    assert_ne!(h.client.connection_state(), ConnectionState::Failed);
}

#[test]
fn authorize_refused_by_the_server_fails_the_operation_with_its_error() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    // A token string whose clientId only the server knows.
    let token = roster::auth::TokenDetails {
        client_id: None,
        ..token_for_ann("bob-token")
    };
    let op = h.act(|c, _| c.start_authorize());
    h.act(|c, now| c.authorized(op, token, true, now));
    h.server(
        json!({"action": 9, "error": {"code": 40102, "statusCode": 401,
        "message": "the new token's clientId does not match the connection's"}}),
    );
    match h.completion(op) {
        Some(Err(error)) => assert_eq!(error.code, codes::INCOMPATIBLE_CREDENTIALS),
        other => panic!("expected 40102, got {other:?}"),
    }
    assert_eq!(h.client.connection_state(), ConnectionState::Failed);
}

#[test]
fn leave_on_a_closed_connection_is_refused_as_closed() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    h.act(|c, now| c.close(now));
    h.server(json!({"action": 8}));
    let leave = h.act(|c, now| c.presence("room", PresenceAction::Leave, None, None, now));
    match h.completion(leave) {
        Some(Err(error)) => assert_eq!(error.code, codes::CONNECTION_CLOSED),
        other => panic!("expected 80017, got {other:?}"),
    }
}

#[test]
fn detach_forgets_the_members_and_a_later_attach_does_not_reenter() {
    let mut h = Harness::with_token();
    attached_with_members(&mut h);
    let enter = h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now));
    h.take_sent();
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(enter), Some(&Ok(Completion::Done)));
    h.act(|c, now| c.detach("room", now));
    h.server(json!({"action": 13, "channel": "room"}));
    h.take_sent();
    h.take_events();
    // No stale members while detached (RTP5a), and no leave events for them either.
    let get = h.act(|c, now| c.presence_get("room", MemberFilter::default(), false, now));
    match h.completion(get) {
        Some(Ok(Completion::Members { members, .. })) => assert!(members.is_empty()),
        other => panic!("get did not complete with members: {other:?}"),
    }
    assert_eq!(h.presence_events(), Vec::<(String, String)>::new());
    h.server(json!({"action": 11, "channel": "room"}));
    assert_eq!(
        actions(&h.take_sent()),
        vec![10],
        "attached again without re-entering ann"
    );
}

#[test]
fn attach_again_before_the_detach_is_answered_attaches_and_supersedes_the_detach() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    h.act(|c, now| c.attach("room", now));
    h.server(json!({"action": 11, "channel": "room", "channelSerial": "0a"}));
    // A component unmounts and mounts again: detach, then attach before DETACHED.
    let detach = h.act(|c, now| c.detach("room", now));
    let attach = h.act(|c, now| c.attach("room", now));
    let sent = h.take_sent();
    assert_eq!(actions(&sent), vec![10, 12, 10]);
    // The attachment was given up: a fresh attach, not a resume from "0a", which the
    // server no longer holds for this connection once it took the DETACH.
    assert_eq!(sent[2].get("channelSerial"), None);
    match h.completion(detach) {
        Some(Err(error)) => assert_eq!((error.code, error.status_code), (90000, 409)),
        other => panic!("expected the detach superseded, got {other:?}"),
    }
    // The server answers in order: the DETACHED for the DETACH, then the ATTACHED.
    h.server(json!({"action": 13, "channel": "room"}));
    assert_eq!(h.client.channel_state("room"), ChannelState::Attaching);
    assert_eq!(h.completion(attach), None);
    h.server(json!({"action": 11, "channel": "room"}));
    assert_eq!(h.client.channel_state("room"), ChannelState::Attached);
    assert_eq!(h.completion(attach), Some(&Ok(Completion::Done)));
    // A DETACH the lost transport carried is never answered: after the reconnect, a
    // DETACHED nobody asked for while attaching suspends the channel (RTL13b).
    h.act(|c, now| c.detach("room", now));
    h.act(|c, now| c.attach("room", now));
    h.act(|c, now| c.transport_closed(now));
    h.connected("c1", "k2");
    assert_eq!(h.client.channel_state("room"), ChannelState::Attaching);
    h.server(json!({"action": 13, "channel": "room"}));
    assert_eq!(h.client.channel_state("room"), ChannelState::Suspended);
    let reason = h.client.channel_error_reason("room").cloned();
    assert_eq!(reason.map(|e| (e.code, e.status_code)), Some((90001, 404)));
}

#[test]
fn detach_while_the_connection_is_down_is_sent_once_connected_again() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    for room in ["room", "hall", "lobby"] {
        h.act(|c, now| c.attach(room, now));
        h.server(json!({"action": 11, "channel": room}));
    }
    h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now));
    h.server(json!({"action": 1, "msgSerial": 0}));
    h.take_sent();
    // The transport drops; the app leaves the rooms before it is back, attaches one of
    // them again and another again then leaves it. As ably-js 2.28, a detach while down
    // is detached at once.
    h.act(|c, now| c.transport_closed(now));
    let detach = h.act(|c, now| c.detach("room", now));
    for room in ["hall", "lobby"] {
        h.act(|c, now| c.detach(room, now));
        h.act(|c, now| c.attach(room, now));
    }
    h.act(|c, now| c.detach("lobby", now));
    assert_eq!(h.client.channel_state("room"), ChannelState::Detached);
    assert_eq!(h.completion(detach), Some(&Ok(Completion::Done)));
    // Released too (a component unmounting): the DETACH owed is not forgotten with it.
    assert_eq!(h.client.release_channel("room"), Ok(()));
    assert_eq!(h.client.channel_state("room"), ChannelState::Initialized);
    assert!(h.take_sent().is_empty());
    // The resumed connection still has them attached at the server, and the member: a
    // DETACH goes now for those still detached or released (in name order: hall, lobby,
    // room).
    h.connected("c1", "k2");
    let sent = h.take_sent();
    assert_eq!(
        sent,
        vec![
            json!({"action": 10, "channel": "hall"}),
            json!({"action": 12, "channel": "lobby"}),
            json!({"action": 12, "channel": "room"}),
        ]
    );
    h.take_events();
    h.server(json!({"action": 13, "channel": "room"}));
    assert_eq!(h.client.channel_state("room"), ChannelState::Initialized);
    assert!(
        h.take_events().is_empty(),
        "the answer changes nothing for the app"
    );
}

#[test]
fn an_enter_waiting_for_the_attach_outlives_a_detach_the_app_takes_back() {
    let mut h = Harness::with_token();
    h.act(|c, now| c.connect(now));
    h.connected("c1", "k1");
    let enter = |h: &mut Harness| {
        h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now))
    };
    // Queued while attaching, then a detach the app takes back with an attach.
    let first = enter(&mut h);
    h.act(|c, now| c.detach("room", now));
    h.act(|c, now| c.attach("room", now));
    assert_eq!(actions(&h.take_sent()), vec![10, 12, 10]);
    assert_eq!(h.completion(first), None, "still queued");
    h.server(json!({"action": 11, "channel": "room"}));
    h.server(json!({"action": 13, "channel": "room"}));
    h.server(json!({"action": 11, "channel": "room"}));
    assert_eq!(actions(&h.take_sent()), vec![14], "sent once attached");
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(first), Some(&Ok(Completion::Done)));
    // Queued, then detached for good: refused once DETACHED comes (RTL11).
    h.act(|c, now| c.detach("other", now));
    let second = h.act(|c, now| c.presence("other", PresenceAction::Enter, None, None, now));
    h.act(|c, now| c.detach("other", now));
    assert_eq!(h.completion(second), None);
    h.server(json!({"action": 11, "channel": "other"}));
    h.server(json!({"action": 13, "channel": "other"}));
    assert_eq!(h.client.channel_state("other"), ChannelState::Detached);
    match h.completion(second) {
        Some(Err(error)) => assert_eq!(error.code, 90001),
        other => panic!("expected the enter refused, got {other:?}"),
    }
}

#[test]
fn a_wildcard_token_reports_clientid_star_and_still_cannot_enter_as_itself() {
    let mut h = Harness::new(ClientOptions {
        tls: false,
        auth: AuthMethod::Token("tok".into()),
        ..ClientOptions::default()
    });
    h.act(|c, now| c.connect(now));
    h.server(json!({"action": 4, "connectionId": "c1",
        "connectionDetails": {"connectionKey": "k1", "clientId": "*"}}));
    assert_eq!(h.client.client_id(), Some("*"));
    let enter = h.act(|c, now| c.presence("room", PresenceAction::Enter, None, None, now));
    match h.completion(enter) {
        Some(Err(error)) => assert_eq!(error.code, codes::INVALID_CLIENT_ID),
        other => panic!("expected 40012, got {other:?}"),
    }
}

#[test]
fn get_without_waiting_for_the_sync_on_a_closed_connection_is_refused() {
    let mut h = Harness::with_token();
    attached_with_members(&mut h);
    h.act(|c, now| c.close(now));
    h.server(json!({"action": 8}));
    let get = h.act(|c, now| c.presence_get("room", MemberFilter::default(), false, now));
    match h.completion(get) {
        Some(Err(error)) => assert_eq!(error.code, codes::CONNECTION_CLOSED),
        other => panic!("expected 80017, got {other:?}"),
    }
}

#[test]
fn with_queue_messages_off_presence_and_messages_are_refused_until_connected_and_attached() {
    let mut h = Harness::new(ClientOptions {
        tls: false,
        client_id: Some("ann".into()),
        auth: AuthMethod::Token("tok".into()),
        queue_messages: false,
        ..ClientOptions::default()
    });
    h.act(|c, now| c.connect(now));
    let enter = |c: &mut Realtime, now| {
        c.presence(
            "room",
            PresenceAction::Enter,
            None,
            Some(Data::String("hi".into())),
            now,
        )
    };
    // Connecting: the enter is refused (90001) but its attach goes ahead once connected.
    let early = h.act(enter);
    match h.completion(early) {
        Some(Err(error)) => assert_eq!(error.code, codes::CHANNEL_STATE, "{error:?}"),
        other => panic!("an enter while connecting was not refused: {other:?}"),
    }
    assert_eq!(h.client.channel_state("room"), ChannelState::Attaching);
    h.connected("c1", "k1");
    assert_eq!(actions(&h.take_sent()), vec![10], "only the attach is sent");
    h.server(json!({"action": 11, "channel": "room"}));
    let entered = h.act(enter);
    assert_eq!(actions(&h.take_sent()), vec![14], "attached: sent at once");
    h.server(json!({"action": 1, "msgSerial": 0, "count": 1}));
    assert_eq!(h.completion(entered), Some(&Ok(Completion::Done)));

    // Disconnected: refused with the connection's error, nothing kept for later.
    h.act(|c, now| c.transport_closed(now));
    let update = h.act(|c, now| c.presence("room", PresenceAction::Update, None, None, now));
    match h.completion(update) {
        Some(Err(error)) => assert_eq!(error.code, codes::CONNECTION_DISCONNECTED, "{error:?}"),
        other => panic!("an update while disconnected was not refused: {other:?}"),
    }
}

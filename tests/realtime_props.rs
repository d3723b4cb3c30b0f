//! Properties of the sans-IO client under hostile input: any interleaving of server frames
//! (well-formed, out of order, or nonsense), API calls, socket drops and clock jumps leaves
//! it without a panic, and every operation is answered exactly once by the time the client
//! has been closed and its timers have run out.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use roster::connection::{AuthMethod, ClientOptions};
use roster::presence::MemberFilter;
use roster::protocol::{Data, PresenceAction};
use roster::realtime::{Event, OpId, Realtime};
use serde_json::{json, Value};
use std::collections::HashSet;

/// One thing that can happen to a client.
#[derive(Debug, Clone)]
enum Step {
    Frame(Value),
    Bytes(Vec<u8>),
    Attach(u8),
    Detach(u8),
    Presence(u8, u8, bool),
    Get(u8, bool),
    Ping,
    Connect,
    Close,
    Dropped,
    Advance(u64),
}

const CHANNELS: [&str; 2] = ["a", "b"];

fn channel(i: u8) -> &'static str {
    CHANNELS[usize::from(i) % CHANNELS.len()]
}

/// Presence entries with the fields a server sends, drawn from a few clients and connections.
fn presence_entry() -> impl Strategy<Value = Value> {
    (
        0u8..5,
        0u8..3,
        0u8..3,
        0u64..4,
        prop::option::of(0u64..5000),
    )
        .prop_map(|(action, client, conn, serial, timestamp)| {
            let connection = format!("c{conn}");
            json!({
                "action": action,
                "clientId": format!("u{client}"),
                "connectionId": connection,
                "id": format!("{connection}:{serial}:0"),
                "timestamp": timestamp,
                "data": "x",
            })
        })
}

/// Protocol messages as a server might send them, valid or not in the current state.
fn server_frame() -> impl Strategy<Value = Value> {
    (
        0u8..22,
        0u8..3,
        prop::collection::vec(presence_entry(), 0..4),
        prop::option::of(0u64..6),
        prop::option::of(prop_oneof![Just("s1:".to_string()), Just("s1:cur".to_string())]),
        0u64..0x2_0000,
        prop::option::of((40000u32..93000, 400u16..600)),
    )
        .prop_map(|(action, ch, presence, serial, sync, flags, error)| {
            let mut frame = json!({
                "action": action,
                "flags": flags,
                "connectionId": "conn",
                "connectionKey": "key",
                "connectionDetails": { "clientId": "me", "maxIdleInterval": 15000, "connectionStateTtl": 120000 },
                "presence": presence,
            });
            if ch < 2 {
                frame["channel"] = json!(channel(ch));
            }
            if let Some(serial) = serial {
                frame["msgSerial"] = json!(serial);
                frame["count"] = json!(1);
            }
            if let Some(sync) = sync {
                frame["channelSerial"] = json!(sync);
            }
            if let Some((code, status)) = error {
                frame["error"] = json!({ "code": code, "statusCode": status, "message": "m" });
            }
            frame
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => server_frame().prop_map(Step::Frame),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Step::Bytes),
        2 => any::<u8>().prop_map(Step::Attach),
        1 => any::<u8>().prop_map(Step::Detach),
        2 => (any::<u8>(), 0u8..3, any::<bool>()).prop_map(|(c, a, other)| Step::Presence(c, a, other)),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(c, wait)| Step::Get(c, wait)),
        1 => Just(Step::Ping),
        1 => Just(Step::Connect),
        1 => Just(Step::Close),
        1 => Just(Step::Dropped),
        2 => prop_oneof![0u64..2000, 10_000u64..200_000].prop_map(Step::Advance),
    ]
}

/// Drives one client through `steps`, keeping the drain contract after every input.
struct Driver {
    client: Realtime,
    now: u64,
    open: HashSet<OpId>,
}

impl Driver {
    fn new() -> Driver {
        let options = ClientOptions {
            host: "127.0.0.1".into(),
            port: 8080,
            tls: false,
            client_id: Some("me".into()),
            auth: AuthMethod::Token("tok".into()),
            ..ClientOptions::default()
        };
        Driver {
            client: Realtime::new(options).expect("token auth over ws is allowed"),
            now: 0,
            open: HashSet::new(),
        }
    }

    fn drain(&mut self) {
        while self.client.poll_transport().is_some() {}
        while self.client.poll_transmit().is_some() {}
        while let Some(event) = self.client.poll_event() {
            if let Event::Completed { op, .. } = event {
                assert!(
                    self.open.remove(&op),
                    "{op:?} completed twice or never issued"
                );
            }
        }
    }

    /// Fires every deadline up to `until`, as a driver's single timer would.
    fn advance(&mut self, until: u64) {
        while let Some(deadline) = self.client.poll_timeout() {
            if deadline > until {
                break;
            }
            self.now = self.now.max(deadline);
            self.client.handle_timeout(self.now);
            self.drain();
        }
        self.now = until;
    }

    fn run(&mut self, step: Step) {
        let now = self.now;
        match step {
            Step::Frame(frame) => self.client.handle_frame(frame.to_string().as_bytes(), now),
            Step::Bytes(bytes) => self.client.handle_frame(&bytes, now),
            Step::Attach(c) => {
                let op = self.client.attach(channel(c), now);
                self.open.insert(op);
            }
            Step::Detach(c) => {
                let op = self.client.detach(channel(c), now);
                self.open.insert(op);
            }
            Step::Presence(c, action, other) => {
                let action = [
                    PresenceAction::Enter,
                    PresenceAction::Update,
                    PresenceAction::Leave,
                ][usize::from(action)];
                let client_id = other.then(|| "someone".to_string());
                let data = Some(Data::String("d".into()));
                let op = self
                    .client
                    .presence(channel(c), action, client_id, data, now);
                self.open.insert(op);
            }
            Step::Get(c, wait) => {
                let op = self
                    .client
                    .presence_get(channel(c), MemberFilter::default(), wait, now);
                self.open.insert(op);
            }
            Step::Ping => {
                let op = self.client.ping(now);
                self.open.insert(op);
            }
            Step::Connect => self.client.connect(now),
            Step::Close => self.client.close(now),
            Step::Dropped => self.client.transport_closed(now),
            Step::Advance(ms) => self.advance(now + ms),
        }
        self.drain();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_sequence_of_inputs_is_survived_and_every_operation_answered(
        steps in prop::collection::vec(step(), 1..60)
    ) {
        let mut driver = Driver::new();
        driver.client.connect(0);
        driver.drain();
        for step in steps {
            driver.run(step);
        }
        // Closing and letting every timer run out answers whatever was still open.
        driver.client.close(driver.now);
        driver.drain();
        driver.client.transport_closed(driver.now);
        driver.drain();
        let later = driver.now + 600_000;
        driver.advance(later);
        prop_assert!(driver.open.is_empty(), "unanswered after close: {:?}", driver.open);
    }
}

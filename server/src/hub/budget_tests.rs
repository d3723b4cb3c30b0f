//! The server-wide budgets: past them, presence history events and replay frames go in
//! the order they were appended, across channels; positions and serials stay as they
//! were, and what each budget counts is what the channels hold.

use super::presence::approximate_size;
use super::replay::serial_text;
use super::tests::{attach, connect, connect_with, hub, publish, received, RETENTION};
use super::*;
use roster::auth::Capability;
use roster::protocol::{codes, Action, Data, Flags, PresenceAction, PresenceMessage};

/// The test hub with these budgets for presence history and replay frames.
fn with_budgets(history_total: usize, replay_total: usize) -> Hub {
    let config = hub().config;
    Hub::new(HubConfig {
        history: HistoryLimits {
            total_bytes: history_total,
            ..config.history
        },
        replay: ReplayLimits {
            total_bytes: replay_total,
            ..config.replay
        },
        ..config
    })
}

/// One presence event of about 1,125 bytes (1,000 of data) on `channel`: three fit in
/// 4,000 bytes, four do not.
fn event(hub: &mut Hub, conn_id: &str, channel: &str, action: PresenceAction, now: u64) {
    let msg = ProtocolMessage {
        presence: Some(vec![PresenceMessage {
            data: Some(Data::String("x".repeat(1_000))),
            ..PresenceMessage::new(action)
        }]),
        ..ProtocolMessage::for_channel(Action::Presence, channel)
    };
    hub.presence(conn_id, &msg, now).expect("presence applies");
}

/// A channel's presence history as (position, timestamp) pairs, oldest first.
fn times(hub: &mut Hub, channel: &str, now: u64) -> Vec<(u64, u64)> {
    hub.history(channel, now)
        .iter()
        .map(|(position, m)| (*position, m.timestamp.unwrap_or(0)))
        .collect()
}

/// Each budget counts exactly what the channels hold.
fn assert_counts(hub: &Hub) {
    let history: usize = hub
        .channels
        .values()
        .flat_map(|c| c.history.positioned())
        .map(|(_, m)| approximate_size(m))
        .sum();
    assert_eq!(hub.history_budget.bytes(), history);
    let replay: usize = hub.channels.values().map(|c| c.replay.bytes()).sum();
    assert_eq!(hub.replay_budget.bytes(), replay);
}

#[test]
fn the_events_recorded_longest_ago_go_first_whichever_channel_holds_them() {
    let mut hub = with_budgets(4_000, usize::MAX);
    let (a, _rx) = connect(&mut hub, "a");
    event(&mut hub, &a, "one", PresenceAction::Enter, 1);
    event(&mut hub, &a, "two", PresenceAction::Enter, 2);
    event(&mut hub, &a, "one", PresenceAction::Update, 3);
    assert_eq!(times(&mut hub, "one", 3), [(0, 1), (1, 3)]);
    assert_counts(&hub);

    event(&mut hub, &a, "two", PresenceAction::Update, 4);
    assert_eq!(
        times(&mut hub, "one", 4),
        [(1, 3)],
        "the oldest of all went"
    );
    assert_eq!(times(&mut hub, "two", 4), [(0, 2), (1, 4)]);
    event(&mut hub, &a, "three", PresenceAction::Enter, 5);
    assert_eq!(times(&mut hub, "one", 5), [(1, 3)]);
    assert_eq!(times(&mut hub, "two", 5), [(1, 4)], "then the next oldest");
    assert_eq!(times(&mut hub, "three", 5), [(0, 5)]);
    assert_counts(&hub);
}

#[test]
fn a_channel_only_its_history_kept_goes_with_the_last_of_it() {
    let mut hub = with_budgets(4_000, usize::MAX);
    let (a, _rx) = connect(&mut hub, "a");
    event(&mut hub, &a, "lobby", PresenceAction::Enter, 1);
    event(&mut hub, &a, "lobby", PresenceAction::Leave, 2);
    event(&mut hub, &a, "room", PresenceAction::Enter, 3);
    assert_eq!(hub.channel_count(), 2, "lobby is kept by its history");
    event(&mut hub, &a, "room", PresenceAction::Update, 4);
    assert_eq!(times(&mut hub, "lobby", 4), [(1, 2)]);
    assert_eq!(hub.channel_count(), 2, "lobby still has its leave");

    event(&mut hub, &a, "room", PresenceAction::Update, 5);
    assert!(!hub.channels.contains_key("lobby"));
    assert_eq!(hub.channel_count(), 1);
    assert_eq!(times(&mut hub, "room", 5), [(0, 3), (1, 4), (2, 5)]);
    assert_counts(&hub);
    // The sweep lobby was queued for finds nothing of it, and leaves room (a member).
    hub.sweep(5 * RETENTION);
    assert_eq!(hub.channel_count(), 1);
}

#[test]
fn a_channel_made_again_under_its_name_keeps_its_own_events() {
    let mut hub = with_budgets(4_000, usize::MAX);
    let (a, _rx) = connect(&mut hub, "a");
    event(&mut hub, &a, "x", PresenceAction::Enter, 0);
    event(&mut hub, &a, "x", PresenceAction::Leave, 0);
    hub.sweep(RETENTION + 1);
    assert_eq!(hub.channel_count(), 0, "x aged out");

    // The records of the first x come first, but are not the second x's events.
    let later = 2 * RETENTION;
    event(&mut hub, &a, "y", PresenceAction::Enter, later);
    event(&mut hub, &a, "x", PresenceAction::Enter, later + 1);
    event(&mut hub, &a, "z", PresenceAction::Enter, later + 2);
    event(&mut hub, &a, "z", PresenceAction::Update, later + 3);
    assert_eq!(times(&mut hub, "y", later + 3), []);
    assert_eq!(times(&mut hub, "x", later + 3), [(0, later + 1)]);
    assert_eq!(
        times(&mut hub, "z", later + 3),
        [(0, later + 2), (1, later + 3)]
    );
    assert_counts(&hub);
}

#[test]
fn records_of_events_their_channel_dropped_do_not_pile_up() {
    let mut hub = Hub::new(HubConfig {
        history: HistoryLimits {
            max_len: 3,
            ..hub().config.history
        },
        ..hub().config
    });
    let (a, _rx) = connect(&mut hub, "a");
    // The oldest event, kept: the records behind it cannot be taken off the front.
    event(&mut hub, &a, "quiet", PresenceAction::Enter, 1);
    event(&mut hub, &a, "hot", PresenceAction::Enter, 1);
    for _ in 0..10_000 {
        event(&mut hub, &a, "hot", PresenceAction::Update, 1);
    }
    let records = hub.history_budget.records();
    assert!(records <= 2 * 4 + 1_024, "{records} records for 4 events");
    assert_eq!(times(&mut hub, "quiet", 1), [(0, 1)]);
    assert_eq!(times(&mut hub, "hot", 1).len(), 3);
    assert_counts(&hub);
}

#[test]
fn a_resume_from_before_frames_the_budget_took_gets_90003() {
    // Frames of about 1.2 KB: two fit in 2,500 bytes, three do not.
    let mut hub = with_budgets(usize::MAX, 2_500);
    let (a, _rx_a) = connect(&mut hub, "a");
    let (b, _rx_b) = connect(&mut hub, "b");
    attach(&mut hub, &a, "one", 0);
    attach(&mut hub, &a, "two", 0);
    let data = "x".repeat(1_000);
    publish(&mut hub, &b, "one", &data, 1);
    publish(&mut hub, &b, "two", &data, 2);
    publish(&mut hub, &b, "one", &data, 3);
    assert_counts(&hub);
    hub.transport_lost(&a, 0);
    let key = hub.connection(&a).expect("kept").key.clone();
    let (resumed, mut rx) = connect_with(&mut hub, "a", Capability::all(), Some(&key));
    assert_eq!(resumed, a);
    let mut reattach = |hub: &mut Hub, channel: &str, from: u64| {
        let msg = ProtocolMessage {
            channel_serial: Some(serial_text(from)),
            ..ProtocolMessage::for_channel(Action::Attach, channel)
        };
        hub.attach(&a, &msg, 4);
        received(&mut rx)
    };

    // The first frame on one went, the oldest of the three.
    let frames = reattach(&mut hub, "one", 0);
    assert!(!frames[0].has_flag(Flags::RESUMED), "{frames:?}");
    let code = frames[0].error.as_ref().map(|e| e.code);
    assert_eq!(code, Some(codes::CHANNEL_CONTINUITY_LOST));
    assert_eq!(frames.len(), 1, "no backlog: {frames:?}");
    let frames = reattach(&mut hub, "one", 1);
    assert!(frames[0].has_flag(Flags::RESUMED | Flags::HAS_BACKLOG));
    assert_eq!(frames.len(), 2, "ATTACHED and the second frame: {frames:?}");
    let frames = reattach(&mut hub, "two", 0);
    assert!(frames[0].has_flag(Flags::RESUMED | Flags::HAS_BACKLOG));
    assert_eq!(frames.len(), 2, "ATTACHED and its one frame: {frames:?}");

    // Detaching gives their frames back to the budget.
    hub.detach(&a, "one", 5);
    hub.detach(&a, "two", 5);
    assert_eq!(hub.replay_budget.bytes(), 0);
    assert_counts(&hub);
}

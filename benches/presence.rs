//! The core issue's presence workload: a 10,000-member SYNC, then 100,000
//! ENTER/UPDATE/LEAVE messages, each decoded from a JSON frame as the server sends it
//! (one presence item per PRESENCE frame, SYNC pages of 100) and applied to the set.
//! Criterion prints time and throughput (elements = presence messages).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use roster::presence::{parse_sync_serial, PresenceSet};
use roster::protocol::decode_json;
use std::hint::black_box;

const MEMBERS: usize = 10_000;
const UPDATES: usize = 100_000;
const SYNC_PAGE: usize = 100;
const NOW: u64 = 1_700_000_000_000;

fn member_json(action: u8, client: usize, conn: usize, serial: usize, typing: bool) -> String {
    format!(
        r#"{{"id":"conn{conn}:{serial}:0","action":{action},"clientId":"user-{client}","connectionId":"conn{conn}","timestamp":{ts},"data":"{{\"name\":\"User {client}\",\"typing\":{typing}}}","encoding":"json"}}"#,
        ts = NOW + serial as u64
    )
}

fn sync_frames() -> Vec<String> {
    let pages = MEMBERS.div_ceil(SYNC_PAGE);
    (0..pages)
        .map(|page| {
            let items: Vec<String> = (page * SYNC_PAGE..(page + 1) * SYNC_PAGE)
                .map(|i| member_json(1, i, i, 0, false))
                .collect();
            let cursor = if page + 1 == pages { String::new() } else { page.to_string() };
            format!(
                r#"{{"action":16,"channel":"room","channelSerial":"sync1:{cursor}","presence":[{}]}}"#,
                items.join(",")
            )
        })
        .collect()
}

/// Updates to synced members, enters of new ones and leaves, interleaved.
fn update_frames() -> Vec<String> {
    (0..UPDATES)
        .map(|i| {
            let serial = 1 + i / MEMBERS;
            let (action, client) = match i % 10 {
                0..=5 => (4, i % MEMBERS),
                6..=7 => (2, MEMBERS + i),
                _ => (3, (i * 7) % MEMBERS),
            };
            let item = member_json(action, client, client, serial, i % 2 == 0);
            format!(
                r#"{{"action":14,"channel":"room","channelSerial":"s{i}","timestamp":{NOW},"presence":[{item}]}}"#
            )
        })
        .collect()
}

/// What a client does with each frame: decode, inherit from the parent, decode data, apply.
fn apply_frame(set: &mut PresenceSet, frame: &str) -> usize {
    let Ok(mut msg) = decode_json(frame.as_bytes()) else {
        return 0;
    };
    msg.fill_inner_from_parent();
    let mut events = 0;
    for item in msg.presence.unwrap_or_default() {
        let (item, _) = item.decoded();
        events += usize::from(set.apply(item).is_some());
    }
    if let Some((_, "")) = msg.channel_serial.as_deref().and_then(parse_sync_serial) {
        events += set.end_sync(NOW).len();
    }
    events
}

fn synced_set(frames: &[String]) -> PresenceSet {
    let mut set = PresenceSet::new();
    set.start_sync();
    for frame in frames {
        apply_frame(&mut set, frame);
    }
    set
}

fn presence(c: &mut Criterion) {
    let sync = sync_frames();
    let updates = update_frames();
    let base = synced_set(&sync);
    assert_eq!(
        base.len(),
        MEMBERS,
        "the SYNC workload must produce every member"
    );

    let mut group = c.benchmark_group("presence");
    group.sample_size(10);

    group.throughput(Throughput::Elements(MEMBERS as u64));
    group.bench_function("sync_10k_members", |b| {
        b.iter(|| black_box(synced_set(&sync)))
    });

    group.throughput(Throughput::Elements(UPDATES as u64));
    group.bench_function("enter_update_leave_100k", |b| {
        b.iter_batched(
            || base.clone(),
            |mut set| {
                let events: usize = updates.iter().map(|f| apply_frame(&mut set, f)).sum();
                black_box((set, events))
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, presence);
criterion_main!(benches);

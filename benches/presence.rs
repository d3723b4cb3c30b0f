//! The core issue's presence workload: a 10,000-member SYNC, then 100,000
//! ENTER/UPDATE/LEAVE messages, each decoded from a JSON frame as the server sends it
//! (one presence item per PRESENCE frame, SYNC pages of 100) and applied to the set.
//! Criterion prints time and throughput (elements = presence messages).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use roster::presence::{parse_sync_serial, PresenceSet};
use roster::protocol::decode_json;
use std::hint::black_box;

// The same generator the benchmark command's `core` tool and the wasm run use, so the
// three measure identical frames.
#[path = "../bench/src/workload.rs"]
mod workload;

const MEMBERS: usize = 10_000;
const UPDATES: usize = 100_000;

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
        events += set.end_sync(workload::NOW).len();
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
    let sync = workload::sync_frames(MEMBERS);
    let updates = workload::update_frames(MEMBERS, UPDATES);
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
            // A fresh set per batch (not timed): a clone would share its members with
            // `base`, so every first update would copy instead of updating in place.
            || synced_set(&sync),
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

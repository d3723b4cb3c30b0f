//! The core-throughput workload: a 10,000-member SYNC in pages of 100, then 100,000
//! single-item PRESENCE frames (60% updates of synced members, 20% enters of new members,
//! 20% leaves), data as JSON strings with `encoding: json`. The criterion bench
//! `benches/presence.rs` compiles this file by path, and the `core` tool writes the same
//! frames out for the wasm run in the browser.

/// The clock the frames' timestamps count from.
pub const NOW: u64 = 1_700_000_000_000;

/// Members per SYNC page.
pub const SYNC_PAGE: usize = 100;

fn member_json(action: u8, client: usize, serial: usize, typing: bool) -> String {
    format!(
        r#"{{"id":"conn{client}:{serial}:0","action":{action},"clientId":"user-{client}","connectionId":"conn{client}","timestamp":{ts},"data":"{{\"name\":\"User {client}\",\"typing\":{typing}}}","encoding":"json"}}"#,
        ts = NOW + serial as u64
    )
}

/// The SYNC pages for `members` members.
pub fn sync_frames(members: usize) -> Vec<String> {
    let pages = members.div_ceil(SYNC_PAGE);
    (0..pages)
        .map(|page| {
            let items: Vec<String> = (page * SYNC_PAGE..((page + 1) * SYNC_PAGE).min(members))
                .map(|i| member_json(1, i, 0, false))
                .collect();
            let cursor = if page + 1 == pages { String::new() } else { page.to_string() };
            format!(
                r#"{{"action":16,"channel":"room","channelSerial":"sync1:{cursor}","presence":[{}]}}"#,
                items.join(",")
            )
        })
        .collect()
}

/// The update frames: updates to synced members, enters of new ones and leaves, interleaved.
pub fn update_frames(members: usize, updates: usize) -> Vec<String> {
    (0..updates)
        .map(|i| {
            let serial = 1 + i / members;
            let (action, client) = match i % 10 {
                0..=5 => (4, i % members),
                6..=7 => (2, members + i),
                _ => (3, (i * 7) % members),
            };
            let item = member_json(action, client, serial, i % 2 == 0);
            format!(
                r#"{{"action":14,"channel":"room","channelSerial":"s{i}","timestamp":{NOW},"presence":[{item}]}}"#
            )
        })
        .collect()
}

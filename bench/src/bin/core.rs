//! Core throughput, native: the criterion `presence` workload's frames, the same bytes the
//! browser page feeds to the wasm build of `roster-bench-core`, applied natively; prints
//! the SYNC time and updates per second.
//!
//! Usage: core --write-frames FILE [--members N] [--updates M]   (write the workload)
//!        core --frames FILE                                      (time it; best of 5)

use std::io;
use std::time::Instant;

use roster_bench::report::{Better, Row};
use roster_bench::workload;
use roster_bench_core::Core;

const SECTION: &str = "Core throughput";
const RUNS: usize = 5;

fn main() -> io::Result<()> {
    let flag = roster_bench::flag;
    let members: usize = flag("--members")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let updates: usize = flag("--updates")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    if let Some(path) = flag("--write-frames") {
        let mut frames = workload::sync_frames(members);
        let sync_frames = frames.len();
        frames.extend(workload::update_frames(members, updates));
        // The wasm run must end with the same set as the native code does.
        let mut core = Core::new();
        for frame in &frames {
            core.apply(frame);
        }
        let doc = serde_json::json!({"members": members, "updates": updates, "syncFrames": sync_frames,
            "expected": core.members(), "frames": frames});
        return std::fs::write(path, doc.to_string());
    }
    let path =
        flag("--frames").ok_or_else(|| io::Error::other("--frames FILE or --write-frames FILE"))?;
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path)?).map_err(io::Error::other)?;
    let field = |name: &str| {
        doc.get(name)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0) as usize
    };
    let (sync_frames, expected, updates) =
        (field("syncFrames"), field("expected"), field("updates"));
    let frames: Vec<&str> = doc
        .get("frames")
        .and_then(|f| f.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let (mut best_sync, mut best_updates) = (f64::MAX, f64::MAX);
    for _ in 0..RUNS {
        let mut core = Core::new();
        let t0 = Instant::now();
        for frame in &frames[..sync_frames] {
            core.apply(frame);
        }
        let t1 = Instant::now();
        for frame in &frames[sync_frames..] {
            core.apply(frame);
        }
        let t2 = Instant::now();
        if core.members() as usize != expected {
            return Err(io::Error::other(format!(
                "set has {} members, expected {expected}",
                core.members()
            )));
        }
        best_sync = best_sync.min((t1 - t0).as_secs_f64());
        best_updates = best_updates.min((t2 - t1).as_secs_f64());
    }
    let rate = updates as f64 / best_updates;
    eprintln!(
        "core native: SYNC {:.2} ms, {updates} updates {:.1} ms = {rate:.0} msg/s",
        best_sync * 1e3,
        best_updates * 1e3
    );
    let members = field("members");
    let sync_figure = format!("{members}-member SYNC decode+apply (native, best of {RUNS})");
    Row {
        section: SECTION,
        figure: &sync_figure,
        unit: "ms",
        roster: Some(best_sync * 1e3),
        anchor_name: "target",
        anchor: Some(20.0),
        better: Better::Lower,
    }
    .emit();
    let figure = format!("{updates} updates decode+apply (native, best of {RUNS})");
    Row {
        section: SECTION,
        figure: &figure,
        unit: "msg/s",
        roster: Some(rate),
        anchor_name: "target",
        anchor: Some(500_000.0),
        better: Better::Higher,
    }
    .emit();
    Ok(())
}

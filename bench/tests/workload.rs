//! The workload generator shared by the `core` tool and the criterion bench (which compiles
//! `src/workload.rs` by path, so its tests live here).

use roster_bench::workload::{sync_frames, update_frames};

#[test]
fn pages_and_frames_have_the_workload_shape() {
    let sync = sync_frames(250);
    assert_eq!(sync.len(), 3);
    assert!(sync[2].contains(r#""channelSerial":"sync1:""#));
    assert!(sync[1].contains(r#""channelSerial":"sync1:1""#));
    assert_eq!(update_frames(10, 20).len(), 20);
}

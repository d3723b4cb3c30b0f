//! A client that stops reading: what waits to be sent to it is capped
//! (`--max-outbox-bytes`); past the cap its transport is dropped as in an abrupt
//! disconnect, so it can resume, and the server does not hold everything sent to it.

use crate::support::{assert_still_serving, unique_channel, Server, FAST_LOADER, FULL_KEY};
use roster::protocol::Action;

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_not_buffered_for() {
    // The publisher sends 1,000 messages as fast as their ACKs come back, past the default
    // inbound rate (250 a second) on a quiet machine: the 42911 NACKs would leave it
    // waiting for an ACK that never comes.
    let [rate, fast] = FAST_LOADER;
    let server = Server::start(&["--max-outbox-bytes", "1048576", rate, fast]);
    let channel = unique_channel("firehose");
    let (mut slow, connected) = server.open(&format!("key={FULL_KEY}&clientId=slow")).await;
    assert_eq!(connected.action, Action::Connected, "{connected:?}");
    let key = connected
        .connection_details
        .and_then(|d| d.connection_key)
        .expect("connectionKey");
    slow.attach(&channel).await;
    // From here `slow` reads nothing while 60 MB are published to it.
    let (mut publisher, _) = server.connect(FULL_KEY, Some("publisher")).await;
    let before = server.rss_kib();
    let data = "x".repeat(60_000);
    for serial in 0..1_000 {
        publisher.publish(&channel, serial, &data).await;
    }
    let grown = server.rss_kib().saturating_sub(before);
    // The socket's buffers, the channel's 4 MiB replay log and the 1 MiB cap; without
    // the cap the queue held every frame the socket could not take (58 MiB more).
    assert!(grown < 24 * 1024, "the server grew by {grown} KiB");
    // Reading again, it gets what the socket held, then the end of the transport.
    assert!(slow.closed_by_server().await);
    let (_, resumed) = server
        .open(&format!("key={FULL_KEY}&clientId=slow&resume={key}"))
        .await;
    assert_eq!(resumed.action, Action::Connected, "{resumed:?}");
    assert_eq!(resumed.error, None, "the connection was kept for a resume");
    assert_eq!(resumed.connection_id, connected.connection_id);
    assert_still_serving(&server).await;
}

//! SIGTERM: connected clients are told DISCONNECTED and the process exits promptly.

use crate::support::{Server, FULL_KEY};
use roster::protocol::{codes, Action};
use std::process::Command;
use std::time::Duration;

#[tokio::test]
async fn sigterm_disconnects_clients_and_exits() {
    let mut server = Server::start(&[]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.attach("room").await;
    let status = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());

    let bye = c.recv_until(Action::Disconnected).await;
    assert_eq!(
        bye.error.map(|e| e.code),
        Some(codes::CONNECTION_DISCONNECTED)
    );
    assert!(c.closed_by_server().await);
    let exit = server.wait_exit(Duration::from_secs(5));
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
}

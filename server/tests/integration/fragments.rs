//! A large outgoing message goes out in fragments: each socket's write buffer keeps the
//! capacity of the largest frame it ever wrote, so one large publish must not cost every
//! subscriber the message's size for the rest of its connection.

use crate::support::{unique_channel, Client, Server, FULL_KEY};
use roster::protocol::{Action, Data};

/// Enough subscribers that a per-socket cost stands out from the allocator's noise.
const SUBSCRIBERS: usize = 300;

/// The data of the next MESSAGE `client` gets.
async fn next_data(client: &mut Client) -> Option<Data> {
    let msg = client.recv_until(Action::Message).await;
    msg.messages?.into_iter().next()?.data
}

#[tokio::test]
async fn a_large_message_arrives_whole_and_subscribers_do_not_keep_its_size() {
    let server = Server::start(&[]);
    let channel = unique_channel("large");
    let mut subscribers = Vec::new();
    for _ in 0..SUBSCRIBERS {
        let (mut client, _) = server.connect(FULL_KEY, None).await;
        client.attach(&channel).await;
        subscribers.push(client);
    }
    let (mut publisher, _) = server.connect(FULL_KEY, Some("publisher")).await;
    publisher.attach(&channel).await;
    // An ordinary message first, so every socket has written a frame of its usual size.
    publisher.publish(&channel, 0, "small").await;
    for client in &mut subscribers {
        assert_eq!(next_data(client).await, Some(Data::String("small".into())));
    }
    let before = server.rss_kib();

    // 60 KB of 3-byte characters: fragment boundaries fall inside characters too.
    let large = "€".repeat(20_000);
    publisher.publish(&channel, 1, &large).await;
    for client in &mut subscribers {
        assert_eq!(next_data(client).await, Some(Data::String(large.clone())));
    }
    let grown = server.rss_kib().saturating_sub(before) * 1024;
    let per_socket = grown / SUBSCRIBERS;
    assert!(
        per_socket < large.len() / 4,
        "server memory grew {grown} B, {per_socket} B per subscriber, for one {} B message",
        large.len()
    );
}

//! Batch presence (`GET /presence?channels=…`): one result per channel named, in order,
//! streamed so that a request naming a large channel many times costs the server a few
//! hundred members' worth of memory, not the whole answer's.

use crate::support::{
    assert_still_serving, presence_frame_with_data, unique_channel, Server, FAST_LOADER, FULL_KEY,
    LIMITED_KEY,
};
use base64::Engine;
use roster::protocol::{codes, PresenceAction};
use roster::rest::{decode_batch_presence, BatchPresenceResult};

/// Enters `count` members (`m-0`, `m-1`, …) with `bytes` of data each on `channel`.
async fn fill(
    server: &Server,
    channel: &str,
    count: usize,
    bytes: usize,
) -> crate::support::Client {
    let (mut loader, _) = server.connect(FULL_KEY, None).await;
    let ids: Vec<String> = (0..count).map(|i| format!("m-{i}")).collect();
    for (serial, batch) in ids.chunks(50).enumerate() {
        let items: Vec<_> = batch
            .iter()
            .map(|id| (PresenceAction::Enter, id.as_str(), bytes))
            .collect();
        let reply = presence_frame_with_data(&mut loader, channel, serial as u64, &items).await;
        assert_eq!(reply.error, None, "{reply:?}");
    }
    loader
}

fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

#[tokio::test]
async fn results_come_in_the_order_named_with_failures_in_place() {
    let server = Server::start(&[]);
    // LIMITED_KEY may read presence on `room` and `lobby`, not on `secret`.
    let _lobby = fill(&server, "lobby", 3, 4).await;
    let _room = fill(&server, "room", 2, 4).await;
    let _secret = fill(&server, "secret", 1, 4).await;
    let read = server
        .http(
            "GET",
            "/presence?channels=lobby,secret,room,lobby,empty",
            &[("Authorization", &basic(LIMITED_KEY))],
        )
        .await;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(read.header("content-type"), Some("application/json"));
    // Sent as it is built, one channel at a time.
    assert_eq!(read.header("transfer-encoding"), Some("chunked"));
    assert_eq!(read.header("content-length"), None);

    let response = decode_batch_presence(read.body.as_bytes()).expect("the SDK reads it");
    assert_eq!((response.success_count, response.failure_count), (3, 2));
    let outcome: Vec<(String, Result<usize, u32>)> = response
        .results
        .iter()
        .map(|result| match result {
            BatchPresenceResult::Success { channel, presence } => {
                (channel.clone(), Ok(presence.len()))
            }
            BatchPresenceResult::Failure { channel, error } => (channel.clone(), Err(error.code)),
        })
        .collect();
    let denied = Err(codes::NOT_PERMITTED);
    assert_eq!(
        outcome,
        [
            ("lobby".to_owned(), Ok(3)),
            ("secret".to_owned(), denied),
            ("room".to_owned(), Ok(2)),
            ("lobby".to_owned(), Ok(3)),
            ("empty".to_owned(), denied),
        ]
    );
    // The body is plain JSON for any reader, ably-js's included.
    let json = read.json();
    assert_eq!(json["results"][2]["presence"][1]["clientId"], "m-1");
    assert_eq!(json["results"][1]["error"]["statusCode"], 401);
}

#[tokio::test]
async fn a_request_naming_a_large_channel_many_times_does_not_hold_every_copy() {
    const MEMBERS: usize = 1_000;
    const DATA: usize = 500;
    const NAMES: usize = 100;
    let server = Server::start(&FAST_LOADER);
    let channel = unique_channel("batch-large");
    let _loader = fill(&server, &channel, MEMBERS, DATA).await;
    let names = vec![channel.as_str(); NAMES].join(",");

    server.reset_peak_rss();
    let before = server.rss_kib();
    let read = server
        .get_as_full_key(&format!("/presence?channels={names}"))
        .await;
    let peak_growth = server.peak_rss_kib().saturating_sub(before) * 1024;
    assert_eq!(read.status, 200);
    let json = read.json();
    assert_eq!(json["successCount"], NAMES);
    let results = json["results"].as_array().expect("results");
    assert_eq!(results.len(), NAMES);
    // Every member exactly once in every result, across the pieces a channel is read in.
    let everyone: Vec<String> = {
        let mut ids: Vec<String> = (0..MEMBERS).map(|i| format!("m-{i}")).collect();
        ids.sort();
        ids
    };
    for result in results {
        let mut listed: Vec<String> = result["presence"]
            .as_array()
            .expect("presence")
            .iter()
            .map(|m| m["clientId"].as_str().expect("clientId").to_owned())
            .collect();
        listed.sort();
        assert_eq!(listed, everyone);
    }
    // Built whole, the answer (about 55 MB here) and the members copied for it were held
    // at once; streamed, a few hundred members at a time.
    let body = read.body.len();
    assert!(
        peak_growth < body / 8,
        "the server's peak memory grew {peak_growth} B for a {body} B answer"
    );
    assert_still_serving(&server).await;
}

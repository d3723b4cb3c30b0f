//! Server memory and scale: RSS of `roster-server` with C connections each present on one
//! of K channels (per-connection figure over the idle process, with the raw `baseline`
//! server holding the same sockets as the floor), then one channel of B members: time for
//! a new client's attach→SYNC complete, and for REST presence paging through it; then
//! the same with 20 clients attaching it at once (time and the server's peak memory); the
//! server's peak memory for a
//! batch presence request naming that channel many times;
//! then the time one key connection takes to enter B random clientIds on another channel.
//!
//! Usage: scale [--server PATH] [--connections C] [--channels K] [--big B]

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::StreamExt;
use roster_bench::http::{next_link, Http};
use roster_bench::load::Loader;
use roster_bench::report::{Better, Row};
use roster_bench::server::{sibling, Server};
use roster_bench::stats::summarize;
use roster_bench::ws::{self, action, Ws};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

const SECTION: &str = "Server memory and scale";

#[tokio::main(flavor = "multi_thread")]
async fn main() -> io::Result<()> {
    let flag = roster_bench::flag;
    let server_path = flag("--server").map_or_else(|| sibling("roster-server"), PathBuf::from);
    let connections: usize = flag("--connections")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let channels: usize = flag("--channels")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let big: usize = flag("--big")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);

    let baseline = Server::start(&sibling("baseline"), &[]).await?;
    let floor = per_connection(&baseline, "unused", connections, channels, false).await?;
    drop(baseline);
    let anchor_name = "raw socket (baseline, attached, no presence)";
    // Attached only, then attached and present, each on a fresh server: the first is
    // like for like with the baseline, the difference between them is presence's cost.
    let mut failure = None;
    for enter in [false, true] {
        let roster = match roster_per_connection(&server_path, connections, channels, enter).await {
            Ok(per) => Some(per),
            Err(e) => {
                eprintln!("scale: roster-server run (enter: {enter}) failed: {e}");
                failure = Some(e);
                None
            }
        };
        let what = if enter {
            "1 presence member each"
        } else {
            "attached, no presence"
        };
        let figure =
            format!("RSS per connection, {what} ({connections} conns on {channels} channels)");
        let anchors: &[(&str, f64)] = if enter {
            &[(anchor_name, floor), ("target", 16.0)]
        } else {
            &[(anchor_name, floor)]
        };
        for &(anchor_name, anchor) in anchors {
            Row {
                section: SECTION,
                figure: &figure,
                unit: "KiB",
                roster,
                anchor_name,
                anchor: Some(anchor),
                better: Better::Lower,
            }
            .emit();
        }
    }
    if let Some(failure) = failure {
        return Err(failure);
    }

    let server = Server::start_roster(&server_path).await?;
    let key = key_of(&server)?;
    big_channel(&server, &key, big).await?;
    wildcard_entry(&server, &key, big).await
}

/// `per_connection` on a freshly started roster-server.
async fn roster_per_connection(
    server_path: &std::path::Path,
    connections: usize,
    channels: usize,
    enter: bool,
) -> io::Result<f64> {
    let server = Server::start_roster(server_path).await?;
    let key = key_of(&server)?;
    per_connection(&server, &key, connections, channels, enter).await
}

fn key_of(server: &Server) -> io::Result<String> {
    server
        .key
        .clone()
        .ok_or_else(|| io::Error::other("roster-server printed no dev key"))
}

/// Open `connections` sockets (each attached, and present when `enter`), return the RSS
/// growth per connection in KiB. Every socket reads from the moment it is set up, as a
/// live client would, until the figure is taken.
async fn per_connection(
    server: &Server,
    key: &str,
    connections: usize,
    channels: usize,
    enter: bool,
) -> io::Result<f64> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = server.rss_kib()?;
    let gate = Arc::new(Semaphore::new(64));
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    let mut clients = JoinSet::new();
    for i in 0..connections {
        let url = ws::realtime_url(server.port, key, Some(&format!("conn-{i}")));
        let channel = format!("scale-{}", i % channels);
        let gate = gate.clone();
        let ready_tx = ready_tx.clone();
        clients.spawn(async move {
            let permit = gate.acquire().await;
            let setup = async {
                let mut socket = ws::connect(&url).await?;
                ws::attach(&mut socket, &channel).await?;
                if enter {
                    let frame = json!({"action": action::PRESENCE, "channel": channel, "msgSerial": 0,
                        "presence": [{"action": 2, "data": "here"}]});
                    ws::send_json(&mut socket, &frame).await?;
                    ws::wait_for(&mut socket, action::ACK).await?;
                }
                Ok::<Ws, io::Error>(socket)
            };
            let socket = setup.await;
            drop(permit);
            let mut socket = match socket {
                Ok(socket) => socket,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(()));
            while let Some(Ok(_)) = socket.next().await {}
        });
    }
    drop(ready_tx);
    let started = Instant::now();
    for _ in 0..connections {
        match ready.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(e),
            None => return Err(io::Error::other("a client task ended before it was set up")),
        }
    }
    // Let broadcasts and SYNCs drain before reading the figure.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let loaded = server.rss_kib()?;
    let per = loaded.saturating_sub(idle) as f64 / connections as f64;
    eprintln!(
        "scale: {connections} connections in {:.1} s; RSS idle {idle} KiB, loaded {loaded} KiB, {per:.1} KiB each (enter: {enter})",
        started.elapsed().as_secs_f64()
    );
    clients.abort_all();
    Ok(per)
}

/// Fill one channel with `members`, then time a new client's SYNC and REST paging.
async fn big_channel(server: &Server, key: &str, members: usize) -> io::Result<()> {
    let channel = "big";
    let started = Instant::now();
    let mut loader = Loader::open(server.port, key, channel).await?;
    loader.enter_range(0, members).await?;
    eprintln!(
        "scale: loaded {members} members in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut socket = ws::connect(&ws::realtime_url(server.port, key, Some("syncer"))).await?;
    let t0 = Instant::now();
    ws::send_json(
        &mut socket,
        &json!({"action": action::ATTACH, "channel": channel}),
    )
    .await?;
    // ATTACHED is queued once the ATTACH is handled under the hub's lock: what building
    // the SYNC there would add shows here.
    let attached = ws::wait_for(&mut socket, action::ATTACHED).await?;
    let attached_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let has_presence = attached.get("flags").and_then(Value::as_u64).unwrap_or(0) & 1 != 0;
    let received = if has_presence {
        read_sync(&mut socket).await?
    } else {
        0
    };
    let sync_ms = t0.elapsed().as_secs_f64() * 1000.0;
    eprintln!(
        "scale: ATTACHED in {attached_ms:.1} ms, SYNC of {received} members in {sync_ms:.1} ms"
    );
    Row {
        section: SECTION,
        figure: &format!("{members}-member channel: attach → ATTACHED"),
        unit: "ms",
        roster: Some(attached_ms),
        anchor_name: "—",
        anchor: None,
        better: Better::Lower,
    }
    .emit();
    let figure = if received == members {
        format!("{members}-member channel: attach → SYNC complete")
    } else {
        format!(
            "{members}-member channel: attach → SYNC complete (only {received} members arrived)"
        )
    };
    Row {
        section: SECTION,
        figure: &figure,
        unit: "ms",
        roster: Some(sync_ms),
        anchor_name: "target",
        anchor: Some(1000.0),
        better: Better::Lower,
    }
    .emit();
    let _ = socket.close(None).await;
    concurrent_syncs(server, key, channel, members).await?;

    let authorization = basic(key);
    let mut http = Http::connect(server.port).await?;
    let mut path = format!("/channels/{channel}/presence?limit=1000");
    let (mut pages, mut items) = (0usize, 0usize);
    let mut page_us = Vec::new();
    let t0 = Instant::now();
    loop {
        let page_start = Instant::now();
        let response = http.get(&path, &authorization).await?;
        page_us.push(page_start.elapsed().as_micros() as u32);
        if response.status != 200 {
            return Err(io::Error::other(format!(
                "REST presence: status {} {}",
                response.status,
                String::from_utf8_lossy(&response.body)
            )));
        }
        let page: Value = serde_json::from_slice(&response.body).map_err(io::Error::other)?;
        items += page.as_array().map_or(0, Vec::len);
        pages += 1;
        match response.link.as_deref().and_then(|l| next_link(l, &path)) {
            Some(next) if pages < members => path = next,
            _ => break,
        }
    }
    let rest_ms = t0.elapsed().as_secs_f64() * 1000.0;
    eprintln!("scale: REST presence {items} members in {pages} pages, {rest_ms:.1} ms");
    let whole = if items == members {
        format!("all {pages} pages of 1000")
    } else {
        format!("{pages} pages (only {items} members)")
    };
    let first_ms = page_us.first().map_or(0.0, |&us| f64::from(us) / 1000.0);
    let pages_summary = summarize(&mut page_us);
    let ms = |us: u32| f64::from(us) / 1000.0;
    for (what, value) in [
        ("first page".to_string(), first_ms),
        (format!("page p50 over {whole}"), ms(pages_summary.p50)),
        (format!("page max over {whole}"), ms(pages_summary.max)),
        (whole.clone(), rest_ms),
    ] {
        let figure = format!("{members}-member channel: REST presence.get, {what}");
        Row {
            section: SECTION,
            figure: &figure,
            unit: "ms",
            roster: Some(value),
            anchor_name: "—",
            anchor: None,
            better: Better::Lower,
        }
        .emit();
    }
    batch_presence(server, &mut http, &authorization, channel, members).await?;
    // The loader's members stayed present through every measurement; now they may go.
    drop(loader);
    Ok(())
}

/// How many clients attach the big channel at once.
const SYNCERS: usize = 20;

/// [`SYNCERS`] clients attach the big channel at once and read their SYNCs: the time
/// until all are complete and the server's peak RSS growth meanwhile.
async fn concurrent_syncs(
    server: &Server,
    key: &str,
    channel: &str,
    members: usize,
) -> io::Result<()> {
    let mut sockets = Vec::new();
    for n in 0..SYNCERS {
        let url = ws::realtime_url(server.port, key, Some(&format!("syncer-{n}")));
        sockets.push(ws::connect(&url).await?);
    }
    server.reset_peak_rss()?;
    let before = server.rss_kib()?;
    let t0 = Instant::now();
    let mut syncs = JoinSet::new();
    for mut socket in sockets {
        let channel = channel.to_string();
        syncs.spawn(async move {
            ws::send_json(
                &mut socket,
                &json!({"action": action::ATTACH, "channel": channel}),
            )
            .await?;
            let received = read_sync(&mut socket).await;
            let _ = socket.close(None).await;
            received
        });
    }
    while let Some(done) = syncs.join_next().await {
        let received = done.map_err(io::Error::other)??;
        if received != members {
            return Err(io::Error::other(format!(
                "a concurrent SYNC brought {received} of {members} members"
            )));
        }
    }
    let all_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let growth = server.peak_rss_kib()?.saturating_sub(before) as f64 / 1024.0;
    eprintln!(
        "scale: {SYNCERS} concurrent SYNCs of {members} members in {all_ms:.1} ms, peak RSS +{growth:.1} MiB"
    );
    for (what, unit, value) in [
        ("all SYNCs complete", "ms", all_ms),
        ("server peak RSS growth", "MiB", growth),
    ] {
        Row {
            section: SECTION,
            figure: &format!(
                "{members}-member channel: {SYNCERS} clients attach it at once, {what}"
            ),
            unit,
            roster: Some(value),
            anchor_name: "—",
            anchor: None,
            better: Better::Lower,
        }
        .emit();
    }
    Ok(())
}

/// How many times the batch presence request names the big channel.
const BATCH_NAMES: usize = 20;

/// Batch presence naming the big channel [`BATCH_NAMES`] times: the server's peak RSS
/// growth over the request, against the size of one channel's part of the answer (what
/// a server that builds each channel's result whole needs to hold).
async fn batch_presence(
    server: &Server,
    http: &mut Http,
    authorization: &str,
    channel: &str,
    members: usize,
) -> io::Result<()> {
    let names = vec![channel; BATCH_NAMES].join(",");
    server.reset_peak_rss()?;
    let before = server.rss_kib()?;
    let (many, many_bytes) = http
        .get_counted(&format!("/presence?channels={names}"), authorization)
        .await?;
    let growth = server.peak_rss_kib()?.saturating_sub(before);
    let (one, one_bytes) = http
        .get_counted(&format!("/presence?channels={channel}"), authorization)
        .await?;
    if one.status != 200 || many.status != 200 {
        return Err(io::Error::other(format!(
            "batch presence: status {} / {}",
            one.status, many.status
        )));
    }
    let mib = |kib: f64| kib / 1024.0;
    eprintln!(
        "scale: batch presence of {BATCH_NAMES} × {members} members: {many_bytes} B, peak RSS +{growth} KiB (one channel {one_bytes} B)"
    );
    Row {
        section: SECTION,
        figure: &format!(
            "{members}-member channel: batch presence naming it {BATCH_NAMES} times, server peak RSS growth"
        ),
        unit: "MiB",
        roster: Some(mib(growth as f64)),
        anchor_name: "one channel's part of the answer",
        anchor: Some(mib(one_bytes as f64 / 1024.0)),
        better: Better::Lower,
    }
    .emit();
    Ok(())
}

/// `Authorization` for REST requests with `key`.
fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// A key connection (it may enter any clientId) enters `members` random clientIds on one
/// channel, as a server-side app or a `*` token would with enterClient: the time the
/// enters take (each PRESENCE frame holds the hub's lock while it is applied).
async fn wildcard_entry(server: &Server, key: &str, members: usize) -> io::Result<()> {
    let mut loader = Loader::open(server.port, key, "wildcard").await?;
    // xorshift64: the same ids every run, in no order the member set is kept in.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let entries: Vec<(String, String)> = (0..members)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (format!("{state:016x}"), "d".to_string())
        })
        .collect();
    let t0 = Instant::now();
    loader.enter(&entries).await?;
    let enter_ms = t0.elapsed().as_secs_f64() * 1000.0;
    eprintln!("scale: one connection entered {members} random clientIds in {enter_ms:.1} ms");
    Row {
        section: SECTION,
        figure: &format!("one key connection enters {members} random clientIds on a channel"),
        unit: "ms",
        roster: Some(enter_ms),
        anchor_name: "—",
        anchor: None,
        better: Better::Lower,
    }
    .emit();
    Ok(())
}

/// Read ATTACHED and SYNC frames until the sync cursor is empty; count members received.
async fn read_sync(socket: &mut Ws) -> io::Result<usize> {
    let mut members = 0;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .map_err(|_| io::Error::other("SYNC did not complete in 60 s"))?;
        let Some(Ok(Message::Text(text))) = next else {
            if next.is_none() {
                return Err(io::Error::other("socket closed during SYNC"));
            }
            continue;
        };
        let value: Value = serde_json::from_str(&text).map_err(io::Error::other)?;
        let got = value.get("action").and_then(Value::as_u64);
        if got == Some(action::ATTACHED)
            && value.get("flags").and_then(Value::as_u64).unwrap_or(0) & 1 == 0
        {
            return Ok(0);
        }
        if got != Some(action::SYNC) {
            continue;
        }
        members += value
            .get("presence")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let serial = value
            .get("channelSerial")
            .and_then(Value::as_str)
            .unwrap_or("");
        if serial
            .split_once(':')
            .is_none_or(|(_, cursor)| cursor.is_empty())
        {
            return Ok(members);
        }
    }
}

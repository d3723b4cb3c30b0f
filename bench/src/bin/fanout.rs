//! Server fan-out: N subscribers attached to one channel, one client enters then updates
//! M times; latency from send to delivery at every subscriber and delivered messages/s.
//! Runs the same client against `roster-server` and against the raw `baseline` relay,
//! and prints both as result rows (Roster ÷ baseline).
//!
//! Usage: fanout [--server PATH] [--subscribers N] [--messages M] [--window W]

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use roster_bench::report::{Better, Row};
use roster_bench::server::{sibling, Server};
use roster_bench::stats::{summarize, Summary};
use roster_bench::ws::{self, data_strings, Ws};
use serde_json::json;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

const CHANNEL: &str = "fanout";

struct Config {
    server: PathBuf,
    subscribers: usize,
    messages: usize,
    window: usize,
}

/// What one run measured.
struct Outcome {
    latency: Summary,
    delivered: u64,
    per_second: f64,
}

/// Shared counters between the publisher and the subscribers.
struct Progress {
    base: Instant,
    per_message: Vec<AtomicU32>,
    subscribers: u32,
    complete: Notify,
    last_delivery_ns: AtomicU64,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = roster_bench::flag;
    let config = Config {
        server: flag("--server").map_or_else(|| sibling("roster-server"), PathBuf::from),
        subscribers: flag("--subscribers")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000),
        messages: flag("--messages")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000),
        window: flag("--window").and_then(|v| v.parse().ok()).unwrap_or(100),
    };
    let only_baseline = args.iter().any(|a| a == "--baseline-only");

    let baseline_server = Server::start(&sibling("baseline"), &[]).await?;
    let baseline = run(&config, baseline_server.port, "unused").await?;
    drop(baseline_server);
    report("baseline", &baseline);
    if only_baseline {
        return Ok(());
    }
    let roster = match run_roster(&config).await {
        Ok(outcome) => {
            report("roster", &outcome);
            Some(outcome)
        }
        Err(e) => {
            eprintln!("fanout: roster run failed: {e}");
            None
        }
    };
    let section = "Server fan-out";
    let anchor_name = "tungstenite broadcast";
    let ms = |us: u32| f64::from(us) / 1000.0;
    let expected = (config.subscribers * config.messages) as u64;
    let mut figure = format!(
        "{} subscribers × {} updates",
        config.subscribers, config.messages
    );
    if let Some(o) = roster.as_ref().filter(|o| o.delivered < expected) {
        figure.push_str(&format!(
            " (Roster delivered only {} of {expected})",
            o.delivered
        ));
    }
    for (name, r, b) in [
        (
            "latency p50",
            roster.as_ref().map(|o| ms(o.latency.p50)),
            ms(baseline.latency.p50),
        ),
        (
            "latency p99",
            roster.as_ref().map(|o| ms(o.latency.p99)),
            ms(baseline.latency.p99),
        ),
        (
            "latency max",
            roster.as_ref().map(|o| ms(o.latency.max)),
            ms(baseline.latency.max),
        ),
    ] {
        let figure = format!("{figure}: {name}");
        Row {
            section,
            figure: &figure,
            unit: "ms",
            roster: r,
            anchor_name,
            anchor: Some(b),
            better: Better::Lower,
        }
        .emit();
    }
    let figure = format!("{figure}: delivered");
    Row {
        section,
        figure: &figure,
        unit: "msg/s",
        roster: roster.as_ref().map(|o| o.per_second),
        anchor_name,
        anchor: Some(baseline.per_second),
        better: Better::Higher,
    }
    .emit();
    match roster {
        Some(o) if o.delivered < expected => {
            eprintln!("fanout: roster delivered {} of {expected}", o.delivered);
            Ok(())
        }
        Some(_) => Ok(()),
        None => Err(io::Error::other("roster-server run failed")),
    }
}

async fn run_roster(config: &Config) -> io::Result<Outcome> {
    let server = Server::start_roster(&config.server).await?;
    let key = server
        .key
        .clone()
        .ok_or_else(|| io::Error::other("roster-server printed no dev key"))?;
    run(config, server.port, &key).await
}

fn report(name: &str, o: &Outcome) {
    eprintln!(
        "fanout {name}: p50 {} µs, p99 {} µs, max {} µs, {} delivered, {:.0} msg/s",
        o.latency.p50, o.latency.p99, o.latency.max, o.delivered, o.per_second
    );
}

async fn run(config: &Config, port: u16, key: &str) -> io::Result<Outcome> {
    let progress = Arc::new(Progress {
        base: Instant::now(),
        per_message: (0..config.messages).map(|_| AtomicU32::new(0)).collect(),
        subscribers: config.subscribers as u32,
        complete: Notify::new(),
        last_delivery_ns: AtomicU64::new(0),
    });
    let mut subscribers = Vec::with_capacity(config.subscribers);
    let gate = Arc::new(Semaphore::new(64));
    let mut joins = JoinSet::new();
    for i in 0..config.subscribers {
        let url = ws::realtime_url(port, key, Some(&format!("sub-{i}")));
        let gate = gate.clone();
        joins.spawn(async move {
            let _permit = gate.acquire().await;
            let mut socket = ws::connect(&url).await?;
            ws::attach(&mut socket, CHANNEL).await?;
            Ok::<Ws, io::Error>(socket)
        });
    }
    while let Some(joined) = joins.join_next().await {
        subscribers.push(joined.map_err(io::Error::other)??);
    }
    eprintln!(
        "fanout: {} subscribers attached on port {port}",
        subscribers.len()
    );
    let mut receivers = JoinSet::new();
    for socket in subscribers {
        receivers.spawn(receive(socket, progress.clone(), config.messages));
    }
    let mut publisher = ws::connect(&ws::realtime_url(port, key, Some("publisher"))).await?;
    ws::attach(&mut publisher, CHANNEL).await?;
    let started = progress.base.elapsed();
    let sending = tokio::spawn(publish(
        publisher,
        progress.clone(),
        config.messages,
        config.window,
    ));
    let mut latencies = Vec::with_capacity(config.subscribers * config.messages);
    let deadline = Duration::from_secs(180);
    let collected = tokio::time::timeout(deadline, async {
        while let Some(joined) = receivers.join_next().await {
            if let Ok(samples) = joined {
                latencies.extend(samples);
            }
        }
    })
    .await;
    if collected.is_err() {
        eprintln!("fanout: gave up after {deadline:?}");
        receivers.abort_all();
    }
    sending.abort();
    let delivered = latencies.len() as u64;
    let last = Duration::from_nanos(progress.last_delivery_ns.load(Ordering::Relaxed));
    let elapsed = last.saturating_sub(started).as_secs_f64().max(1e-9);
    Ok(Outcome {
        latency: summarize(&mut latencies),
        delivered,
        per_second: delivered as f64 / elapsed,
    })
}

/// Enter once, then update; keep at most `window` messages not yet delivered everywhere.
async fn publish(
    socket: Ws,
    progress: Arc<Progress>,
    messages: usize,
    window: usize,
) -> io::Result<()> {
    let (mut sink, mut source) = socket.split();
    // ACKs and our own echoes are not measured; keep reading so the socket never stalls.
    tokio::spawn(async move { while let Some(Ok(_)) = source.next().await {} });
    for seq in 0..messages {
        if seq >= window {
            let waiting_for = &progress.per_message[seq - window];
            while waiting_for.load(Ordering::Acquire) < progress.subscribers {
                progress.complete.notified().await;
            }
        }
        let sent_ns = progress.base.elapsed().as_nanos() as u64;
        let presence_action = if seq == 0 { 2 } else { 4 };
        let frame = json!({
            "action": ws::action::PRESENCE,
            "channel": CHANNEL,
            "msgSerial": seq,
            "presence": [{"action": presence_action, "clientId": "publisher", "data": format!("{seq}:{sent_ns}")}],
        });
        sink.send(Message::text(frame.to_string()))
            .await
            .map_err(io::Error::other)?;
    }
    Ok(())
}

/// Record the latency of every delivered update until the last one arrives.
async fn receive(mut socket: Ws, progress: Arc<Progress>, messages: usize) -> Vec<u32> {
    let mut samples = Vec::with_capacity(messages);
    let mut last_ns = 0;
    while let Some(Ok(msg)) = socket.next().await {
        let Message::Text(text) = msg else { continue };
        let now_ns = progress.base.elapsed().as_nanos() as u64;
        let mut last_seen = false;
        for data in data_strings(&text) {
            let Some((seq, sent)) = data.split_once(':') else {
                continue;
            };
            let (Ok(seq), Ok(sent)) = (seq.parse::<usize>(), sent.parse::<u64>()) else {
                continue;
            };
            let Some(count) = progress.per_message.get(seq) else {
                continue;
            };
            samples.push((now_ns.saturating_sub(sent) / 1000) as u32);
            last_ns = now_ns;
            if count.fetch_add(1, Ordering::AcqRel) + 1 == progress.subscribers {
                progress.complete.notify_one();
            }
            last_seen |= seq + 1 == messages;
        }
        if last_seen {
            break;
        }
    }
    // Throughput counts up to the last delivery anywhere, even if a socket ended early.
    progress
        .last_delivery_ns
        .fetch_max(last_ns, Ordering::Relaxed);
    samples
}

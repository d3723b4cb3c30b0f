//! Fills a channel on a running roster-server with members and, on command, sends
//! presence updates for them in bursts. Driven by bench/browser/run.mjs over stdin/stdout:
//! prints `ready` once the members are entered; the line `updates TOTAL BURST` sends
//! TOTAL updates (member i % N gets data `r<round>`) waiting for ACKs after every BURST,
//! then prints `sent MS`. EOF ends it (and its members leave).
//!
//! Usage: loader --port P --key KEY --channel NAME [--members N]

use std::io;
use std::time::Instant;

use roster_bench::load::{member_id, Loader, BATCH};
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> io::Result<()> {
    let flag = roster_bench::flag;
    let port: u16 = flag("--port")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| io::Error::other("--port"))?;
    let key = flag("--key").ok_or_else(|| io::Error::other("--key"))?;
    let channel = flag("--channel").ok_or_else(|| io::Error::other("--channel"))?;
    let members: usize = flag("--members")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);

    let mut loader = Loader::open(port, &key, &channel).await?;
    loader.enter_range(0, members).await?;
    println!("ready");
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let words: Vec<&str> = line.split_whitespace().collect();
        let ["updates", total, burst] = words.as_slice() else {
            continue;
        };
        let (Ok(total), Ok(burst)) = (total.parse::<usize>(), burst.parse::<usize>()) else {
            continue;
        };
        let started = Instant::now();
        let mut batch = Vec::with_capacity(BATCH);
        for i in 0..total {
            batch.push((member_id(i % members), format!("r{}", 1 + i / members)));
            let burst_done = (i + 1) % burst.max(1) == 0;
            if batch.len() == BATCH || burst_done || i + 1 == total {
                loader.send(4, &batch).await?;
                batch.clear();
            }
            if burst_done {
                loader.settle(0).await?;
            }
        }
        loader.settle(0).await?;
        println!("sent {}", started.elapsed().as_millis());
    }
    Ok(())
}

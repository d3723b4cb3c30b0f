//! Benchmark tools for Roster: drive a real `roster-server` (or the raw broadcast
//! baseline) over loopback WebSockets and print result rows for `bench/report.mjs`.

pub mod http;
pub mod load;
pub mod report;
pub mod server;
pub mod stats;
pub mod workload;
pub mod ws;

/// The value after `name` on the command line (`--members 100`), if given.
pub fn flag(name: &str) -> Option<String> {
    let mut args = std::env::args().skip_while(|a| a != name);
    args.next()?;
    args.next()
}

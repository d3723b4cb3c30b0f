//! Start a server process on an ephemeral loopback port and read what it prints.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const LISTENING: &str = "listening on http://127.0.0.1:";
const DEV_KEY: &str = "dev key: ";

/// Flags roster-server runs with in the benchmarks: their publishers and loaders send
/// thousands of messages a second on one connection (that is what they measure), past
/// the default `--max-inbound-rate`.
pub const ROSTER_FLAGS: [&str; 2] = ["--max-inbound-rate", "1000000"];

/// A running server child process; killed when dropped.
pub struct Server {
    /// The process (spawned with kill_on_drop).
    pub child: Child,
    /// Loopback port it listens on.
    pub port: u16,
    /// Development API key it printed, if any.
    pub key: Option<String>,
}

impl Server {
    /// Start `program args... --bind 127.0.0.1:0` and wait for its listening line.
    pub async fn start(program: &Path, args: &[&str]) -> io::Result<Server> {
        let mut child = Command::new(program)
            .args(args)
            .args(["--bind", "127.0.0.1:0"])
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let mut key = None;
        let mut port = None;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while port.is_none() || key.is_none() {
            // The key line may come after the listening line or not at all.
            let wait = if port.is_some() {
                Duration::from_millis(300)
            } else {
                Duration::from_secs(20)
            };
            let wait = wait.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
            let Ok(line) = tokio::time::timeout(wait, lines.next_line()).await else {
                break;
            };
            let Some(line) = line? else { break };
            if let Some(rest) = line.split(LISTENING).nth(1) {
                port = rest.trim().trim_end_matches('/').parse().ok();
            } else if let Some(rest) = line.split(DEV_KEY).nth(1) {
                key = Some(rest.trim().to_string());
            }
        }
        let port = port.ok_or_else(|| {
            io::Error::other(format!("{} printed no listening line", program.display()))
        })?;
        tokio::spawn(drain(lines));
        Ok(Server { child, port, key })
    }

    /// Start roster-server at `program` with [`ROSTER_FLAGS`], saying so on stderr.
    pub async fn start_roster(program: &Path) -> io::Result<Server> {
        eprintln!(
            "roster-server {}: the benchmarks send thousands of messages a second on one \
             connection, past the default inbound rate of 250",
            ROSTER_FLAGS.join(" ")
        );
        Server::start(program, &ROSTER_FLAGS).await
    }

    /// Resident set size of the process in KiB.
    pub fn rss_kib(&self) -> io::Result<u64> {
        rss_kib(self.pid()?)
    }

    /// Peak resident set size in KiB since start or the last [`Server::reset_peak_rss`].
    pub fn peak_rss_kib(&self) -> io::Result<u64> {
        status_kib(self.pid()?, "VmHWM:")
    }

    /// Restarts the peak resident set size from the current one (Linux clear_refs).
    pub fn reset_peak_rss(&self) -> io::Result<()> {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()?), "5")
    }

    fn pid(&self) -> io::Result<u32> {
        self.child
            .id()
            .ok_or_else(|| io::Error::other("server exited"))
    }
}

/// Keep reading the child's stdout so it never blocks on a full pipe.
async fn drain(mut lines: Lines<BufReader<ChildStdout>>) {
    while let Ok(Some(_)) = lines.next_line().await {}
}

/// VmRSS of a process in KiB, from /proc/<pid>/status.
pub fn rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmRSS:")
}

/// A KiB field of /proc/<pid>/status, e.g. `VmRSS:`.
fn status_kib(pid: u32, field: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {field} in /proc/{pid}/status")))
}

/// Path of a sibling binary of the running executable (e.g. `baseline`, `roster-server`).
pub fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.with_file_name(name)
}

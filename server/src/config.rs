//! Command-line flags (each with a `ROSTER_*` environment variable).

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// roster-server: an Ably-protocol realtime presence server.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "ROSTER_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// API key `appId.keyId:secret`, optionally followed by `=CAPABILITY_JSON`
    /// (default: every operation on every channel). Repeatable. Without any, a
    /// development key is generated, printed, and the dev auth endpoint is enabled.
    /// `ROSTER_KEY` holds one key (capability JSON has commas, so no list separator).
    #[arg(long = "key", env = "ROSTER_KEY")]
    pub keys: Vec<String>,
    /// How long, in ms, members of an abruptly disconnected connection stay present
    /// unless the client asks otherwise (transport param `remainPresentFor`).
    #[arg(long, env = "ROSTER_REMAIN_PRESENT_FOR", default_value_t = 15_000)]
    pub remain_present_for: u64,
    /// How long, in ms, a dropped connection can be resumed.
    #[arg(long, env = "ROSTER_CONNECTION_STATE_TTL", default_value_t = 120_000)]
    pub connection_state_ttl: u64,
    /// How many fanned-out frames each channel keeps (for at most connectionStateTtl)
    /// so that a resumed connection re-attaching gets what it missed. A resume from
    /// further back is answered without RESUMED, with 90003.
    #[arg(long, env = "ROSTER_REPLAY_LIMIT", default_value_t = 2_000)]
    pub replay_limit: usize,
    /// How many bytes of fanned-out frames each channel keeps at most for resumes (the
    /// oldest go first), whatever `--replay-limit` allows.
    #[arg(long, env = "ROSTER_REPLAY_BYTES", default_value_t = 4 << 20)]
    pub replay_bytes: usize,
    /// How many bytes of fanned-out frames all channels together keep at most for
    /// resumes: past it the frames fanned out longest ago go first, whichever channel
    /// holds them (a resume from before them gets 90003, as past `--replay-bytes`). The
    /// default holds 64 channels' full `--replay-bytes`, so that clients attached to many
    /// busy channels cannot make the server hold 4 MiB for each of them.
    #[arg(long, env = "ROSTER_REPLAY_BYTES_TOTAL", default_value_t = 256 << 20)]
    pub replay_bytes_total: usize,
    /// Largest accepted message (a presence or channel message with all its fields,
    /// as JSON), in bytes.
    #[arg(long, env = "ROSTER_MAX_MESSAGE_SIZE", default_value_t = 65_536)]
    pub max_message_size: usize,
    /// How long, in ms, presence history is kept.
    #[arg(long, env = "ROSTER_HISTORY_RETENTION", default_value_t = 120_000)]
    pub history_retention: u64,
    /// How many presence history events each channel keeps at most (the oldest go
    /// first), within `--history-retention`.
    #[arg(long, env = "ROSTER_HISTORY_LIMIT", default_value_t = 1_000)]
    pub history_limit: usize,
    /// How many bytes of presence history events each channel keeps at most (the oldest
    /// go first), whatever `--history-limit` allows.
    #[arg(long, env = "ROSTER_HISTORY_BYTES", default_value_t = 1 << 20)]
    pub history_bytes: usize,
    /// How many bytes of presence history events all channels together keep at most
    /// (counted as for `--history-bytes`): past it the events recorded longest ago go
    /// first, whichever channel holds them, and a channel only its history kept goes with
    /// the last of it. The default holds 256 channels' full `--history-bytes`, so that
    /// clients walking through channels cannot leave 1 MiB on each of them.
    #[arg(long, env = "ROSTER_HISTORY_BYTES_TOTAL", default_value_t = 256 << 20)]
    pub history_bytes_total: usize,
    /// How many channels one connection may be attached to or have members on at once.
    /// An ATTACH or enter past it fails for that channel only, with 90010 as on Ably;
    /// the connection and its other channels go on. Also the most channels one batch
    /// presence request (`GET /presence`) may name.
    #[arg(
        long,
        env = "ROSTER_MAX_CHANNELS_PER_CONNECTION",
        default_value_t = 200
    )]
    pub max_channels_per_connection: usize,
    /// How many members one channel may hold. An enter past it is refused with 91003.
    /// The default is the channel size the server is built and benchmarked for.
    #[arg(
        long,
        env = "ROSTER_MAX_MEMBERS_PER_CHANNEL",
        default_value_t = 100_000
    )]
    pub max_members_per_channel: usize,
    /// How many members one connection may hold across its channels (a key or a `*`
    /// token enters members for any clientId). An enter past it is refused with 91003.
    /// The default lets one connection fill one channel, not every channel it is on.
    #[arg(
        long,
        env = "ROSTER_MAX_MEMBERS_PER_CONNECTION",
        default_value_t = 100_000
    )]
    pub max_members_per_connection: usize,
    /// How many bytes the members of one channel may hold together: each member's
    /// data as sent (a string's UTF-8 bytes, binary bytes, JSON text), clientId,
    /// encoding and extras. An enter or update past it is refused with 91006. The
    /// default bounds a channel at 16 MiB (a full channel of 100,000 members at about
    /// 160 bytes each).
    #[arg(
        long,
        env = "ROSTER_MAX_PRESENCE_DATA_PER_CHANNEL",
        default_value_t = 16 << 20
    )]
    pub max_presence_data_per_channel: usize,
    /// How many bytes the members one connection holds across its channels may hold
    /// together (counted as for `--max-presence-data-per-channel`). An enter or update
    /// past it is refused with 91006. The default lets one connection fill one channel,
    /// not every channel it is on (200 full channels would be 3.2 GB).
    #[arg(
        long,
        env = "ROSTER_MAX_PRESENCE_DATA_PER_CONNECTION",
        default_value_t = 16 << 20
    )]
    pub max_presence_data_per_connection: usize,
    /// How many messages (each channel message or presence item) one connection may send
    /// per second; advertised to clients as `maxInboundRate`. A frame past it is refused
    /// with 42911 and the connection goes on; a connection sending 20 times as many is
    /// closed with 42921. Up to a second's worth may come at once. Any protocol message
    /// past 2,000 a second (or this rate, if higher) closes the connection with 42924.
    #[arg(
        long,
        env = "ROSTER_MAX_INBOUND_RATE",
        default_value_t = 250,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub max_inbound_rate: u64,
    /// How many bytes of frames may wait to be sent to one connection. A client that
    /// stops reading past it has its transport dropped (it may resume and catch up), so
    /// it cannot make the server hold everything sent to it. SYNC pages are made as the
    /// connection takes them, so a SYNC counts one page at a time, whatever its size.
    #[arg(long, env = "ROSTER_MAX_OUTBOX_BYTES", default_value_t = 64 << 20)]
    pub max_outbox_bytes: usize,
    /// How long, in ms, an HTTP connection has to send the whole head of its next
    /// request (from when it opens, or its last response went out). Past it the
    /// connection is closed, so idle or trickling connections are not held for ever; a
    /// WebSocket is not affected once open.
    #[arg(long, env = "ROSTER_REQUEST_HEAD_TIMEOUT", default_value_t = 30_000)]
    pub request_head_timeout: u64,
    /// Serve a directory of files: `MOUNT=DIR`, e.g. `/=www` or `/pkg=pkg`. Repeatable.
    #[arg(long = "static", env = "ROSTER_STATIC", value_delimiter = ',')]
    pub statics: Vec<String>,
    /// Enable the development token endpoint `GET /auth/token-request?clientId=NAME`
    /// (always on when the server generated its own development key).
    #[arg(long, env = "ROSTER_DEV_AUTH")]
    pub dev_auth: bool,
    /// The server sits behind a TLS-terminating proxy: accept API keys (basic auth) from
    /// any peer. Otherwise keys are accepted only from loopback peers (RSC18: 40103).
    #[arg(long, env = "ROSTER_BEHIND_TLS_PROXY")]
    pub behind_tls_proxy: bool,
    /// Log filter in `RUST_LOG` syntax, e.g. `info` or `roster_server=debug`.
    #[arg(long = "log", env = "RUST_LOG", default_value = "warn")]
    pub log: String,
}

impl Config {
    /// The `--static` mounts as (mount path, directory) pairs.
    pub fn static_mounts(&self) -> Result<Vec<(String, PathBuf)>, String> {
        self.statics
            .iter()
            .map(|spec| {
                let (mount, dir) = spec
                    .split_once('=')
                    .ok_or_else(|| format!("--static {spec}: expected MOUNT=DIR"))?;
                let mount = format!("/{}", mount.trim_matches('/'));
                Ok((mount, PathBuf::from(dir)))
            })
            .collect()
    }
}

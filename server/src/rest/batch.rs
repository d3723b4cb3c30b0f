//! `GET /presence?channels=a,b` (batch presence): `{successCount, failureCount, results}`,
//! one result per channel named, in order.
//!
//! The body is made as it is sent. Built whole, a request naming a full channel 200
//! times held about 200 copies of it (20 names of a 100,000-member channel grew the
//! server's peak RSS by 840 MB), and copying each channel out held the hub's lock for all
//! its members at once. Now the counts go first (whether each channel may be read is
//! known before any member is), then each channel's members [`CHUNK`] at a time, each
//! chunk read under the hub's lock and written only as the client takes the last one. As
//! with REST presence pages, a member that enters or leaves while its channel is being
//! listed may or may not be in it; every other member is listed exactly once.

use super::presence::{may_read_presence, Params};
use super::{identify, json_response, ApiError};
use crate::hub::MemberKey;
use crate::state::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::stream;
use roster::json::{WriteJson, Writer};
use roster::presence::MemberFilter;
use roster::protocol::{codes, ErrorInfo};
use std::convert::Infallible;
use std::net::SocketAddr;

/// Members of one channel read per piece of the body.
const CHUNK: usize = 500;

/// Answers a batch presence request.
pub async fn batch_presence(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let identity = identify(&state, &headers, peer)?;
    let names: Vec<&str> = params
        .get("channels")
        .map(|c| c.split(',').filter(|n| !n.is_empty()).collect())
        .unwrap_or_default();
    if names.is_empty() {
        return Err(ErrorInfo::bad_request("channels is required").into());
    }
    // The same cap as on a connection's channels bounds the names (90010, as Ably
    // answers it here too).
    let max = state.config.max_channels_per_connection;
    if names.len() > max {
        let message = format!(
            "Max number of channels permitted in a single batch presence request ({max}) exceeded"
        );
        return Err(ErrorInfo::new(codes::TOO_MANY_CHANNELS, 400, message).into());
    }
    let channels: Vec<(String, Result<(), ErrorInfo>)> = names
        .into_iter()
        .map(|name| (name.to_owned(), may_read_presence(&identity, name)))
        .collect();
    let successes = channels
        .iter()
        .filter(|(_, allowed)| allowed.is_ok())
        .count();
    let head = format!(
        r#"{{"successCount":{successes},"failureCount":{},"results":["#,
        channels.len() - successes
    );
    let body = BatchBody {
        state,
        channels: channels.into_iter(),
        listing: None,
        results_sent: false,
        ended: false,
    };
    let parts = std::iter::once(Bytes::from(head))
        .chain(body)
        .map(Ok::<_, Infallible>);
    Ok(json_response(
        Body::from_stream(stream::iter(parts)),
        HeaderMap::new(),
    ))
}

/// The results of a batch presence answer as pieces of its body, each made when hyper
/// asks for the next one (after the last went out).
struct BatchBody {
    state: Shared,
    /// The channels still to start, with whether each may be read.
    channels: std::vec::IntoIter<(String, Result<(), ErrorInfo>)>,
    /// The channel whose members are being listed, and the key of the last one sent.
    listing: Option<(String, MemberKey)>,
    /// A result was started: the next one needs a comma first.
    results_sent: bool,
    /// The closing `]}` went out.
    ended: bool,
}

impl Iterator for BatchBody {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        let mut out = String::new();
        let (name, after) = match self.listing.take() {
            Some((name, after)) => (name, Some(after)),
            None => {
                let Some((name, allowed)) = self.channels.next() else {
                    if self.ended {
                        return None;
                    }
                    self.ended = true;
                    return Some(Bytes::from_static(b"]}"));
                };
                if std::mem::replace(&mut self.results_sent, true) {
                    out.push(',');
                }
                let mut w = Writer::new();
                w.begin_object();
                w.key("channel");
                w.string(&name);
                if let Err(error) = allowed {
                    w.key("error");
                    error.write_json(&mut w);
                    w.end_object();
                    out.push_str(&w.into_string());
                    return Some(out.into());
                }
                out.push_str(&w.into_string());
                out.push_str(r#","presence":["#);
                (name, None)
            }
        };
        let mut members = Writer::new();
        let mut count = 0;
        // The last key listed, copied once (not per member) before the lock goes.
        let last = {
            let hub = self.state.hub();
            let filter = MemberFilter::default();
            let mut last = None;
            for (key, member) in hub
                .members_after(&name, &filter, after.as_ref())
                .take(CHUNK)
            {
                member.write_json(&mut members);
                last = Some(key);
                count += 1;
            }
            last.cloned()
        };
        if after.is_some() && count > 0 {
            out.push(',');
        }
        out.push_str(&members.into_string());
        match last.filter(|_| count == CHUNK) {
            Some(last) => self.listing = Some((name, last)),
            None => out.push_str("]}"),
        }
        Some(out.into())
    }
}

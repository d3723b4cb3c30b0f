//! `GET /channels/{channel}/presence` and `.../presence/history`.

use super::cursor;
use super::pages::{limit, page_after, page_at};
use super::{identify, json_response, ApiError};
use crate::auth::Identity;
use crate::state::{now_ms, Shared};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use roster::json;
use roster::presence::MemberFilter;
use roster::protocol::{ErrorInfo, PresenceMessage};
use std::collections::HashMap;
use std::net::SocketAddr;

/// A request's query parameters.
pub(super) type Params = Query<HashMap<String, String>>;

/// 40160 unless `identity` may read presence on `channel`.
pub(super) fn may_read_presence(identity: &Identity, channel: &str) -> Result<(), ErrorInfo> {
    let cap = &identity.capability;
    if cap.allows(channel, "subscribe") || cap.allows(channel, "presence") {
        Ok(())
    } else {
        Err(ErrorInfo::not_permitted(format!(
            "no capability to read presence on {channel}"
        )))
    }
}

/// The query parameters among `names` that the request gave, to carry into `Link`s.
fn given<'a>(params: &HashMap<String, String>, names: &[&'a str]) -> Vec<(&'a str, String)> {
    names
        .iter()
        .filter_map(|&name| params.get(name).map(|value| (name, value.clone())))
        .collect()
}

/// The channel's present members, filtered by clientId / connectionId, in pages that go
/// on after the last member of the one before (`cursor`).
pub async fn presence_get(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let identity = identify(&state, &headers, peer)?;
    may_read_presence(&identity, &channel)?;
    let filter = MemberFilter {
        client_id: params.get("clientId").cloned(),
        connection_id: params.get("connectionId").cloned(),
        ..MemberFilter::default()
    };
    let after = params
        .get("cursor")
        .map(|c| cursor::decode(c))
        .transpose()?;
    // The request's cursor as this server writes it, for the `current` link.
    let current = after.as_ref().map(cursor::encode);
    let link_params = given(&params, &["clientId", "connectionId"]);
    let hub = state.hub();
    let (items, links) = page_after(
        hub.members_after(&channel, &filter, after.as_ref())
            .map(|(key, member)| (key, member.clone())),
        current,
        limit(params.get("limit")),
        "presence",
        &link_params,
        |key| cursor::encode(key),
    );
    drop(hub);
    Ok(json_response(json::to_string(&items), links))
}

/// Presence events of the last retention window, newest first unless
/// `direction=forwards`, limited to `start`..=`end` (ms).
pub async fn presence_history(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let identity = identify(&state, &headers, peer)?;
    if !identity.capability.allows(&channel, "history") {
        return Err(ErrorInfo::not_permitted(format!("no history capability on {channel}")).into());
    }
    let bound = |name: &str| -> Result<Option<u64>, ErrorInfo> {
        params
            .get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| ErrorInfo::bad_request(format!("{name} must be a time in ms")))
            })
            .transpose()
    };
    let (start, end) = (bound("start")?, bound("end")?);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(ErrorInfo::bad_request("start must not be after end").into());
        }
    }
    let forwards = match params.get("direction").map(String::as_str) {
        None | Some("backwards") => false,
        Some("forwards") => true,
        Some(other) => {
            return Err(ErrorInfo::bad_request(format!("invalid direction {other}")).into())
        }
    };
    let mut events: Vec<(u64, PresenceMessage)> = state
        .hub()
        .history(&channel, now_ms())
        .into_iter()
        .filter(|(_, m)| {
            let t = m.timestamp.unwrap_or(0);
            start.is_none_or(|s| t >= s) && end.is_none_or(|e| t <= e)
        })
        .collect();
    if !forwards {
        events.reverse();
    }
    // The cursor is the position of the page's first event: the page goes on from it in
    // its direction, whatever was added or dropped since the previous page.
    let cursor: Option<u64> = params.get("cursor").and_then(|c| c.parse().ok());
    let events = events
        .into_iter()
        .filter(|(at, _)| cursor.is_none_or(|c| if forwards { *at >= c } else { *at <= c }));
    let mut link_params = vec![(
        "direction",
        if forwards { "forwards" } else { "backwards" }.to_owned(),
    )];
    link_params.extend(given(&params, &["start", "end"]));
    let (items, links) = page_at(
        events,
        cursor,
        limit(params.get("limit")),
        "history",
        &link_params,
    );
    Ok(json_response(json::to_string(&items), links))
}

//! Pagination by cursors that items coming or going do not shift, with `Link` headers
//! as ably-js follows them: relative `<./name?query>; rel="..."` entries, every
//! parameter in the link, no raw commas.

use axum::http::{HeaderMap, HeaderValue};
use roster::rest::encode_component;

/// One page of `items`, each with its key, given in page order after the request's
/// cursor (`current`, its text): the next page's cursor is the key of the page's last
/// item, made text by `cursor_of`, so items coming or going before it do not shift it.
pub fn page_after<K, T>(
    items: impl Iterator<Item = (K, T)>,
    current: Option<String>,
    limit: usize,
    word: &str,
    params: &[(&str, String)],
    cursor_of: impl FnOnce(&K) -> String,
) -> (Vec<T>, HeaderMap) {
    let mut items: Vec<(K, T)> = items.take(limit + 1).collect();
    let has_next = items.len() > limit;
    items.truncate(limit);
    let next = items
        .last()
        .filter(|_| has_next)
        .map(|(key, _)| cursor_of(key));
    let items = items.into_iter().map(|(_, item)| item).collect();
    (items, links(word, params, limit, current, next))
}

/// One page of `items`, each with a position that does not change between requests,
/// given in page order from the request's `cursor` on: the next page's cursor is the
/// position of the first item left out, so items coming or going elsewhere do not shift
/// it.
pub fn page_at<T>(
    items: impl Iterator<Item = (u64, T)>,
    cursor: Option<u64>,
    limit: usize,
    word: &str,
    params: &[(&str, String)],
) -> (Vec<T>, HeaderMap) {
    let mut items: Vec<(u64, T)> = items.take(limit + 1).collect();
    let next = (items.len() > limit).then(|| items.pop().map(|(at, _)| at.to_string()));
    let current = cursor.map(|at| at.to_string());
    let items = items.into_iter().map(|(_, item)| item).collect();
    (items, links(word, params, limit, current, next.flatten()))
}

/// The `Link` header: first, current and (if any) next page.
fn links(
    word: &str,
    params: &[(&str, String)],
    limit: usize,
    current: Option<String>,
    next: Option<String>,
) -> HeaderMap {
    let link = |cursor: Option<&String>| {
        let mut query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect();
        query.push(format!("limit={limit}"));
        if let Some(cursor) = cursor {
            query.push(format!("cursor={cursor}"));
        }
        format!("<./{word}?{}>", query.join("&"))
    };
    let mut links = vec![
        format!("{}; rel=\"first\"", link(None)),
        format!("{}; rel=\"current\"", link(current.as_ref())),
    ];
    if let Some(next) = &next {
        links.push(format!("{}; rel=\"next\"", link(Some(next))));
    }
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert("link", value);
    }
    headers
}

/// `limit` from a query: default 100, at most 1000.
pub fn limit(value: Option<&String>) -> usize {
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
        .clamp(1, 1000)
}

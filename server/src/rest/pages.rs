//! Offset pagination with `Link` headers as ably-js follows them: relative
//! `<./name?query>; rel="..."` entries, every parameter in the link, no raw commas.

use axum::http::{HeaderMap, HeaderValue};
use roster::rest::encode_component;

/// One page of `items` from `offset`, with its `Link` header. Only the page (and one
/// item past it, to know whether there is a next) is collected.
pub fn page<T>(
    items: impl Iterator<Item = T>,
    offset: usize,
    limit: usize,
    word: &str,
    params: &[(&str, String)],
) -> (Vec<T>, HeaderMap) {
    let mut items: Vec<T> = items.skip(offset).take(limit + 1).collect();
    let has_next = items.len() > limit;
    items.truncate(limit);
    let (start, end) = (offset, offset + items.len());
    let link = |cursor: usize| {
        let mut query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect();
        query.push(format!("limit={limit}"));
        if cursor > 0 {
            query.push(format!("cursor={cursor}"));
        }
        format!("<./{word}?{}>", query.join("&"))
    };
    let mut links = vec![
        format!("{}; rel=\"first\"", link(0)),
        format!("{}; rel=\"current\"", link(start)),
    ];
    if has_next {
        links.push(format!("{}; rel=\"next\"", link(end)));
    }
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert("link", value);
    }
    (items, headers)
}

/// `limit` from a query: default 100, at most 1000.
pub fn limit(value: Option<&String>) -> usize {
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
        .clamp(1, 1000)
}

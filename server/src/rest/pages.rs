//! Offset pagination with `Link` headers as ably-js follows them: relative
//! `<./name?query>; rel="..."` entries, every parameter in the link, no raw commas.

use axum::http::{HeaderMap, HeaderValue};
use roster::rest::encode_component;

/// One page of `items` from `offset`, with its `Link` header.
pub fn page<T: Clone>(
    items: &[T],
    offset: usize,
    limit: usize,
    word: &str,
    params: &[(&str, String)],
) -> (Vec<T>, HeaderMap) {
    let start = offset.min(items.len());
    let end = (start + limit).min(items.len());
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
    if end < items.len() {
        links.push(format!("{}; rel=\"next\"", link(end)));
    }
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert("link", value);
    }
    (items[start..end].to_vec(), headers)
}

/// `limit` from a query: default 100, at most 1000.
pub fn limit(value: Option<&String>) -> usize {
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
        .clamp(1, 1000)
}

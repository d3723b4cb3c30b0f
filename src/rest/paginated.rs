//! One page of a paginated REST result and the requests for its neighbours.

use super::{HttpRequest, Links};
use crate::text;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// A page of items plus the links to its first, current and next pages (TG1).
#[derive(Debug, Clone, PartialEq)]
pub struct PaginatedResult<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The path of the original request, without its query; linked pages re-use it.
    path: String,
    /// The linked pages' queries.
    links: Links,
}

impl<T> PaginatedResult<T> {
    /// A page fetched from `path` (its query, if any, is dropped) with the given links.
    pub fn new(items: Vec<T>, path: &str, links: Links) -> Self {
        let path = text::split_once_byte(path, b'?')
            .map_or(path, |(p, _)| p)
            .to_owned();
        PaginatedResult { items, path, links }
    }

    /// Whether there is a next page.
    pub fn has_next(&self) -> bool {
        self.links.next.is_some()
    }

    /// Whether this is the last page.
    pub fn is_last(&self) -> bool {
        !self.has_next()
    }

    /// The request for the next page, if there is one.
    pub fn next_request(&self) -> Option<HttpRequest> {
        self.request(self.links.next.as_deref())
    }

    /// The request for the first page, if the server linked it.
    pub fn first_request(&self) -> Option<HttpRequest> {
        self.request(self.links.first.as_deref())
    }

    /// The request for this page again, if the server linked it.
    pub fn current_request(&self) -> Option<HttpRequest> {
        self.request(self.links.current.as_deref())
    }

    fn request(&self, query: Option<&str>) -> Option<HttpRequest> {
        query.map(|q| HttpRequest::get(text::concat(&[&self.path, "?", q])))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_link_header, Method};
    use super::*;

    #[test]
    fn linked_requests_reuse_the_original_path() {
        let links = parse_link_header(
            r#"<./presence?limit=1>; rel="first", <./presence?limit=1&start=x%2C1>; rel="next""#,
        );
        let page = PaginatedResult::new(vec![1], "/channels/a%2Fb/presence?limit=1", links);
        assert!(page.has_next());
        assert!(!page.is_last());
        let next = page.next_request().unwrap();
        assert_eq!(next.method, Method::Get);
        assert_eq!(next.path, "/channels/a%2Fb/presence?limit=1&start=x%2C1");
        assert_eq!(
            page.first_request().unwrap().path,
            "/channels/a%2Fb/presence?limit=1"
        );
        assert!(page.current_request().is_none());
    }

    #[test]
    fn no_links_is_last_page() {
        let page: PaginatedResult<u8> = PaginatedResult::new(vec![], "/x", Links::default());
        assert!(page.is_last());
        assert!(page.next_request().is_none());
    }
}

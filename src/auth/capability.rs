//! Capabilities: which operations a key or token allows on which channels.
//!
//! JSON such as `{"chat:*":["presence","subscribe"],"lobby":["*"]}`. A resource is an
//! exact channel name, `*` (every channel) or a prefix glob ending in `*` (`chat:*`); the
//! operation `*` allows every operation.

use crate::json::{Error, Reader, Writer};
use crate::protocol::ErrorInfo;
use alloc::borrow::ToOwned;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

/// Resource pattern -> allowed operations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capability {
    grants: BTreeMap<String, BTreeSet<String>>,
}

impl Capability {
    /// Parses capability JSON; anything but an object of string arrays is 40000.
    pub fn parse(json: &str) -> Result<Capability, ErrorInfo> {
        let mut grants = read_grants(json)
            .map_err(|e| ErrorInfo::bad_request(e.describe("invalid capability")))?;
        grants.retain(|_, ops| !ops.is_empty());
        Ok(Capability { grants })
    }

    /// Everything on every channel: `{"*":["*"]}`.
    pub fn all() -> Self {
        let mut grants = BTreeMap::new();
        grants.insert("*".to_owned(), BTreeSet::from(["*".to_owned()]));
        Capability { grants }
    }

    /// Whether `op` (e.g. `presence`) is allowed on `channel`.
    pub fn allows(&self, channel: &str, op: &str) -> bool {
        self.grants.iter().any(|(resource, ops)| {
            covers(resource, channel) && (ops.contains("*") || ops.contains(op))
        })
    }

    /// What both allow (a token's capability is its request's intersected with the key's).
    pub fn intersect(&self, other: &Capability) -> Capability {
        let mut grants: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (ra, opsa) in &self.grants {
            for (rb, opsb) in &other.grants {
                let Some(resource) = narrower(ra, rb) else {
                    continue;
                };
                let ops = intersect_ops(opsa, opsb);
                if !ops.is_empty() {
                    grants.entry(resource.to_owned()).or_default().extend(ops);
                }
            }
        }
        Capability { grants }
    }

    /// Canonical JSON: resources sorted, operations sorted, no spaces.
    pub fn canonical(&self) -> String {
        let mut w = Writer::new();
        w.begin_object();
        for (resource, ops) in &self.grants {
            w.text_key(resource);
            w.begin_array();
            for op in ops {
                w.string(op);
            }
            w.end_array();
        }
        w.end_object();
        w.into_string()
    }

    /// Whether nothing at all is allowed.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }
}

/// The whole text as `{resource: [op, ...]}`; a resource given twice keeps its last list.
fn read_grants(json: &str) -> Result<BTreeMap<String, BTreeSet<String>>, Error> {
    let mut r = Reader::new(json);
    let mut grants = BTreeMap::new();
    r.begin_object()?;
    while let Some(resource) = r.next_key()? {
        let ops: Vec<String> = r.read()?;
        grants.insert(resource.into_owned(), ops.into_iter().collect());
    }
    r.finish()?;
    Ok(grants)
}

/// Whether `pattern` matches `name`, where `name` may itself be a pattern: `*` covers
/// everything, `prefix*` covers names (and narrower globs) starting with `prefix`.
fn covers(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// The narrower of two resources if one covers the other; disjoint ones give None.
fn narrower<'a>(a: &'a str, b: &'a str) -> Option<&'a str> {
    if covers(a, b) {
        Some(b)
    } else if covers(b, a) {
        Some(a)
    } else {
        None
    }
}

fn intersect_ops(a: &BTreeSet<String>, b: &BTreeSet<String>) -> BTreeSet<String> {
    if a.contains("*") {
        b.clone()
    } else if b.contains("*") {
        a.clone()
    } else {
        a.intersection(b).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_canonical() {
        let cap = Capability::parse(r#"{ "lobby": ["subscribe", "presence"], "chat:*": ["*"] }"#)
            .unwrap();
        assert_eq!(
            cap.canonical(),
            r#"{"chat:*":["*"],"lobby":["presence","subscribe"]}"#
        );
        assert_eq!(Capability::all().canonical(), r#"{"*":["*"]}"#);
    }

    #[test]
    fn parse_rejects_non_capabilities() {
        for bad in ["", "[]", r#"{"a":"presence"}"#, r#"{"a":[1]}"#, "{", "null"] {
            assert_eq!(Capability::parse(bad).unwrap_err().code, 40000, "{bad}");
        }
    }

    #[test]
    fn allows_exact_glob_and_wildcards() {
        let cap = Capability::parse(
            r#"{"lobby":["presence"],"chat:*":["subscribe","publish"],"admin":["*"]}"#,
        )
        .unwrap();
        assert!(cap.allows("lobby", "presence"));
        assert!(!cap.allows("lobby", "publish"));
        assert!(!cap.allows("lobby2", "presence"));
        assert!(cap.allows("chat:room1", "publish"));
        assert!(cap.allows("chat:a:b", "subscribe"));
        assert!(!cap.allows("chat", "subscribe"));
        assert!(!cap.allows("chat:room1", "presence"));
        assert!(cap.allows("admin", "history"));
        assert!(Capability::all().allows("anything", "presence"));
        assert!(!Capability::default().allows("lobby", "presence"));
    }

    #[test]
    fn intersect_narrows_resources_and_ops() {
        let key =
            Capability::parse(r#"{"chat:*":["presence","subscribe"],"lobby":["*"]}"#).unwrap();
        let asked =
            Capability::parse(r#"{"*":["presence","publish"],"chat:room":["*"],"other":["*"]}"#)
                .unwrap();
        let got = key.intersect(&asked);
        assert_eq!(
            got.canonical(),
            r#"{"chat:*":["presence"],"chat:room":["presence","subscribe"],"lobby":["presence","publish"]}"#
        );
        assert_eq!(Capability::all().intersect(&key), key);
        assert_eq!(key.intersect(&Capability::all()), key);
        let disjoint = Capability::parse(r#"{"x":["*"]}"#).unwrap();
        assert!(key.intersect(&disjoint).is_empty());
    }
}

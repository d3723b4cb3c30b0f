//! A channel's member set: the members by (clientId, connectionId), the same keys by
//! connection, and the bytes they hold, kept in step by `insert` and `remove`.

use super::limits::held_size;
use roster::presence::MemberFilter;
use roster::protocol::PresenceMessage;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// A member's key: (clientId, connectionId).
pub type MemberKey = (String, String);

/// The present members of one channel, stored as PRESENT.
#[derive(Debug, Default)]
pub struct Members {
    /// The members by key, in key order (the order SYNC and REST list them in).
    by_key: BTreeMap<MemberKey, PresenceMessage>,
    /// The same keys as (connectionId, clientId): a connection's members are a range of
    /// it, so its leave finds them without scanning a large channel, and an insert or
    /// remove costs O(log n) however many members one connection holds. One set for the
    /// channel, not one per connection: most connections hold one member.
    by_connection: BTreeSet<(String, String)>,
    /// The bytes of the members together (`limits::held_size`).
    held_bytes: usize,
}

impl Members {
    /// Stores a member under its key; returns whether it is new (not a replacement of
    /// the member already under that key).
    pub fn insert(&mut self, key: MemberKey, member: PresenceMessage) -> bool {
        self.held_bytes += held_size(&member);
        match self.by_key.entry(key) {
            Entry::Occupied(mut stored) => {
                let replaced = stored.insert(member);
                self.held_bytes -= held_size(&replaced);
                false
            }
            Entry::Vacant(slot) => {
                let (client_id, conn_id) = slot.key();
                self.by_connection
                    .insert((conn_id.clone(), client_id.clone()));
                slot.insert(member);
                true
            }
        }
    }

    /// Removes a member, returning it if it was present.
    pub fn remove(&mut self, key: &MemberKey) -> Option<PresenceMessage> {
        let ((client_id, conn_id), member) = self.by_key.remove_entry(key)?;
        self.held_bytes -= held_size(&member);
        self.by_connection.remove(&(conn_id, client_id));
        Some(member)
    }

    /// The member under `key`.
    pub fn get(&self, key: &MemberKey) -> Option<&PresenceMessage> {
        self.by_key.get(key)
    }

    /// How many members are present.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether no member is present.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The bytes of the members together (`limits::held_size`).
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// The clientIds present through `conn_id`, in order, from `client_from` on.
    fn clients_of<'a>(
        &'a self,
        conn_id: &'a str,
        client_from: &str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let from = (conn_id.to_owned(), client_from.to_owned());
        self.by_connection
            .range((Bound::Included(from), Bound::Unbounded))
            .take_while(move |(conn, _)| conn == conn_id)
            .map(|(_, client_id)| client_id.as_str())
    }

    /// Whether any member is present through `conn_id`.
    pub fn has_members_of(&self, conn_id: &str) -> bool {
        // "" is the least clientId: this is the first of the connection's range.
        self.clients_of(conn_id, "").next().is_some()
    }

    /// Whether `client_id` is present through `conn_id`.
    pub fn has_member(&self, client_id: &str, conn_id: &str) -> bool {
        self.by_key
            .contains_key(&(client_id.to_owned(), conn_id.to_owned()))
    }

    /// The keys of the members present through `conn_id`.
    pub fn keys_of(&self, conn_id: &str) -> Vec<MemberKey> {
        self.clients_of(conn_id, "")
            .map(|client_id| (client_id.to_owned(), conn_id.to_owned()))
            .collect()
    }

    /// The members matching `filter` whose key comes after `after` (all if `None`), in
    /// key order, with their keys. Starts from a B-tree position, so taking k of them
    /// costs O(log n + k), or O(k log n) with a connectionId filter.
    pub fn matching_after<'a>(
        &'a self,
        filter: &'a MemberFilter,
        after: Option<&'a MemberKey>,
    ) -> Box<dyn Iterator<Item = (&'a MemberKey, &'a PresenceMessage)> + 'a> {
        let is_after = move |key: &MemberKey| after.is_none_or(|after| key > after);
        match (&filter.client_id, &filter.connection_id) {
            (client_id, Some(conn_id)) => {
                // The connection's clientIds in order are its members in key order; the
                // one named by `after` is the only one of them at or before it.
                let client_from = match (client_id, after) {
                    (Some(client_id), _) => client_id.as_str(),
                    (None, Some((after_client, _))) => after_client.as_str(),
                    (None, None) => "",
                };
                let members = self
                    .clients_of(conn_id, client_from)
                    .take_while(move |c| client_id.as_deref().is_none_or(|id| id == *c))
                    .filter_map(move |c| {
                        self.by_key.get_key_value(&(c.to_owned(), conn_id.clone()))
                    })
                    .filter(move |(key, _)| is_after(key));
                Box::new(members)
            }
            (Some(client_id), None) => {
                let least = (client_id.clone(), String::new());
                let from = match after {
                    Some(after) if *after >= least => Bound::Excluded(after.clone()),
                    _ => Bound::Included(least),
                };
                let members = self
                    .by_key
                    .range((from, Bound::Unbounded))
                    .take_while(move |((c, _), _)| c == client_id);
                Box::new(members)
            }
            (None, None) => {
                let from = after.map_or(Bound::Unbounded, Bound::Excluded);
                Box::new(self.by_key.range((from, Bound::Unbounded)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::protocol::PresenceAction;

    fn key(client: &str, conn: &str) -> MemberKey {
        (client.to_owned(), conn.to_owned())
    }

    #[test]
    fn the_connection_index_follows_inserts_and_removes() {
        let mut members = Members::default();
        let member = PresenceMessage::new(PresenceAction::Present);
        for k in [key("b", "c1"), key("a", "c1"), key("a", "c2")] {
            assert!(members.insert(k, member.clone()));
        }
        assert!(!members.insert(key("a", "c1"), member.clone()));
        assert_eq!(members.keys_of("c1"), vec![key("a", "c1"), key("b", "c1")]);
        assert!(members.remove(&key("a", "c1")).is_some());
        assert!(members.remove(&key("a", "c1")).is_none());
        assert_eq!(members.keys_of("c1"), vec![key("b", "c1")]);
        members.remove(&key("b", "c1"));
        assert!(members.keys_of("c1").is_empty());
        assert!(!members.has_members_of("c1"));
        assert!(members.by_connection.iter().all(|(conn, _)| conn != "c1"));
        assert_eq!(members.keys_of("c2"), vec![key("a", "c2")]);
    }

    #[test]
    fn a_connections_members_are_its_own_whatever_its_id_is_a_prefix_of() {
        let mut members = Members::default();
        let member = PresenceMessage::new(PresenceAction::Present);
        for conn in ["c", "c1", "b", "c\u{0}", "cc"] {
            for client in ["", "a", "zz"] {
                members.insert(key(client, conn), member.clone());
            }
        }
        let of_c = [key("", "c"), key("a", "c"), key("zz", "c")];
        assert_eq!(members.keys_of("c"), of_c);
        for client in ["", "a", "zz"] {
            assert!(members.has_member(client, "c"));
            members.remove(&key(client, "c"));
        }
        assert!(
            !members.has_members_of("c"),
            "c1, c\\0 and cc are other connections"
        );
        assert!(members.keys_of("c").is_empty());
        assert!(!members.has_member("a", "c"));
        assert_eq!(members.len(), 12);
        assert_eq!(members.keys_of("c1").len(), 3);
        assert!(members.has_members_of("c\u{0}") && members.has_members_of("b"));
        assert!(!members.has_members_of("") && !members.has_members_of("d"));
    }

    #[test]
    fn the_held_bytes_follow_inserts_replacements_and_removes() {
        let mut members = Members::default();
        let with = |data: &str| PresenceMessage {
            data: Some(roster::protocol::Data::String(data.into())),
            ..PresenceMessage::new(PresenceAction::Present)
        };
        members.insert(key("a", "c1"), with("12345"));
        members.insert(key("b", "c1"), with("123"));
        assert_eq!(members.held_bytes(), 8);
        members.insert(key("a", "c1"), with("1"));
        assert_eq!(
            members.held_bytes(),
            4,
            "a replaced member's bytes are given back"
        );
        members.remove(&key("b", "c1"));
        members.remove(&key("b", "c1"));
        assert_eq!(members.held_bytes(), 1);
        // Every field the client chose counts, not only the data.
        let everything = PresenceMessage {
            client_id: Some("abc".into()),
            encoding: Some("json".into()),
            extras: Some(roster::json::JsonText::new("{}").expect("json")),
            ..with("12")
        };
        members.insert(key("c", "c1"), everything);
        assert_eq!(members.held_bytes(), 1 + 2 + 3 + 4 + 2);
    }

    #[test]
    fn matching_after_goes_on_after_a_key_whatever_the_filter() {
        let mut members = Members::default();
        let member = PresenceMessage::new(PresenceAction::Present);
        let all = [
            key("a", "c1"),
            key("a", "c2"),
            key("b", "c1"),
            key("b", "c2"),
            key("b", "c3"),
            key("c", "c2"),
        ];
        for k in &all {
            members.insert(k.clone(), member.clone());
        }
        let filter = |client: Option<&str>, conn: Option<&str>| MemberFilter {
            client_id: client.map(str::to_owned),
            connection_id: conn.map(str::to_owned),
            ..MemberFilter::default()
        };
        // Every filter, after every key (present or not) and after none: the same as
        // filtering all members and keeping those after the key.
        let mut afters: Vec<Option<MemberKey>> = vec![None, Some(key("", "")), Some(key("zz", ""))];
        afters.extend(all.iter().cloned().map(Some));
        afters.extend([
            Some(key("a", "c15")),
            Some(key("b", "c0")),
            Some(key("b", "c9")),
        ]);
        for client in [None, Some("a"), Some("b"), Some("d")] {
            for conn in [None, Some("c1"), Some("c2"), Some("c9")] {
                let filter = filter(client, conn);
                for after in &afters {
                    let got: Vec<&MemberKey> = members
                        .matching_after(&filter, after.as_ref())
                        .map(|(k, _)| k)
                        .collect();
                    let expected: Vec<&MemberKey> = all
                        .iter()
                        .filter(|(c, _)| client.is_none_or(|id| id == c))
                        .filter(|(_, k)| conn.is_none_or(|id| id == k))
                        .filter(|k| after.as_ref().is_none_or(|after| *k > after))
                        .collect();
                    assert_eq!(got, expected, "{client:?} {conn:?} after {after:?}");
                }
            }
        }
    }
}

//! `OwnMembers`: the members this connection entered, so they can be re-entered (RTP17).

use crate::protocol::{PresenceAction, PresenceMessage};
use std::collections::HashMap;

/// The members entered on this connection, keyed by clientId, as last seen from the
/// server's echo of our own presence messages.
#[derive(Debug, Clone, Default)]
pub struct OwnMembers {
    members: HashMap<String, PresenceMessage>,
}

impl OwnMembers {
    /// No members yet.
    pub fn new() -> OwnMembers {
        OwnMembers::default()
    }

    /// Feeds a received presence message; only those on `own_connection_id` count.
    /// A synthesized LEAVE (the server's, after a dropped transport) does not remove
    /// the member: that is exactly the member we must re-enter (RTP17b).
    pub fn observe(&mut self, msg: &PresenceMessage, own_connection_id: &str) {
        if msg.connection_id.as_deref() != Some(own_connection_id) {
            return;
        }
        let Some(client_id) = msg.client_id.as_deref() else {
            return;
        };
        match msg.action {
            PresenceAction::Enter | PresenceAction::Update | PresenceAction::Present => {
                self.members.insert(client_id.to_owned(), msg.clone());
            }
            PresenceAction::Leave if !msg.is_synthesized() => {
                self.members.remove(client_id);
            }
            _ => {}
        }
    }

    /// The members to re-enter: clientId, data, encoding and the last id of each.
    pub fn members(&self) -> impl Iterator<Item = &PresenceMessage> {
        self.members.values()
    }

    /// Forgets a member (an explicit leave of our own).
    pub fn remove(&mut self, client_id: &str) {
        self.members.remove(client_id);
    }

    /// Forgets every member (the connection closed).
    pub fn clear(&mut self) {
        self.members.clear();
    }

    /// Whether no member is held.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(action: PresenceAction, id: &str) -> PresenceMessage {
        PresenceMessage {
            id: Some(id.into()),
            client_id: Some("alice".into()),
            connection_id: Some("c1".into()),
            ..PresenceMessage::new(action)
        }
    }

    #[test]
    fn tracks_only_this_connections_members() {
        let mut members = OwnMembers::new();
        members.observe(&own(PresenceAction::Enter, "c1:0:0"), "c2");
        assert!(members.is_empty());
        members.observe(&own(PresenceAction::Enter, "c1:0:0"), "c1");
        assert_eq!(members.members().count(), 1);
    }

    #[test]
    fn synthesized_leave_keeps_the_member_for_reentry() {
        let mut members = OwnMembers::new();
        members.observe(&own(PresenceAction::Enter, "c1:0:0"), "c1");
        members.observe(&own(PresenceAction::Leave, "server:1:0"), "c1");
        assert_eq!(members.members().count(), 1);
        members.observe(&own(PresenceAction::Leave, "c1:1:0"), "c1");
        assert!(members.is_empty());
    }
}

//! `OwnMembers`: the members this connection entered, so they can be re-entered (RTP17).

use crate::protocol::{PresenceAction, PresenceMessage};

/// The members entered on this connection, one per clientId, as last seen from the
/// server's echo of our own presence messages.
///
/// A Vec searched by clientId: a connection enters a handful of members, and a std
/// HashMap would bring SipHash and its random seeding into the wasm.
#[derive(Debug, Clone, Default)]
pub struct OwnMembers {
    members: Vec<PresenceMessage>,
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
                let held = self
                    .members
                    .iter_mut()
                    .find(|m| m.client_id.as_deref() == Some(client_id));
                match held {
                    Some(member) => *member = msg.clone(),
                    None => self.members.push(msg.clone()),
                }
            }
            PresenceAction::Leave if !msg.is_synthesized() => self.remove(client_id),
            _ => {}
        }
    }

    /// The members to re-enter: clientId, data, encoding and the last id of each.
    pub fn members(&self) -> impl Iterator<Item = &PresenceMessage> {
        self.members.iter()
    }

    /// Forgets a member (an explicit leave of our own).
    pub fn remove(&mut self, client_id: &str) {
        self.members
            .retain(|m| m.client_id.as_deref() != Some(client_id));
    }

    /// Forgets every member (the channel detached or failed, RTP5a).
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

    #[test]
    fn holds_the_latest_message_of_each_client() {
        let mut members = OwnMembers::new();
        members.observe(&own(PresenceAction::Enter, "c1:0:0"), "c1");
        let bob = PresenceMessage {
            client_id: Some("bob".into()),
            ..own(PresenceAction::Enter, "c1:1:0")
        };
        members.observe(&bob, "c1");
        members.observe(&own(PresenceAction::Update, "c1:2:0"), "c1");
        let ids: Vec<_> = members.members().map(|m| m.id.as_deref()).collect();
        assert_eq!(ids, [Some("c1:2:0"), Some("c1:1:0")]);
        members.remove("alice");
        let ids: Vec<_> = members.members().map(|m| m.id.as_deref()).collect();
        assert_eq!(ids, [Some("c1:1:0")]);
    }
}

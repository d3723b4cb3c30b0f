//! `OwnMembers`: the members this connection entered, so they can be re-entered (RTP17).

use crate::protocol::{Data, PresenceAction, PresenceMessage};

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

    /// Takes the app's own enter or update of a member held here, sent on connection
    /// `connection_id`: a re-entry must not bring back the older data. Until the server's
    /// echo replaces it, the member has no id.
    pub fn supersede(&mut self, client_id: &str, data: &Option<Data>, connection_id: Option<&str>) {
        if let Some(member) = self
            .members
            .iter_mut()
            .find(|m| m.client_id.as_deref() == Some(client_id))
        {
            member.id = None;
            member.data = data.clone();
            member.encoding = None;
            member.extras = None;
            member.connection_id = connection_id.map(str::to_owned);
        }
    }

    /// The members a re-attach on connection `connection_id` re-enters (RTP17i): all but
    /// those the app changed on that connection since the server last echoed them, whose
    /// change, sent or queued, puts them there with their latest data.
    pub fn to_reenter<'a>(
        &'a self,
        connection_id: Option<&'a str>,
    ) -> impl Iterator<Item = &'a PresenceMessage> {
        self.members
            .iter()
            .filter(move |m| m.id.is_some() || m.connection_id.as_deref() != connection_id)
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

    #[test]
    fn an_update_not_yet_echoed_is_not_reentered_on_its_connection() {
        let mut members = OwnMembers::new();
        members.observe(&own(PresenceAction::Enter, "c1:0:0"), "c1");
        members.supersede("alice", &Some(Data::String("away".into())), Some("c1"));
        assert_eq!(members.to_reenter(Some("c1")).count(), 0);
        // On another connection the member is gone from the server: re-entered, new data.
        let again: Vec<_> = members.to_reenter(Some("c2")).collect();
        assert_eq!(again[0].data, Some(Data::String("away".into())));
        assert_eq!(again[0].id, None);
        members.observe(&own(PresenceAction::Update, "c1:1:0"), "c1");
        assert_eq!(members.to_reenter(Some("c1")).count(), 1);
    }
}

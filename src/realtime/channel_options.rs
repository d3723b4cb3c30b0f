//! Channel options (modes and params, RTL16) and releasing a channel.

use super::{Realtime, Ticket};
use crate::channel::{ChannelOptions, ChannelState};
use crate::protocol::{codes, ErrorInfo};
use crate::realtime::{Completion, OpId};
use alloc::string::String;

impl Realtime {
    /// channel.setOptions(): the modes and params to attach with from now on. An attached
    /// or attaching channel attaches again if a given part differs, and this completes on
    /// its ATTACHED (RTL16a); otherwise at once. As in ably-js, a part not given
    /// (`modes` empty, `params` None) is dropped without forcing a re-attach.
    pub fn set_channel_options(&mut self, name: &str, options: ChannelOptions, now: u64) -> OpId {
        let op = self.new_op();
        let channel = self.channels.get_or_default(name);
        let reattach = needs_reattach(channel.state, &channel.options, &options);
        channel.options = options;
        if !reattach {
            self.complete(op, Ok(Completion::Done));
            return op;
        }
        channel.attach_waiters.push(Ticket::Op(op));
        self.send_attach(name, now);
        op
    }

    /// Whether `set_channel_options` with `options` would attach the channel again.
    pub fn would_reattach(&self, name: &str, options: &ChannelOptions) -> bool {
        self.channels
            .get(name)
            .is_some_and(|c| needs_reattach(c.state, &c.options, options))
    }

    /// The modes and params the channel's last ATTACHED granted (none before one).
    pub fn channel_granted(&self, name: &str) -> Option<&ChannelOptions> {
        self.channels.get(name).map(|c| &c.granted)
    }

    /// channels.release(): forgets a channel that can hear nothing more from the server
    /// (initialized, detached or failed), its presence set and own members with it; a
    /// DETACH still owed goes once connected. Others must be detached first (90001, as
    /// ably-js).
    pub fn release_channel(&mut self, name: &str) -> Result<(), ErrorInfo> {
        let state = self.channel_state(name);
        if !matches!(
            state,
            ChannelState::Initialized | ChannelState::Detached | ChannelState::Failed
        ) {
            return Err(ErrorInfo::new(
                codes::CHANNEL_STATE,
                400,
                crate::text::concat(&[
                    "cannot release a channel that is ",
                    state.name(),
                    ": detach it first",
                ]),
            ));
        }
        let is_detach_owed = self.channels.get(name).is_some_and(|c| c.is_detach_owed);
        self.channels.remove(name);
        // A DETACH still owed to the server (detached while the connection was down)
        // outlives the channel: a connection that resumes would keep the attachment.
        if is_detach_owed {
            self.with_channel(name, |c| c.is_detach_owed = true);
        }
        Ok(())
    }
}

/// Whether changing `old` to `new` on a channel in `state` takes a new ATTACH: only an
/// attached or attaching channel, and only for a part that was given and differs.
fn needs_reattach(state: ChannelState, old: &ChannelOptions, new: &ChannelOptions) -> bool {
    let active = matches!(state, ChannelState::Attached | ChannelState::Attaching);
    let params_differ = new
        .params
        .as_deref()
        .is_some_and(|params| !same_params(params, old.params.as_deref().unwrap_or_default()));
    let modes_differ = !new.modes.is_empty() && new.modes != old.modes;
    active && (params_differ || modes_differ)
}

/// Whether two sets of channel params are the same as ably-js compares them (RTL16a): in
/// any order, and `agent` aside, which names the SDK (ably/react sets
/// `react-hooks/VERSION` on every channel it is given) and goes with the next attach.
fn same_params(a: &[(String, String)], b: &[(String, String)]) -> bool {
    let named =
        |params: &[(String, String)]| params.iter().filter(|(key, _)| key != "agent").count();
    named(a) == named(b) && a.iter().all(|pair| pair.0 == "agent" || b.contains(pair))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Flags, PresenceAction};
    use crate::realtime::test_client::{client, connect, drain};
    use crate::realtime::Event;

    fn watcher() -> ChannelOptions {
        ChannelOptions {
            modes: Flags::PRESENCE_SUBSCRIBE,
            params: Some(vec![("rewind".into(), "1".into())]),
        }
    }

    fn is_done(events: &[Event], op: OpId) -> bool {
        events.iter().any(
            |e| matches!(e, Event::Completed { op: o, result: Ok(Completion::Done) } if *o == op),
        )
    }

    #[test]
    fn attach_asks_for_the_modes_and_params_given_and_keeps_what_was_granted() {
        let mut client = client();
        connect(&mut client);
        let op = client.set_channel_options("room", watcher(), 0);
        assert!(
            is_done(&drain(&mut client).events, op),
            "not attached: at once"
        );
        client.attach("room", 0);
        assert_eq!(
            drain(&mut client).sent,
            [r#"{"action":10,"flags":524288,"channel":"room","params":{"rewind":"1"}}"#]
        );
        // Granted: PRESENCE_SUBSCRIBE and HAS_PRESENCE; only the mode bits are modes.
        client.handle_frame(
            br#"{"action":11,"channel":"room","flags":524289,"params":{"rewind":"1"}}"#,
            0,
        );
        assert_eq!(client.channel_granted("room"), Some(&watcher()));
        // Without options: no flags, no params.
        client.attach("other", 0);
        assert_eq!(
            drain(&mut client).sent,
            [r#"{"action":10,"channel":"other"}"#]
        );
    }

    #[test]
    fn new_modes_on_an_attached_channel_attach_again_and_complete_on_attached() {
        let mut client = client();
        connect(&mut client);
        client.attach("room", 0);
        client.handle_frame(br#"{"action":11,"channel":"room","channelSerial":"5"}"#, 0);
        drain(&mut client);

        // Modes and params given, and different from before: attach again.
        assert!(client.would_reattach("room", &watcher()));
        let op = client.set_channel_options("room", watcher(), 0);
        let drained = drain(&mut client);
        assert!(!is_done(&drained.events, op), "waits for ATTACHED");
        assert_eq!(
            drained.sent,
            [
                r#"{"action":10,"flags":524288,"channel":"room","channelSerial":"5","params":{"rewind":"1"}}"#
            ]
        );
        // The server kept the attachment: RESUMED, no state change, and the op completes.
        client.handle_frame(br#"{"action":11,"channel":"room","flags":524292}"#, 0);
        let events = drain(&mut client).events;
        assert!(is_done(&events, op));
        assert!(!events
            .iter()
            .any(|e| matches!(e, Event::ChannelState { .. })));

        // The same options again, or a part not given: nothing to send.
        assert!(!client.would_reattach("room", &watcher()));
        let params_only = ChannelOptions {
            modes: Flags::empty(),
            params: watcher().params,
        };
        let op = client.set_channel_options("room", params_only, 0);
        let drained = drain(&mut client);
        assert!(is_done(&drained.events, op));
        assert!(drained.sent.is_empty());
    }

    #[test]
    fn the_agent_param_or_the_params_order_alone_does_not_attach_again() {
        let params = |pairs: &[(&str, &str)]| ChannelOptions {
            modes: Flags::empty(),
            params: Some(pairs.iter().map(|&(k, v)| (k.into(), v.into())).collect()),
        };
        let mut client = client();
        connect(&mut client);
        client.attach("room", 0);
        client.handle_frame(br#"{"action":11,"channel":"room"}"#, 0);
        drain(&mut client);

        // ably/react's ChannelProvider on a channel the app attached: only the agent.
        let agent = params(&[("agent", "react-hooks/2.28.0")]);
        assert!(!client.would_reattach("room", &agent));
        let op = client.set_channel_options("room", agent, 0);
        let drained = drain(&mut client);
        assert!(is_done(&drained.events, op));
        assert!(drained.sent.is_empty());

        // A new param does attach again, and the agent goes with it.
        let rewind = params(&[("rewind", "1"), ("delta", "vcdiff"), ("agent", "a")]);
        client.set_channel_options("room", rewind, 0);
        assert_eq!(
            drain(&mut client).sent,
            [
                r#"{"action":10,"channel":"room","params":{"rewind":"1","delta":"vcdiff","agent":"a"}}"#
            ]
        );
        client.handle_frame(br#"{"action":11,"channel":"room","flags":4}"#, 0);
        drain(&mut client);

        // The same params in another order, with another agent: nothing to send.
        let reordered = params(&[("agent", "b"), ("delta", "vcdiff"), ("rewind", "1")]);
        assert!(!client.would_reattach("room", &reordered));
        // One fewer, or one changed: they differ.
        assert!(client.would_reattach("room", &params(&[("rewind", "1")])));
        assert!(client.would_reattach("room", &params(&[("rewind", "2"), ("delta", "vcdiff")])));
    }

    #[test]
    fn only_a_channel_that_can_hear_nothing_more_is_released() {
        let mut client = client();
        connect(&mut client);
        client.attach("room", 0);
        client.handle_frame(br#"{"action":11,"channel":"room"}"#, 0);
        client.set_channel_options("room", watcher(), 0);
        drain(&mut client);
        let refused = client.release_channel("room").map_err(|e| e.code);
        assert_eq!(refused, Err(codes::CHANNEL_STATE));

        client.detach("room", 0);
        client.handle_frame(br#"{"action":13,"channel":"room"}"#, 0);
        assert_eq!(client.channel_state("room"), ChannelState::Detached);
        assert_eq!(client.release_channel("room"), Ok(()));
        // Gone, options and all: a new channel of that name starts afresh.
        assert_eq!(client.channel_granted("room"), None);
        assert_eq!(client.release_channel("never-used"), Ok(()));

        // A publish on a channel the core does not have (a released channel object's, or
        // one never attached): sent as it is, no ATTACH, no channel made (ably-js 2.x).
        drain(&mut client);
        client.publish("room", Vec::new());
        let sent = drain(&mut client).sent;
        assert!(
            matches!(&sent[..], [frame] if frame.contains(r#""action":15"#)),
            "{sent:?}"
        );
        assert_eq!(client.channel_granted("room"), None);
    }

    #[test]
    fn a_released_objects_presence_is_sent_without_attaching() {
        let mut client = client();
        connect(&mut client);
        // As ably-js's released object left attached: enter and leave go out as they
        // are, the leave too though the core has no attached channel of that name.
        client.presence_on("room", PresenceAction::Enter, None, None, None);
        client.presence_on("room", PresenceAction::Leave, None, None, None);
        let sent = drain(&mut client).sent;
        assert!(
            matches!(&sent[..], [enter, leave]
                if enter.contains(r#""action":14"#) && enter.contains(r#""action":2"#)
                    && leave.contains(r#""action":14"#) && leave.contains(r#""action":3"#)),
            "{sent:?}"
        );
        assert_eq!(client.channel_state("room"), ChannelState::Initialized);
        assert_eq!(client.channel_granted("room"), None);
    }
}

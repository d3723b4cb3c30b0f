//! The app's `auth.authorize()` (RSA10, RTC8): a token it asked for takes effect on the
//! connection — in band (AUTH) when connected, else on a connection attempt made with it —
//! and the operation completes when the server confirms it with CONNECTED.

use super::{Completion, OpId, Realtime, TransportCommand};
use crate::connection::{AuthMethod, ConnectionState};
use crate::protocol::{codes, ErrorInfo};

impl Realtime {
    /// Uses `token` (issued for `token_client_id`, if known) from now on, renewing later
    /// through the driver when `can_renew` (authUrl, authCallback or key), else never.
    /// Completes once CONNECTED confirms it; fails if the connection is suspended, closed
    /// or fails first. A token for another clientId fails the connection with 40102, as
    /// ably-js does (RSA15c).
    pub fn reauthorize(
        &mut self,
        token: String,
        token_client_id: Option<&str>,
        can_renew: bool,
        now: u64,
    ) -> OpId {
        let op = self.new_op();
        let ours = self.client_id.as_deref();
        if token_client_id.is_some_and(|t| t != "*" && ours.is_some_and(|c| c != t)) {
            let error = ErrorInfo::new(
                codes::INCOMPATIBLE_CREDENTIALS,
                401,
                "incompatible credentials: the token's clientId is not the client's",
            );
            self.complete(op, Err(error.clone()));
            self.fail(error);
            return op;
        }
        self.options.auth = if can_renew {
            AuthMethod::External
        } else {
            AuthMethod::Token(token.clone())
        };
        self.authorizing.push(op);
        match self.state {
            // An attempt under way starts again with the new token, as in ably-js.
            ConnectionState::Connecting if self.is_transport_open => {
                self.token = Some(token);
                self.transport_commands.push(TransportCommand::Close);
                self.start_connecting(now);
            }
            // AUTH in band, the token an attempt was waiting for, or (closing) nothing:
            // the close settles the operation.
            ConnectionState::Connected | ConnectionState::Connecting | ConnectionState::Closing => {
                self.authorize(token, now)
            }
            _ => {
                self.token = Some(token);
                self.connect(now);
            }
        }
        op
    }

    /// The app's authorize() got no token: a 403 from its auth server fails the
    /// connection (RSA4d1); any other error leaves the connection as it is.
    pub fn authorize_refused(&mut self, error: &ErrorInfo) {
        if error.status_code == 403 {
            self.fail(error.clone());
        }
    }

    /// Completes every authorize() waiting for the connection: done, or failed with
    /// `error`. Not a Result to clone: that would clone member lists too.
    pub(super) fn settle_authorizing(&mut self, error: Option<&ErrorInfo>) {
        for op in std::mem::take(&mut self.authorizing) {
            let result = error.map_or(Ok(Completion::Done), |e| Err(e.clone()));
            self.complete(op, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::connection::ConnectionState;
    use crate::protocol::{codes, ErrorInfo};
    use crate::realtime::test_client::{client, connect, drain};
    use crate::realtime::{Completion, Event, OpId};

    const UPDATE: &[u8] =
        br#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"c1!k"}}"#;

    /// How `op` completed in `events`, if it did.
    fn outcome(events: &[Event], op: OpId) -> Option<Result<Completion, ErrorInfo>> {
        events.iter().find_map(|event| match event {
            Event::Completed { op: done, result } if *done == op => Some(result.clone()),
            _ => None,
        })
    }

    #[test]
    fn connected_authorize_sends_auth_and_completes_on_the_confirming_connected() {
        let mut client = client();
        connect(&mut client);
        let op = client.reauthorize("tok2".into(), Some("ann"), true, 1_000);
        let sent = drain(&mut client);
        assert_eq!(
            sent.sent,
            [r#"{"action":17,"auth":{"accessToken":"tok2"}}"#]
        );
        assert_eq!(
            outcome(&sent.events, op),
            None,
            "not before the server answers"
        );
        client.handle_frame(UPDATE, 1_050);
        let events = drain(&mut client).events;
        assert!(matches!(events.as_slice(),
            [Event::ConnectionState(change), Event::Completed { .. }]
                if change.event == "update" && change.current == ConnectionState::Connected));
        assert_eq!(outcome(&events, op), Some(Ok(Completion::Done)));
        assert_eq!(client.connection_id(), Some("c1"));
    }

    #[test]
    fn an_error_answering_auth_fails_the_operation_and_the_connection() {
        let mut client = client();
        connect(&mut client);
        let op = client.reauthorize("bob-token".into(), None, true, 1_000);
        drain(&mut client);
        client.handle_frame(
            br#"{"action":9,"error":{"code":40102,"statusCode":401,"message":"no"}}"#,
            1_050,
        );
        let events = drain(&mut client).events;
        let error = match outcome(&events, op) {
            Some(Err(error)) => error,
            other => panic!("{other:?}"),
        };
        assert_eq!(error.code, codes::INCOMPATIBLE_CREDENTIALS);
        assert_eq!(client.connection_state(), ConnectionState::Failed);
    }

    #[test]
    fn a_token_for_another_client_id_is_refused_without_sending_it() {
        let mut client = client();
        connect(&mut client);
        let op = client.reauthorize("bob-token".into(), Some("bob"), true, 1_000);
        let drained = drain(&mut client);
        assert!(drained.sent.is_empty(), "{:?}", drained.sent);
        let code = match outcome(&drained.events, op) {
            Some(Err(error)) => error.code,
            other => panic!("{other:?}"),
        };
        assert_eq!(code, codes::INCOMPATIBLE_CREDENTIALS);
        assert_eq!(client.connection_state(), ConnectionState::Failed);
        // A wildcard token suits any clientId.
        let mut client = super::super::test_client::client();
        connect(&mut client);
        client.reauthorize("any".into(), Some("*"), true, 1_000);
        assert_eq!(drain(&mut client).sent.len(), 1);
    }

    #[test]
    fn before_connecting_the_token_opens_the_connection_and_completes_on_connected() {
        let mut client = client();
        let op = client.reauthorize("tok2".into(), None, false, 0);
        let drained = drain(&mut client);
        let url = drained.url.expect("connects");
        assert!(url.contains("access_token=tok2"), "{url}");
        assert_eq!(outcome(&drained.events, op), None);
        client.handle_frame(UPDATE, 10);
        assert_eq!(
            outcome(&drain(&mut client).events, op),
            Some(Ok(Completion::Done))
        );
    }

    #[test]
    fn while_connecting_the_attempt_starts_again_with_the_new_token() {
        let mut client = client();
        client.connect(0);
        drain(&mut client);
        let op = client.reauthorize("tok2".into(), None, true, 5);
        let url = drain(&mut client).url.expect("a new attempt");
        assert!(url.contains("access_token=tok2"), "{url}");
        // A failed attempt is not the end: the retry connects with the same token.
        client.transport_closed(20);
        assert_eq!(outcome(&drain(&mut client).events, op), None);
        let retry = client.poll_timeout().expect("a retry");
        client.handle_timeout(retry);
        let url = drain(&mut client).url.expect("the retry");
        assert!(url.contains("access_token=tok2"), "{url}");
        client.handle_frame(UPDATE, retry);
        assert_eq!(
            outcome(&drain(&mut client).events, op),
            Some(Ok(Completion::Done))
        );
    }

    #[test]
    fn a_close_before_the_confirmation_fails_the_operation() {
        let mut client = client();
        connect(&mut client);
        let op = client.reauthorize("tok2".into(), None, true, 1_000);
        client.close(1_001);
        client.handle_frame(br#"{"action":8}"#, 1_002);
        match outcome(&drain(&mut client).events, op) {
            Some(Err(error)) => assert_eq!(error.code, codes::CONNECTION_CLOSED),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_refused_token_request_fails_the_connection_only_for_a_403() {
        let mut client = client();
        connect(&mut client);
        client.authorize_refused(&ErrorInfo::new(codes::AUTH_CALLBACK_FAILED, 401, "down"));
        assert_eq!(client.connection_state(), ConnectionState::Connected);
        client.authorize_refused(&ErrorInfo::new(codes::AUTH_CALLBACK_FAILED, 403, "no"));
        assert_eq!(client.connection_state(), ConnectionState::Failed);
    }
}

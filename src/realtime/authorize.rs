//! The app's `auth.authorize()` (RSA10, RTC8): a token it asked for takes effect on the
//! connection — in band (AUTH) when connected, else on a connection attempt made with it —
//! and the operation completes when the server confirms it with CONNECTED.

use super::connection::auth_provider_error;
use super::{Completion, OpId, Realtime, TransportCommand};
use crate::auth::TokenDetails;
use crate::connection::{AuthMethod, ConnectionState};
use crate::protocol::{codes, ErrorInfo};

impl Realtime {
    /// An id for the app's authorize() while the driver gets its token; the driver then
    /// calls `authorized` or `authorize_refused` with it.
    pub fn start_authorize(&mut self) -> OpId {
        self.new_op()
    }

    /// The token for authorize() `op`: used from now on, renewed later through the driver
    /// when `can_renew` (authUrl, authCallback or key), else never. `op` completes with
    /// the token once CONNECTED confirms it, or fails if the connection is suspended,
    /// closed or fails first. A token for another clientId fails the connection with
    /// 40102 without being sent, as ably-js does (RSA15c).
    pub fn authorized(&mut self, op: OpId, details: TokenDetails, can_renew: bool, now: u64) {
        let ours = self.client_id.as_deref();
        let theirs = details.client_id.as_deref();
        if theirs.is_some_and(|t| t != "*" && ours.is_some_and(|c| c != "*" && c != t)) {
            let error = ErrorInfo::new(
                codes::INCOMPATIBLE_CREDENTIALS,
                401,
                "incompatible credentials: the token's clientId is not the client's",
            );
            self.complete(op, Err(error.clone()));
            return self.fail(error);
        }
        let token = details.token.clone();
        self.options.auth = if can_renew {
            AuthMethod::External
        } else {
            AuthMethod::Token(token.clone())
        };
        self.authorizing.push((op, details));
        self.token = Some(token.clone());
        // A token the core asked the driver for is superseded: it is dropped on arrival.
        self.is_awaiting_auth = false;
        match self.state {
            ConnectionState::Connected => self.send_auth(token),
            // An attempt under way starts again with the new token, as in ably-js.
            ConnectionState::Connecting if self.is_transport_open => {
                self.transport_commands.push(TransportCommand::Close);
                self.start_connecting(now);
            }
            // The attempt was waiting for a token.
            ConnectionState::Connecting => self.open_transport(now),
            // The close settles the operation.
            ConnectionState::Closing => {}
            _ => self.connect(now),
        }
    }

    /// The driver got no token for authorize() `op`: it fails with `error`; a 403 from
    /// the app's auth server fails the connection too (RSA4d1), with 80019 caused by
    /// `error` as ably-js; other errors leave it be.
    pub fn authorize_refused(&mut self, op: OpId, error: ErrorInfo) {
        self.complete(op, Err(error.clone()));
        if error.status_code == 403 {
            self.fail(auth_provider_error(error));
        }
    }

    /// Completes every authorize() waiting for the connection: with its token, or failed
    /// with `error`.
    pub(super) fn settle_authorizing(&mut self, error: Option<&ErrorInfo>) {
        for (op, details) in core::mem::take(&mut self.authorizing) {
            let result = match error {
                None => Ok(Completion::Token(details)),
                Some(error) => Err(error.clone()),
            };
            self.complete(op, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::TokenDetails;
    use crate::connection::{AuthMethod, ClientOptions, ConnectionState};
    use crate::protocol::{codes, ErrorInfo};
    use crate::realtime::test_client::{client, connect, drain};
    use crate::realtime::{Completion, Event, OpId, Realtime};

    const UPDATE: &[u8] =
        br#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"c1!k"}}"#;

    /// TokenDetails for `token`, issued for `client_id`.
    fn details(token: &str, client_id: Option<&str>) -> TokenDetails {
        TokenDetails {
            token: token.into(),
            key_name: None,
            issued: None,
            expires: None,
            capability: None,
            client_id: client_id.map(String::from),
        }
    }

    /// The app's authorize() with `token` as its auth server's answer.
    fn authorize(client: &mut Realtime, token: &str, client_id: Option<&str>, now: u64) -> OpId {
        let op = client.start_authorize();
        client.authorized(op, details(token, client_id), true, now);
        op
    }

    /// How `op` completed in `events`, if it did.
    fn outcome(events: &[Event], op: OpId) -> Option<Result<Completion, ErrorInfo>> {
        events.iter().find_map(|event| match event {
            Event::Completed { op: done, result } if *done == op => Some(result.clone()),
            _ => None,
        })
    }

    /// The error `op` failed with in `events`.
    fn failure(events: &[Event], op: OpId) -> ErrorInfo {
        match outcome(events, op) {
            Some(Err(error)) => error,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn connected_authorize_sends_auth_and_completes_on_the_confirming_connected() {
        let mut client = client();
        connect(&mut client);
        let op = authorize(&mut client, "tok2", Some("ann"), 1_000);
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
        let token = Completion::Token(details("tok2", Some("ann")));
        assert_eq!(outcome(&events, op), Some(Ok(token)));
        assert_eq!(client.connection_id(), Some("c1"));
    }

    #[test]
    fn an_error_answering_auth_fails_the_operation_and_the_connection() {
        let mut client = client();
        connect(&mut client);
        let op = authorize(&mut client, "bob-token", None, 1_000);
        drain(&mut client);
        client.handle_frame(
            br#"{"action":9,"error":{"code":40102,"statusCode":401,"message":"no"}}"#,
            1_050,
        );
        let error = failure(&drain(&mut client).events, op);
        assert_eq!(error.code, codes::INCOMPATIBLE_CREDENTIALS);
        assert_eq!(client.connection_state(), ConnectionState::Failed);
    }

    #[test]
    fn a_token_for_another_client_id_is_refused_without_sending_it() {
        let mut client = client();
        connect(&mut client);
        let op = authorize(&mut client, "bob-token", Some("bob"), 1_000);
        let drained = drain(&mut client);
        assert!(drained.sent.is_empty(), "{:?}", drained.sent);
        let error = failure(&drained.events, op);
        assert_eq!(error.code, codes::INCOMPATIBLE_CREDENTIALS);
        assert_eq!(client.connection_state(), ConnectionState::Failed);
        // A wildcard token suits any clientId.
        let mut client = super::super::test_client::client();
        connect(&mut client);
        authorize(&mut client, "any", Some("*"), 1_000);
        assert_eq!(drain(&mut client).sent.len(), 1);
    }

    #[test]
    fn before_connecting_the_token_opens_the_connection_and_completes_on_connected() {
        let mut client = client();
        let op = client.start_authorize();
        client.authorized(op, details("tok2", None), false, 0);
        let drained = drain(&mut client);
        let url = drained.url.expect("connects");
        assert!(url.contains("access_token=tok2"), "{url}");
        assert_eq!(outcome(&drained.events, op), None);
        client.handle_frame(UPDATE, 10);
        let events = drain(&mut client).events;
        assert!(matches!(
            outcome(&events, op),
            Some(Ok(Completion::Token(_)))
        ));
    }

    #[test]
    fn while_connecting_the_attempt_starts_again_with_the_new_token() {
        let mut client = client();
        client.connect(0);
        drain(&mut client);
        let op = authorize(&mut client, "tok2", None, 5);
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
        let events = drain(&mut client).events;
        assert!(matches!(
            outcome(&events, op),
            Some(Ok(Completion::Token(_)))
        ));
    }

    #[test]
    fn a_token_the_core_asked_for_arriving_after_an_authorize_token_is_dropped() {
        let mut client = Realtime::new(crate::connection::ClientOptions {
            tls: false,
            client_id: Some("ann".into()),
            auth: crate::connection::AuthMethod::External,
            ..crate::connection::ClientOptions::default()
        })
        .expect("valid options");
        client.connect(0);
        assert!(drain(&mut client).events.contains(&Event::AuthRequired));
        // The app's authorize() gets its token first: the attempt opens with it.
        let op = authorize(&mut client, "new", None, 5);
        let url = drain(&mut client).url.expect("opens");
        assert!(url.contains("access_token=new"), "{url}");
        // The token asked for at connect arrives late: neither used nor kept.
        client.authorize("old".into(), 6);
        let late = drain(&mut client);
        assert!(late.url.is_none() && late.sent.is_empty());
        client.handle_frame(UPDATE, 7);
        assert!(matches!(
            outcome(&drain(&mut client).events, op),
            Some(Ok(Completion::Token(_)))
        ));
        client.transport_closed(8);
        let url = drain(&mut client).url.expect("resumes at once");
        assert!(url.contains("access_token=new"), "{url}");
    }

    #[test]
    fn a_close_before_the_confirmation_fails_the_operation() {
        let mut client = client();
        connect(&mut client);
        let op = authorize(&mut client, "tok2", None, 1_000);
        client.close(1_001);
        client.handle_frame(br#"{"action":8}"#, 1_002);
        let error = failure(&drain(&mut client).events, op);
        assert_eq!(error.code, codes::CONNECTION_CLOSED);
    }

    #[test]
    fn a_refused_token_request_fails_the_operation_and_only_a_403_the_connection() {
        let mut client = client();
        connect(&mut client);
        let op = client.start_authorize();
        let down = ErrorInfo::new(codes::AUTH_CALLBACK_FAILED, 401, "down");
        client.authorize_refused(op, down);
        assert_eq!(failure(&drain(&mut client).events, op).status_code, 401);
        assert_eq!(client.connection_state(), ConnectionState::Connected);
        let op = client.start_authorize();
        let forbidden = ErrorInfo::new(codes::AUTH_CALLBACK_FAILED, 403, "no");
        client.authorize_refused(op, forbidden.clone());
        assert_eq!(failure(&drain(&mut client).events, op), forbidden);
        assert_eq!(client.connection_state(), ConnectionState::Failed);
        // The connection's reason wraps the refusal, as ably-js's (RSA4d1).
        let reason = client.error_reason().expect("a reason");
        assert_eq!(
            (reason.code, reason.status_code),
            (codes::TOKEN_REQUEST_FAILED, 403)
        );
        assert_eq!(reason.cause.as_deref(), Some(&forbidden));
    }

    #[test]
    fn no_attempt_deadline_while_a_token_is_fetched_then_one_from_the_open() {
        let mut client = connecting_for_a_token();
        // Only connectionStateTtl's: the driver's token request has its own timeout
        // (40170), as ably-js's.
        assert_eq!(client.poll_timeout(), Some(120_000));
        client.authorize("tok".into(), 4_000);
        assert!(drain(&mut client).url.is_some());
        assert_eq!(client.poll_timeout(), Some(4_000 + 10_000));
    }

    /// A client whose tokens come from the driver (authUrl or authCallback), connecting
    /// and waiting for its first one.
    fn connecting_for_a_token() -> Realtime {
        let mut client = Realtime::new(ClientOptions {
            tls: false,
            auth: AuthMethod::External,
            ..ClientOptions::default()
        })
        .expect("valid options");
        client.connect(0);
        assert!(drain(&mut client).events.contains(&Event::AuthRequired));
        client
    }

    #[test]
    fn a_token_request_failing_while_connecting_is_80019_caused_by_the_failure() {
        let cases = [
            (
                ErrorInfo::new(codes::AUTH_CALLBACK_FAILED, 401, "down"),
                ConnectionState::Disconnected,
                401,
            ),
            (
                ErrorInfo::new(codes::AUTH_CALLBACK_FAILED, 403, "no"),
                ConnectionState::Failed,
                403,
            ),
            (
                ErrorInfo::internal("broke"),
                ConnectionState::Disconnected,
                401,
            ),
        ];
        for (error, state, status) in cases {
            let mut client = connecting_for_a_token();
            client.auth_failed(error.clone(), 1);
            assert_eq!(client.connection_state(), state);
            let reason = client.error_reason().expect("a reason");
            assert_eq!(
                (reason.code, reason.status_code),
                (codes::TOKEN_REQUEST_FAILED, status)
            );
            assert_eq!(reason.cause.as_deref(), Some(&error));
        }
    }

    #[test]
    fn no_way_to_renew_or_another_client_id_fails_the_connection_with_that_error_itself() {
        // 40102 from an auth server keeps its 401, and still fails the connection.
        for error in [
            ErrorInfo::new(codes::NO_TOKEN_RENEWAL, 403, "no renewal"),
            ErrorInfo::new(codes::INCOMPATIBLE_CREDENTIALS, 401, "not yours"),
        ] {
            let mut client = connecting_for_a_token();
            client.auth_failed(error.clone(), 1);
            assert_eq!(client.connection_state(), ConnectionState::Failed);
            assert_eq!(client.error_reason(), Some(&error));
        }
    }
}

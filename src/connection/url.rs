//! The realtime connect URL (RTN2).

use super::{AuthMethod, ClientOptions};
use crate::rest::push_param;
use crate::text::{self, push_u64};
use alloc::string::String;

/// The URL to open a WebSocket on: credentials, clientId, format, protocol version,
/// agent, echo, the connection to continue (`resume`, or `recover` for another client
/// instance's: `(param, key)`) and transport params as query params.
pub fn connect_url(
    options: &ClientOptions,
    token: Option<&str>,
    resume: Option<(&str, &str)>,
) -> String {
    let scheme = if options.tls { "wss" } else { "ws" };
    let mut url = text::concat(&[scheme, "://", &options.host, ":"]);
    push_u64(&mut url, options.port.into());
    url.push_str("/?");
    // Written straight into the URL: no list of pairs first.
    let mut add = |name: &str, value: &str| push_param(&mut url, name, value);
    match (&options.auth, token) {
        (AuthMethod::Key(key), _) => add("key", key),
        (AuthMethod::Token(token), _) => add("access_token", token),
        (AuthMethod::External, Some(token)) => add("access_token", token),
        (AuthMethod::External, None) => {}
    }
    if let Some(client_id) = options.client_id.as_deref() {
        add("clientId", client_id);
    }
    add("format", options.format.name());
    add("heartbeats", "true");
    add("v", "6");
    add("agent", &options.agent);
    if !options.echo_messages {
        add("echo", "false");
    }
    if let Some((param, key)) = resume {
        add(param, key);
    }
    for (name, value) in &options.transport_params {
        add(name, value);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_url_carries_every_param_in_order() {
        let options = ClientOptions {
            host: "127.0.0.1".into(),
            port: 8080,
            tls: false,
            client_id: Some("ann b".into()),
            auth: AuthMethod::Key("app.key:secret".into()),
            echo_messages: false,
            agent: "roster-js/0.1.0".into(),
            transport_params: vec![("remainPresentFor".into(), "0".into())],
            ..ClientOptions::default()
        };
        assert_eq!(
            connect_url(&options, None, Some(("resume", "k!1"))),
            "ws://127.0.0.1:8080/?key=app.key%3Asecret&clientId=ann%20b&format=json&heartbeats=true\
             &v=6&agent=roster-js%2F0.1.0&echo=false&resume=k!1&remainPresentFor=0"
        );
    }

    #[test]
    fn external_auth_sends_the_supplied_token() {
        let options = ClientOptions::default();
        let url = connect_url(&options, Some("tok"), None);
        assert!(url.starts_with("wss://localhost:80/?access_token=tok&format=json"));
    }
}

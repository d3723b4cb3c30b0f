//! The REST plumbing `Rest` and `Realtime` share: credentials on each request, token
//! renewal once on a token error (40171 when it cannot renew), and decoding of error responses.

use super::fetch::{self, HttpResponse, REST_HEADERS};
use super::options::Options;
use super::task::{self, Next};
use super::token::{self, AuthSource, TokenParams};
use crate::auth::TokenDetails;
use crate::protocol::ErrorInfo;
use crate::rest::{self, Credentials, HttpRequest};
use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

/// Sends REST requests for one client.
pub struct RestClient {
    /// The options the client was made with.
    pub options: Options,
    /// `http[s]://restHost:port`, made once.
    rest_base: String,
    token: RefCell<Option<String>>,
    /// A key signs token requests instead of authenticating requests itself
    /// (`useTokenAuth`, RSA4).
    key_tokens: bool,
    /// The token params for this client's own tokens, which authorize() replaces (RSA10g).
    pub token_params: RefCell<TokenParams>,
}

impl RestClient {
    /// A client for `options`, with a key sending tokens it asks for if `key_tokens`;
    /// basic auth needs TLS (RSC18).
    pub fn new(options: Options, key_tokens: bool) -> Result<RestClient, ErrorInfo> {
        if !key_tokens && matches!(**options.auth.borrow(), AuthSource::Key(_)) {
            crate::auth::require_tls_for_basic(options.tls)?;
        }
        Ok(RestClient {
            rest_base: options.rest_base(),
            token_params: RefCell::new(TokenParams {
                client_id: options.client_id.clone(),
                ..TokenParams::default()
            }),
            options,
            token: RefCell::new(None),
            key_tokens,
        })
    }

    /// Sends `request` with credentials; `next` gets a 2xx response or the decoded
    /// ErrorInfo. A token error renews a token from authUrl/authCallback (or a key with
    /// useTokenAuth) once and sends again.
    pub fn execute(
        self: Rc<Self>,
        request: HttpRequest,
        next: Next<Result<HttpResponse, ErrorInfo>>,
    ) {
        let may_renew = self.can_renew();
        self.send(request, may_renew, next);
    }

    /// `execute`'s one try, and the one more after a token error if `may_renew`.
    fn send(
        self: Rc<Self>,
        request: HttpRequest,
        may_renew: bool,
        next: Next<Result<HttpResponse, ErrorInfo>>,
    ) {
        let auth = self.options.auth.borrow().clone();
        let credentials = match &*auth {
            AuthSource::Key(key) if !self.key_tokens => Credentials::Basic(key.clone()),
            AuthSource::Token(token) => Credentials::Bearer(token.clone()),
            // The last token fetched, else a fresh one, kept for the next request.
            _ => match self.cached_token() {
                Some(token) => Credentials::Bearer(token),
                None => {
                    let this = self.clone();
                    let fetched = move |result: Result<TokenDetails, ErrorInfo>| match result {
                        Ok(details) => {
                            this.token.replace(Some(details.token));
                            this.send(request, may_renew, next);
                        }
                        Err(error) => next(Err(error)),
                    };
                    return self.own_token(Box::new(fetched));
                }
            },
        };
        let (name, value) = rest::authorization_header(&credentials);
        let [version, agent, accept] = REST_HEADERS;
        let headers = [version, agent, accept, (name.as_str(), value.as_str())];
        let sending = fetch::send(&self.rest_base, &request, &headers);
        let answered = move |outcome| match fetch::response(outcome).and_then(HttpResponse::success)
        {
            Err(error) if may_renew && error.is_token_error() => {
                self.token.replace(None);
                self.send(request, false, next);
            }
            // As ably-js (RSA4a2): refused, a token the client cannot renew (one given
            // alone) is 40171, 403, not the server's 4014x.
            Err(error) if error.is_token_error() && !self.can_renew() => {
                next(Err(crate::realtime::no_token_renewal()))
            }
            result => next(result),
        };
        task::then(&sending, Box::new(answered));
    }

    /// Sends `request` without credentials: `time()`, which needs none (RSC16), so that
    /// `queryTime` asks the server's clock before any token, as ably-js does. A promise for
    /// `fetch::response`.
    #[cfg(feature = "rest")]
    pub fn send_anonymously(&self, request: &HttpRequest) -> js_sys::Promise {
        fetch::send(&self.rest_base, request, &REST_HEADERS)
    }

    /// A fresh token from `source`, else the configured one (authUrl, authCallback, key or
    /// token), for `next` (see token::request_token).
    pub fn request_token(
        &self,
        source: Option<Rc<AuthSource>>,
        params: TokenParams,
        next: Next<Result<TokenDetails, ErrorInfo>>,
    ) {
        let source = source.unwrap_or_else(|| self.options.auth.borrow().clone());
        token::request_token(source, &self.rest_base, params, next);
    }

    /// A fresh token with this client's own token params, for `next`.
    pub fn own_token(&self, next: Next<Result<TokenDetails, ErrorInfo>>) {
        // Read first: the app's callback may call authorize(), which replaces them.
        let params = self.token_params.borrow().clone();
        self.request_token(None, params, next);
    }

    /// The last token fetched, if any. A function of its own: a borrow in a match's head
    /// would last through the match, and so through the app's auth callback.
    fn cached_token(&self) -> Option<String> {
        self.token.borrow().clone()
    }

    /// The token REST requests use from now on (one the app's authorize() obtained).
    pub fn use_token(&self, token: &str) {
        self.token.replace(Some(token.to_owned()));
    }

    fn can_renew(&self) -> bool {
        match **self.options.auth.borrow() {
            AuthSource::Key(_) => self.key_tokens,
            AuthSource::Token(_) => false,
            AuthSource::Url(_) | AuthSource::Callback(_) => true,
        }
    }
}

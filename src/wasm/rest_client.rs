//! The REST plumbing `Rest` and `Realtime` share: credentials on each request, token
//! renewal once on a token error, and decoding of error responses.

use super::fetch::{self, HttpResponse};
use super::options::Options;
use super::token::{self, AuthSource, TokenParams};
use crate::protocol::ErrorInfo;
use crate::rest::{self, Credentials, HttpRequest};
use std::cell::RefCell;

/// Sends REST requests for one client.
pub struct RestClient {
    /// The options the client was made with.
    pub options: Options,
    token: RefCell<Option<String>>,
}

impl RestClient {
    /// A client for `options`; basic auth needs TLS (RSC18).
    pub fn new(options: Options) -> Result<RestClient, ErrorInfo> {
        if matches!(options.auth, AuthSource::Key(_)) {
            crate::auth::require_tls_for_basic(options.tls)?;
        }
        Ok(RestClient {
            options,
            token: RefCell::new(None),
        })
    }

    /// Sends `request` with credentials; a 2xx response or the decoded ErrorInfo.
    pub async fn execute(&self, request: &HttpRequest) -> Result<HttpResponse, ErrorInfo> {
        let response = self.send(request).await?;
        let response = match response {
            Err(error) if error.is_token_error() && self.can_renew() => {
                self.token.replace(None);
                self.send(request).await??
            }
            other => other?,
        };
        Ok(response)
    }

    /// A fresh token from the configured source (authUrl, authCallback, key or token).
    pub async fn request_token(
        &self,
        params: &TokenParams,
    ) -> Result<crate::auth::TokenDetails, ErrorInfo> {
        token::request_token(&self.options.auth, &self.options.rest_base(), params).await
    }

    async fn send(
        &self,
        request: &HttpRequest,
    ) -> Result<Result<HttpResponse, ErrorInfo>, ErrorInfo> {
        let credentials = self.credentials().await?;
        let mut headers = token::standard_headers();
        let (name, value) = rest::authorization_header(&credentials);
        headers.push((name, value));
        let response = fetch::send(&self.options.rest_base(), request, &headers).await?;
        if response.status >= 300 {
            let error = rest::decode_error(
                response.status,
                &response.body,
                response.error_code.as_deref(),
            );
            return Ok(Err(error));
        }
        Ok(Ok(response))
    }

    async fn credentials(&self) -> Result<Credentials, ErrorInfo> {
        match &self.options.auth {
            AuthSource::Key(key) => Ok(Credentials::Basic(key.clone())),
            AuthSource::Token(token) => Ok(Credentials::Bearer(token.clone())),
            AuthSource::Url { .. } | AuthSource::Callback(_) => {
                if let Some(token) = self.token.borrow().clone() {
                    return Ok(Credentials::Bearer(token));
                }
                let params = TokenParams {
                    client_id: self.options.client_id.clone(),
                    ..TokenParams::default()
                };
                let details = self.request_token(&params).await?;
                self.token.replace(Some(details.token.clone()));
                Ok(Credentials::Bearer(details.token))
            }
        }
    }

    fn can_renew(&self) -> bool {
        matches!(
            self.options.auth,
            AuthSource::Url { .. } | AuthSource::Callback(_)
        )
    }
}

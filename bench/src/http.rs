//! A minimal HTTP/1.1 GET client over one keep-alive loopback connection, enough to page
//! through REST presence (Content-Length or chunked bodies, Link headers).

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive connection.
pub struct Http {
    stream: BufReader<TcpStream>,
    port: u16,
}

/// A response: status, the Link header and the body.
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// The `Link` header, if any.
    pub link: Option<String>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Http {
    /// Connect to 127.0.0.1:port.
    pub async fn connect(port: u16) -> io::Result<Http> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        Ok(Http {
            stream: BufReader::new(stream),
            port,
        })
    }

    /// GET a path (with query) with an Authorization header.
    pub async fn get(&mut self, path: &str, authorization: &str) -> io::Result<Response> {
        Ok(self.request(path, authorization, true).await?.0)
    }

    /// GET like [`Http::get`], reading the body as it comes without keeping it: the
    /// response's `body` is empty and the returned count is the body's length.
    pub async fn get_counted(
        &mut self,
        path: &str,
        authorization: &str,
    ) -> io::Result<(Response, usize)> {
        self.request(path, authorization, false).await
    }

    /// Sends the GET and reads the response; the body is kept when `keep`, and its
    /// length is returned either way.
    async fn request(
        &mut self,
        path: &str,
        authorization: &str,
        keep: bool,
    ) -> io::Result<(Response, usize)> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: {authorization}\r\nAccept: application/json\r\nX-Ably-Version: 6\r\n\r\n",
            self.port
        );
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked, mut link) = (None, false, None);
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(io::Error::other("connection closed in headers"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "link" => link = Some(value.to_string()),
                _ => {}
            }
        }
        let mut body = Vec::new();
        let read = if chunked {
            self.read_chunked(&mut body, keep).await?
        } else {
            let n = length.unwrap_or(0);
            self.read_exact(n, &mut body, keep).await?;
            n
        };
        Ok((Response { status, link, body }, read))
    }

    /// Reads `n` bytes, appended to `body` when `keep`.
    async fn read_exact(&mut self, n: usize, body: &mut Vec<u8>, keep: bool) -> io::Result<()> {
        let mut buf = vec![0; n.min(1 << 16)];
        let mut left = n;
        while left > 0 {
            let part = &mut buf[..left.min(1 << 16)];
            self.stream.read_exact(part).await?;
            if keep {
                body.extend_from_slice(part);
            }
            left -= part.len();
        }
        Ok(())
    }

    /// Reads a chunked body, appended to `body` when `keep`; returns its length.
    async fn read_chunked(&mut self, body: &mut Vec<u8>, keep: bool) -> io::Result<usize> {
        let (mut line, mut read) = (String::new(), 0);
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| io::Error::other(format!("bad chunk size {line:?}")))?;
            self.read_exact(size, body, keep).await?;
            read += size;
            line.clear();
            self.stream.read_line(&mut line).await?;
            if size == 0 {
                return Ok(read);
            }
        }
    }
}

/// The `rel="next"` target of a Link header, resolved against the request path.
pub fn next_link(link: &str, current_path: &str) -> Option<String> {
    let part = link.split(',').find(|p| p.contains("rel=\"next\""))?;
    let target = part.split('<').nth(1)?.split('>').next()?;
    if target.starts_with('/') {
        return Some(target.to_string());
    }
    let dir = current_path.split('?').next()?.rsplit_once('/')?.0;
    Some(format!("{dir}/{}", target.trim_start_matches("./")))
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn resolves_relative_next_links() {
        let link =
            r#"<./presence?limit=2&cursor=abc>; rel="next", <./presence?limit=2>; rel="first""#;
        assert_eq!(
            next_link(link, "/channels/big/presence?limit=2").as_deref(),
            Some("/channels/big/presence?limit=2&cursor=abc")
        );
        assert_eq!(
            next_link(
                r#"<./presence?limit=2>; rel="first""#,
                "/channels/big/presence"
            ),
            None
        );
    }
}

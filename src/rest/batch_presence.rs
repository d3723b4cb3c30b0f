//! Batch presence (`GET /presence?channels=…`, BAR2): several channels' members at once.

use super::response::{decode_all, decode_body};
use crate::json::{Error, ReadJson, Reader};
use crate::protocol::{ErrorInfo, PresenceMessage};
use alloc::string::String;
use alloc::vec::Vec;

/// The answer to a batch presence request (BAR2).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchPresenceResponse {
    /// How many channels succeeded.
    pub success_count: u32,
    /// How many channels failed.
    pub failure_count: u32,
    /// One result per requested channel.
    pub results: Vec<BatchPresenceResult>,
}

/// One channel's members, or why they could not be had.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchPresenceResult {
    /// The channel's current members.
    Success {
        /// The channel.
        channel: String,
        /// Its members.
        presence: Vec<PresenceMessage>,
    },
    /// The channel failed (e.g. 40160 not permitted).
    Failure {
        /// The channel.
        channel: String,
        /// Why.
        error: ErrorInfo,
    },
}

/// Decodes a batch presence response, decoding each member's data.
pub fn decode_batch_presence(body: &[u8]) -> Result<BatchPresenceResponse, ErrorInfo> {
    let mut response: BatchPresenceResponse = decode_body("batch presence", body)?;
    for result in &mut response.results {
        if let BatchPresenceResult::Success { presence, .. } = result {
            *presence = decode_all(core::mem::take(presence));
        }
    }
    Ok(response)
}

/// Missing counts read as zero; `results` is required.
impl ReadJson for BatchPresenceResponse {
    fn read_json(r: &mut Reader<'_>) -> Result<BatchPresenceResponse, Error> {
        let (mut success_count, mut failure_count, mut results) = (0, 0, None);
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "successCount" => success_count = read_count(r)?,
                "failureCount" => failure_count = read_count(r)?,
                "results" => r.read_into(&mut results)?,
                _ => r.skip()?,
            }
        }
        let results = results.ok_or_else(|| r.error("batch presence without \"results\""))?;
        Ok(BatchPresenceResponse {
            success_count,
            failure_count,
            results,
        })
    }
}

fn read_count(r: &mut Reader<'_>) -> Result<u32, Error> {
    let count = r.u64()?;
    u32::try_from(count).map_err(|_| r.error("count out of range"))
}

/// `{channel, presence}` is a success, `{channel, error}` a failure (presence first, as
/// the untagged serde form read it).
impl ReadJson for BatchPresenceResult {
    fn read_json(r: &mut Reader<'_>) -> Result<BatchPresenceResult, Error> {
        let (mut channel, mut presence, mut error) = (None, None, None);
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "channel" => r.read_into(&mut channel)?,
                "presence" => r.read_into(&mut presence)?,
                "error" => r.read_into(&mut error)?,
                _ => r.skip()?,
            }
        }
        let channel = channel.ok_or_else(|| r.error("batch result without \"channel\""))?;
        match (presence, error) {
            (Some(presence), _) => Ok(BatchPresenceResult::Success { channel, presence }),
            (None, Some(error)) => Ok(BatchPresenceResult::Failure { channel, error }),
            (None, None) => Err(r.error("batch result without \"presence\" or \"error\"")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Data;

    #[test]
    fn batch_presence_response() {
        let body = br#"{"successCount":1,"failureCount":1,"results":[
          {"channel":"a","presence":[{"action":1,"clientId":"x","data":"{\"k\":true}","encoding":"json"}]},
          {"channel":"b","error":{"code":40160,"statusCode":401,"message":"denied"}}
        ]}"#;
        let r = decode_batch_presence(body).unwrap();
        assert_eq!((r.success_count, r.failure_count), (1, 1));
        match &r.results[0] {
            BatchPresenceResult::Success { channel, presence } => {
                assert_eq!(channel, "a");
                assert_eq!(
                    presence[0].data,
                    Some(Data::from_json_text(r#"{"k":true}"#).unwrap())
                );
            }
            other => panic!("expected success, got {other:?}"),
        }
        match &r.results[1] {
            BatchPresenceResult::Failure { channel, error } => {
                assert_eq!((channel.as_str(), error.code), ("b", 40160));
            }
            other => panic!("expected failure, got {other:?}"),
        }
        assert_eq!(decode_batch_presence(b"[]").unwrap_err().code, 40000);
        let no_outcome = br#"{"successCount":0,"failureCount":0,"results":[{"channel":"c"}]}"#;
        assert_eq!(decode_batch_presence(no_outcome).unwrap_err().code, 40000);
    }
}

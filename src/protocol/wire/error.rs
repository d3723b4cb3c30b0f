//! `ErrorInfo` on the JSON wire: `{code, statusCode, message, href}`.

use crate::json::{Error, ReadJson, Reader, WriteJson, Writer};
use crate::protocol::ErrorInfo;
use alloc::string::String;

/// Missing (or `null`) fields read as zero or empty, as the serde derive defaults them.
impl ReadJson for ErrorInfo {
    fn read_json(r: &mut Reader<'_>) -> Result<ErrorInfo, Error> {
        let mut error = ErrorInfo {
            code: 0,
            status_code: 0,
            message: String::new(),
            href: None,
            cause: None,
        };
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "code" => {
                    let code: Option<u64> = r.read()?;
                    error.code = u32::try_from(code.unwrap_or(0))
                        .map_err(|_| r.error("error code out of range"))?;
                }
                "statusCode" => {
                    let status: Option<u64> = r.read()?;
                    error.status_code = u16::try_from(status.unwrap_or(0))
                        .map_err(|_| r.error("statusCode out of range"))?;
                }
                "message" => error.message = r.read::<Option<String>>()?.unwrap_or_default(),
                "href" => r.read_into(&mut error.href)?,
                _ => r.skip()?,
            }
        }
        Ok(error)
    }
}

impl WriteJson for ErrorInfo {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("code");
        w.u64(u64::from(self.code));
        w.key("statusCode");
        w.u64(u64::from(self.status_code));
        w.key("message");
        w.string(&self.message);
        w.field("href", self.href.as_deref());
        w.end_object();
    }
}

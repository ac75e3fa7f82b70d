//! Plain text and Markdown: UTF-8 as it is (a byte-order mark dropped), nothing converted.

pub struct Plain;

impl super::Converter for Plain {
    fn name(&self) -> &'static str {
        "plain text"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["txt", "md"]
    }

    fn convert(&self, bytes: &[u8]) -> Result<String, String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.replace("\r\n", "\n")),
            Err(e) => Err(format!(
                "not UTF-8 text (byte {}): save it as UTF-8 first",
                e.valid_up_to()
            )),
        }
    }
}

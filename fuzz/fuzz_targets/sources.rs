//! Any bytes as a source file of every kind tagdesk converts (Word, OpenDocument, EPUB, text):
//! text or an error, never a panic, within the stated limits; any converted text splits into
//! articles (or one document) without a panic. The first byte picks the converter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagdesk::formats::sources::{self, CONVERTERS};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let converter = CONVERTERS[usize::from(pick) % CONVERTERS.len()];
    if let Ok(text) = converter.convert(body) {
        let converted = sources::Converted {
            file: "fuzz".into(),
            sha256: String::new(),
            converter: converter.name().to_owned(),
            text,
        };
        let (_, articles) = sources::articles(&converted);
        let _ = sources::duplicates(&articles, sources::DUPLICATE_THRESHOLD);
    }
});

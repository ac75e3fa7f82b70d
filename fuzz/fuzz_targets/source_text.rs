//! Any bytes as a source text: decoded or refused; offsets convert both ways and snapping keeps
//! spans inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagdesk::core::SourceText;
use tagdesk::core::text::EdgeUnit;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = SourceText::from_bytes(data) else { return };
    let len = text.char_len();
    for (i, byte) in data.iter().enumerate().take(64) {
        let at = (usize::from(*byte) * 7919 + i) % (len + 1);
        assert_eq!(text.char_of_byte(text.byte_of_char(at)), at);
        let end = (at + usize::from(*byte % 17)).min(len);
        if let Some(words) = text.snap_to_words(at..end) {
            assert!(words.start < words.end && words.end <= len);
        }
        let graphemes = text.snap_to_graphemes(at..end);
        assert!(graphemes.start <= at && graphemes.end >= end && graphemes.end <= len);
        for unit in [EdgeUnit::Grapheme, EdgeUnit::WordStart, EdgeUnit::WordEnd] {
            if let Some(next) = text.edge_step(at, true, unit) {
                assert!(next > at && next <= len);
            }
        }
    }
});

//! Any bytes as an annotation file: an error or a layer, never a panic; a layer that parses
//! serialises and parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagdesk::core::project::{layer_to_json, parse_layer};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::Path::new("annotations/fuzz/a.txt.json");
    if let Ok(file) = parse_layer(path, text) {
        let layer = file.into_layer();
        let again = parse_layer(path, &layer_to_json(&layer)).expect("our own output parses");
        assert_eq!(again.into_layer(), layer);
    }
});

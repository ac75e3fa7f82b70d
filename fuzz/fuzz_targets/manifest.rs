//! Any bytes as a manifest: an error naming the file, or a manifest, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagdesk::core::project::parse_manifest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::Path::new("tagdesk.json");
    if let Err(err) = parse_manifest(path, text) {
        assert!(err.to_string().contains("tagdesk.json"));
    }
});

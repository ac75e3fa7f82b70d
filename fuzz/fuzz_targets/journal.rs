//! Any bytes as a crash journal: parsed up to the first bad line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagdesk::core::journal::Journal;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Journal::parse(&text);
});

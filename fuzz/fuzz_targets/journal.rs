//! Any bytes as a crash journal (framed records, torn or glued ones, the old line format):
//! what can be read is read, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagdesk::core::journal::Journal;

fuzz_target!(|data: &[u8]| {
    let _ = Journal::parse(data);
});

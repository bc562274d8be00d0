//! Any text as one requirement line.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    djship::fuzz::requirement_line(data);
});

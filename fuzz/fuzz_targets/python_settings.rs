//! Any bytes as a settings module: parsing and abstract interpretation never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    djship::fuzz::settings(data);
});

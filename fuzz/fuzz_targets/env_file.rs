//! Any bytes as an existing .env whose values init keeps.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    djship::fuzz::env_file(data);
});

//! Any bytes as a Dockerfile (and .dockerignore): the lint parser and every rule.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    djship::fuzz::compose(data);
});

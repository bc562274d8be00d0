//! Any bytes as every file the frontend detection reads (package.json, lockfiles, bundler
//! configs, .nvmrc, Dockerfile), in a Django project, through the whole detection.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    djship::fuzz::frontend(data);
});

//! Any bytes as requirements.txt, pyproject.toml, Pipfile, Pipfile.lock, uv.lock,
//! .python-version and runtime.txt at once.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    djship::fuzz::dependency_files(data);
});

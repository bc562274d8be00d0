//! Third-party parsers read the user's files. A panic inside one (a bug of theirs, found by
//! fuzzing or not yet) must never reach the user as a crash: every call into such a parser
//! goes through [`contain`], which turns the panic into `None`, with no panic message on
//! stderr, so the caller reports the file as unreadable and goes on.

use pep508_rs::pep440_rs::{Version, VersionSpecifiers};
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::str::FromStr;
use std::sync::Once;

thread_local! {
    /// How many `contain` calls this thread is inside: their panics are not printed.
    static INSIDE: Cell<u32> = const { Cell::new(0) };
    /// How many panics `contain` caught on this thread.
    static CAUGHT: Cell<usize> = const { Cell::new(0) };
}

/// How many panics [`contain`] caught on this thread so far (the no-panic tests count them:
/// a dependency's panic is contained, and still a bug to fix at its root).
pub fn caught() -> usize {
    CAUGHT.with(Cell::get)
}

static HOOK: Once = Once::new();

/// Run `f`; `None` when it panicked.
pub fn contain<T>(f: impl FnOnce() -> T) -> Option<T> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if INSIDE.with(Cell::get) == 0 {
                previous(info);
            } else {
                CAUGHT.with(|n| n.set(n.get() + 1));
            }
        }));
    });
    INSIDE.with(|n| n.set(n.get() + 1));
    let out = panic::catch_unwind(AssertUnwindSafe(f));
    INSIDE.with(|n| n.set(n.get() - 1));
    out.ok()
}

/// A PEP 440 version; `None` when it is not one.
pub fn version(s: &str) -> Option<Version> {
    contain(|| Version::from_str(s).ok()).flatten()
}

/// PEP 440 version specifiers (`>=4.2,<5`); `None` when they are not.
pub fn specifiers(s: &str) -> Option<VersionSpecifiers> {
    contain(|| VersionSpecifiers::from_str(s).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_none_and_the_thread_goes_on() {
        assert_eq!(contain(|| 1 + 1), Some(2));
        let before = caught();
        let v: Option<u8> = contain(|| panic!("inside a parser"));
        assert_eq!(v, None);
        assert_eq!(caught(), before + 1);
        // Nested, and again after a panic.
        assert_eq!(contain(|| contain(|| -> u8 { panic!("deep") })), Some(None));
        assert_eq!(contain(|| "x"), Some("x"));
    }

    #[test]
    fn versions_and_specifiers() {
        assert!(version("4.2.1").is_some());
        assert!(version("four").is_none());
        let s = specifiers(">=4.2,<5").unwrap();
        assert!(s.contains(&version("4.2.3").unwrap()));
        assert!(specifiers(">=<").is_none());
    }
}

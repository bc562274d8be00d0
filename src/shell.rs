//! Words for a POSIX shell: the generated files' shell lines and the commands printed to
//! the user.

/// A word for a POSIX shell: as it is when it needs no quoting, else in single quotes.
/// Used by the templates (the `sh` filter) and by the commands the engine prints.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

//! The one unified-diff helper: `init --diff` / `--dry-run` and `lint --fix --diff` both
//! print their changes with it.

/// A unified diff (three lines of context) from `old` to `new`, with the headers `from`
/// and `to` (`a/path`, `b/path`, `/dev/null`); empty when the texts are equal.
pub fn unified(old: &str, new: &str, from: &str, to: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(from, to)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn headers_hunks_and_no_output_for_equal_texts() {
        let d = unified("a\nb\nc\n", "a\nB\nc\n", "a/x.txt", "b/x.txt");
        assert_eq!(
            d,
            "--- a/x.txt\n+++ b/x.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert_eq!(unified("same\n", "same\n", "a/x", "b/x"), "");
    }
}

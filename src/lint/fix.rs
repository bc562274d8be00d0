//! `--fix` and `--diff`: apply the findings' safe edits, file by file.
//!
//! Edits of one file are applied from the end so earlier ranges stay valid; an edit that
//! overlaps one already taken waits for the next round. Rounds repeat (re-linting the new
//! text) until nothing changes, so running `--fix` twice changes nothing the second time.

use super::{Edit, Finding};
use std::collections::BTreeMap;

/// New contents of each file the edits change (a file that does not exist starts empty).
pub fn apply(
    originals: &BTreeMap<String, String>,
    findings: &[Finding],
) -> BTreeMap<String, String> {
    let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for f in findings {
        // A finding's edits are taken together or not at all.
        for e in &f.edits {
            by_file.entry(&e.file).or_default().push(e);
        }
    }
    let mut out = BTreeMap::new();
    for (file, mut edits) in by_file {
        let mut text = originals.get(file).cloned().unwrap_or_default();
        edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
        let mut floor = usize::MAX;
        let mut seen: Vec<&Edit> = Vec::new();
        for e in edits {
            if seen.contains(&e) {
                continue;
            }
            let (s, t) = (e.range.start, e.range.end);
            if t > floor
                || s > t
                || t > text.len()
                || !text.is_char_boundary(s)
                || !text.is_char_boundary(t)
            {
                continue;
            }
            text.replace_range(s..t, &e.text);
            floor = s;
            seen.push(e);
        }
        if originals.get(file) != Some(&text) {
            out.insert(file.to_string(), text);
        }
    }
    out
}

/// A unified diff of the changed files.
pub fn diff(originals: &BTreeMap<String, String>, changed: &BTreeMap<String, String>) -> String {
    let mut s = String::new();
    for (file, new) in changed {
        let old = originals.get(file).map(String::as_str).unwrap_or("");
        s.push_str(&crate::diff::unified(
            old,
            new,
            &format!("a/{file}"),
            &format!("b/{file}"),
        ));
    }
    s
}

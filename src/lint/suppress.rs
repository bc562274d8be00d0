//! Inline suppressions.
//!
//! - djship's own, in any file: `# djship: ignore[DJL001, DL3025]` (or bare
//!   `# djship: ignore` for every rule) on the finding's line or in the comment lines
//!   right above it; `# djship: ignore-file[ID]` anywhere for the whole file.
//! - hadolint's, in Dockerfiles, for the rules with a hadolint code: `# hadolint
//!   ignore=DL3008,DL3015` above an instruction, `# hadolint global ignore=...` anywhere.
//! - BuildKit's, in Dockerfiles, for the rules with a BuildKit name: the parser directive
//!   `# check=skip=JSONArgsRecommended,SecretsUsedInArgOrEnv` (or `skip=all`).

use super::source::Source;
use super::Rule;

fn ids(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The comment part of a line (`#` to the end), when it has one.
fn comment(line: &str, whole_line_only: bool) -> Option<&str> {
    let t = line.trim_start();
    if let Some(c) = t.strip_prefix('#') {
        return Some(c.trim());
    }
    if whole_line_only {
        return None;
    }
    line.find(" #").map(|i| line[i + 2..].trim())
}

/// `djship: ignore[...]` / `djship: ignore` in a comment: does it name the rule?
fn djship_ignores(c: &str, r: &Rule, directive: &str) -> bool {
    let Some(rest) = c.strip_prefix("djship:") else {
        return false;
    };
    let rest = rest.trim();
    let Some(rest) = rest.strip_prefix(directive) else {
        return false;
    };
    match rest.trim().strip_prefix('[') {
        Some(list) => ids(list.trim_end_matches(']').trim_end_matches(']')).any(|id| r.matches(id)),
        None => rest.trim().is_empty() && directive == "ignore",
    }
}

fn hadolint_ignores(c: &str, r: &Rule, global: bool) -> bool {
    let Some(rest) = c.strip_prefix("hadolint") else {
        return false;
    };
    let rest = rest.trim();
    let rest = if global {
        match rest.strip_prefix("global") {
            Some(r) => r.trim(),
            None => return false,
        }
    } else {
        rest
    };
    let Some(list) = rest.strip_prefix("ignore=") else {
        return false;
    };
    r.code.starts_with("DL") && ids(list).any(|id| id.eq_ignore_ascii_case(r.code))
}

/// Is the finding of rule `r` that starts on `line` of `src` suppressed?
pub fn suppressed(src: &Source, r: &Rule, line: u32, dockerfile: bool) -> bool {
    // Whole-file directives.
    let mut directives_done = false;
    for l in 1..=src.line_count() {
        let text = src.line_text(l);
        let Some(c) = comment(text, true) else {
            if !text.trim().is_empty() {
                directives_done = true;
            }
            continue;
        };
        if djship_ignores(c, r, "ignore-file") {
            return true;
        }
        if dockerfile {
            if hadolint_ignores(c, r, true) {
                return true;
            }
            // BuildKit parser directives come before anything else.
            if !directives_done {
                let d = c.replace(' ', "");
                if let Some(v) = d.strip_prefix("check=") {
                    for part in v.split(';') {
                        if let Some(list) = part.strip_prefix("skip=") {
                            if let Some(b) = r.buildkit {
                                if ids(list).any(|id| id == "all" || id.eq_ignore_ascii_case(b)) {
                                    return true;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // The finding's line (a trailing comment outside Dockerfiles) and the comments above.
    if let Some(c) = comment(src.line_text(line), dockerfile) {
        if djship_ignores(c, r, "ignore") {
            return true;
        }
    }
    let mut l = line;
    while l > 1 {
        l -= 1;
        let Some(c) = comment(src.line_text(l), true) else {
            break;
        };
        if djship_ignores(c, r, "ignore") || dockerfile && hadolint_ignores(c, r, false) {
            return true;
        }
    }
    false
}

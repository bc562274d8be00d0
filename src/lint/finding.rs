//! What a rule is and what it produces: a rule's hits (a file, a range, a message, maybe a
//! fix) become findings with lines and columns.

use super::Context;
use crate::severity::Severity;
use serde::Serialize;
use std::ops::Range;

/// A rule: stable code and name, severity, one-line summary, documentation, and a pure check.
pub struct Rule {
    /// `DJLnnn` for djship's own rules, `DJSnnn` for settings checks, hadolint's `DLnnnn`
    /// where the rule is hadolint's (so `# hadolint ignore=` applies to it).
    pub code: &'static str,
    pub name: &'static str,
    /// BuildKit's check name when the rule is the same (`# check=skip=` applies to it).
    pub buildkit: Option<&'static str>,
    pub severity: Severity,
    pub summary: &'static str,
    /// What it does, why it is bad, an example and the fix (markdown).
    pub doc: &'static str,
    /// Whether `--fix` can fix its findings.
    pub fixable: bool,
    pub check: fn(&Context) -> Vec<Hit>,
}

impl Rule {
    /// Is `id` this rule's code (or a prefix of it), its name or its BuildKit name?
    pub fn matches(&self, id: &str) -> bool {
        let id = id.trim();
        !id.is_empty()
            && (self.code.len() >= id.len() && self.code[..id.len()].eq_ignore_ascii_case(id)
                || self.name.eq_ignore_ascii_case(id)
                || self.buildkit.is_some_and(|b| b.eq_ignore_ascii_case(id))
                || id.eq_ignore_ascii_case("all"))
    }
}

/// One text replacement in one file (byte range; an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: String,
    pub range: Range<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, shown to the user.
    pub title: String,
    pub edits: Vec<Edit>,
}

/// Where a rule fired: a file of the context and a byte range in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub file: String,
    pub range: Range<usize>,
    pub message: String,
    /// How to fix it by hand, when the message does not say.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Hit {
    pub fn new(file: &str, range: Range<usize>, message: impl Into<String>) -> Hit {
        Hit {
            file: file.to_string(),
            range,
            message: message.into(),
            help: None,
            fix: None,
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Hit {
        self.help = Some(help.into());
        self
    }
    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Hit {
        self.fix = Some(Fix {
            title: title.into(),
            edits,
        });
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: String,
    /// How to fix it by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// What `--fix` would do, when the finding has a safe fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(skip)]
    pub range: Range<usize>,
    #[serde(skip)]
    pub edits: Vec<Edit>,
}

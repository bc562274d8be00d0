//! Where a fact came from: a file (relative to the project root) and a 1-based line.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    /// Path relative to the project root, with `/` separators.
    pub file: String,
    /// 1-based line number, when the fact comes from one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Evidence {
    pub fn file(file: impl Into<String>) -> Self {
        Evidence {
            file: file.into(),
            line: None,
        }
    }
    pub fn at(file: impl Into<String>, line: u32) -> Self {
        Evidence {
            file: file.into(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}", self.file, l),
            None => write!(f, "{}", self.file),
        }
    }
}

/// A non-fatal problem met while reading the project: the file, what went wrong and
/// the fallback djship took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub evidence: Evidence,
    pub message: String,
    pub fallback: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "warning: {}: {} (fallback: {})",
            self.evidence, self.message, self.fallback
        )
    }
}

/// A message (a parser's error, a command's output) on one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

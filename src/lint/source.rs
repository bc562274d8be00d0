//! A linted file's text with its line index: byte ranges to line:column and back, and
//! the helpers rules use to point at the exact text they mean.

use std::ops::Range;

#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the project root, `/` separators.
    pub path: String,
    pub text: String,
    /// Byte offset of each line's first character.
    starts: Vec<usize>,
}

/// A 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Source {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Source {
        let text = text.into();
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Source {
            path: path.into(),
            text,
            starts,
        }
    }

    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }

    /// Byte range of a 1-based line, without its line break. Out-of-range lines give an
    /// empty range at the end of the text.
    pub fn line_range(&self, line: u32) -> Range<usize> {
        let i = (line.max(1) - 1) as usize;
        let Some(&start) = self.starts.get(i) else {
            return self.text.len()..self.text.len();
        };
        let mut end = self.starts.get(i + 1).map_or(self.text.len(), |&n| n - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    pub fn line_text(&self, line: u32) -> &str {
        &self.text[self.line_range(line)]
    }

    /// The line's text without its indentation and trailing blanks.
    pub fn line_span(&self, line: u32) -> Range<usize> {
        let r = self.line_range(line);
        let t = &self.text[r.clone()];
        let start = r.start + (t.len() - t.trim_start().len());
        let end = (r.start + t.trim_end().len()).max(start);
        start..end
    }

    /// The first occurrence of `needle` within lines `line..=end_line`; the first line's
    /// text when it is not there.
    pub fn find(&self, line: u32, end_line: u32, needle: &str) -> Range<usize> {
        if !needle.is_empty() {
            let from = self.line_range(line).start;
            let to = self.line_range(end_line.max(line)).end;
            if let Some(i) = self.text[from..to].find(needle) {
                return from + i..from + i + needle.len();
            }
        }
        self.line_span(line)
    }

    /// The position of a byte offset (clamped to the text, moved back to a character
    /// boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        Position {
            line: line as u32,
            column: self.text[start..offset].chars().count() as u32 + 1,
        }
    }

    /// Byte offset of a character index (YAML parsers count characters).
    pub fn byte_of_char(&self, index: usize) -> usize {
        if self.text.is_ascii() {
            return index.min(self.text.len());
        }
        self.text
            .char_indices()
            .nth(index)
            .map_or(self.text.len(), |(b, _)| b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_ranges() {
        let s = Source::new("f", "FROM x\r\n  RUN ünï y\nCMD z");
        assert_eq!(s.line_text(1), "FROM x");
        assert_eq!(s.line_text(2), "  RUN ünï y");
        let r = s.find(2, 2, "y");
        assert_eq!(
            s.position(r.start),
            Position {
                line: 2,
                column: 11
            }
        );
        assert_eq!(s.position(s.line_span(2).start).column, 3);
        assert_eq!(s.line_range(9), s.text.len()..s.text.len());
        assert_eq!(s.position(10_000).line, 3);
        assert_eq!(&s.text[s.find(3, 3, "missing")], "CMD z");
    }
}

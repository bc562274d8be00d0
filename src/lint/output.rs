//! Finding formats: human (code frames), JSON, SARIF 2.1.0 (GitHub code scanning),
//! GitHub workflow annotations and Checkstyle XML.

use super::{rules, Context, Finding, Severity};
use annotate_snippets::{Level, Renderer, Snippet};
use serde_json::json;

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    }
}

/// Code frames, as rustc and ruff print them: `--> file:line:col`, the lines, the span
/// underlined, then what `--fix` would do.
pub fn human(ctx: &Context, findings: &[Finding], styled: bool) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut s = String::new();
    for f in findings {
        let src = ctx.src(&f.file);
        let title = format!("{} [{}]", f.message, f.name);
        let fix = f.fix.as_ref().map(|t| format!("fixable with --fix: {t}"));
        let mut msg = level(f.severity).title(&title).id(f.code);
        let frame;
        // A finding about the whole file (an empty range at its start) has no frame.
        if !src.text.is_empty() && !frame_less(f) {
            let last = f.end_line.min(f.line + 5).max(f.line);
            let from = src.line_range(f.line).start;
            let to = src.line_range(last).end;
            frame = &src.text[from..to];
            let start = f.range.start.clamp(from, to) - from;
            let end = f.range.end.clamp(from, to) - from;
            // A zero-width span still gets one caret.
            let end = if end <= start {
                (start + frame[start..].chars().next().map_or(0, char::len_utf8)).max(start)
            } else {
                end
            };
            msg = msg.snippet(
                Snippet::source(frame)
                    .line_start(f.line as usize)
                    .origin(&f.file)
                    .fold(false)
                    .annotation(level(f.severity).span(start..end)),
            );
        }
        if let Some(h) = &f.help {
            msg = msg.footer(Level::Help.title(h));
        }
        if let Some(fx) = &fix {
            msg = msg.footer(Level::Help.title(fx));
        }
        let rendered = renderer.render(msg).to_string();
        if frame_less(f) || src.text.is_empty() {
            // Title, then where, then the footers.
            let (title, rest) = rendered.split_once('\n').unwrap_or((&rendered, ""));
            s.push_str(&format!("{title}\n --> {}\n{rest}", f.file));
            s.push_str(if rest.is_empty() { "\n" } else { "\n\n" });
        } else {
            s.push_str(&rendered);
            s.push_str("\n\n");
        }
    }
    s
}

/// A finding about the whole file: an empty range at its start.
fn frame_less(f: &Finding) -> bool {
    f.range.start == 0 && f.range.end == 0
}

/// The one-line summary after human output.
pub fn summary(findings: &[Finding], files: usize) -> String {
    let count = |sev| findings.iter().filter(|f| f.severity == sev).count();
    let fixable = findings.iter().filter(|f| f.fix.is_some()).count();
    let mut s = format!(
        "{} finding(s) in {files} file(s): {} error(s), {} warning(s), {} info",
        findings.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    if fixable > 0 {
        s.push_str(&format!("; {fixable} fixable with --fix"));
    }
    s
}

pub fn json(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(findings).unwrap_or_default()
}

/// `runs-as-root` → `RunsAsRoot`: SARIF's friendly names are Pascal-case identifiers.
fn pascal(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A path as a SARIF artifact URI: relative paths stay relative (to %SRCROOT%, the
/// folder djship ran in), absolute ones become `file://` URIs; both percent-encoded.
fn artifact_location(path: &str) -> serde_json::Value {
    let mut enc = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                enc.push(b as char)
            }
            _ => enc.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        json!({"uri": format!("file://{enc}")})
    } else {
        json!({"uri": enc, "uriBaseId": "%SRCROOT%"})
    }
}

/// SARIF 2.1.0, one run, every rule in the driver so results refer to them by index.
/// `ctx_text` gives a file's text (for the snippet of each result).
pub fn sarif(findings: &[Finding], ctx_text: &dyn Fn(&str, u32) -> Option<String>) -> String {
    let rules: Vec<_> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": pascal(r.name),
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": sarif_level(r.severity)},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "djship",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "results": sarif_results(findings, ctx_text),
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The SARIF results of the findings (the part of the document that depends on them).
pub fn sarif_results(
    findings: &[Finding],
    ctx_text: &dyn Fn(&str, u32) -> Option<String>,
) -> Vec<serde_json::Value> {
    findings
        .iter()
        .map(|f| {
            let mut region = json!({
                "startLine": f.line,
                "startColumn": f.column,
                "endLine": f.end_line,
                "endColumn": f.end_column.max(f.column + u32::from(f.end_line == f.line && f.end_column <= f.column)),
            });
            if let Some(text) = ctx_text(&f.file, f.line) {
                region["snippet"] = json!({"text": text});
            }
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": rules::ALL.iter().position(|r| r.code == f.code).unwrap_or(0),
                "level": sarif_level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&f.file),
                        "region": region,
                    }
                }],
            });
            if let Some(fix) = &f.fix {
                result["properties"] = json!({"fix": fix});
            }
            result
        })
        .collect()
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub Actions workflow commands: `::warning file=…,line=…::message`.
pub fn github(findings: &[Finding]) -> String {
    let esc_data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let esc_prop = |s: &str| esc_data(s).replace(':', "%3A").replace(',', "%2C");
    findings
        .iter()
        .map(|f| {
            let kind = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            format!(
                "::{kind} title={},file={},line={},col={},endLine={},endColumn={}::{}\n",
                esc_prop(&format!("{} {}", f.code, f.name)),
                esc_prop(&f.file),
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                esc_data(&f.message)
            )
        })
        .collect()
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// Checkstyle XML, findings grouped by file.
pub fn checkstyle(findings: &[Finding]) -> String {
    let mut s =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    let mut i = 0;
    while i < findings.len() {
        let file = &findings[i].file;
        s.push_str(&format!("  <file name=\"{}\">\n", xml_escape(file)));
        while i < findings.len() && &findings[i].file == file {
            let f = &findings[i];
            s.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"djship.{}\"/>\n",
                f.line,
                f.column,
                f.severity,
                xml_escape(&f.message),
                f.code
            ));
            i += 1;
        }
        s.push_str("  </file>\n");
    }
    s.push_str("</checkstyle>\n");
    s
}

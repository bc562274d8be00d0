//! A Dockerfile parser (detect reads the user's Dockerfile with it, lint checks it): parser directives (escape), line continuations,
//! comments inside continuations, heredocs, JSON and shell forms, flags (`--from`,
//! `--mount`), and multi-stage builds. Positions are kept for every instruction.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heredoc {
    pub delimiter: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instruction {
    /// Upper-cased: `RUN`, `COPY`, ...
    pub keyword: String,
    /// Arguments after the flags, continuations joined with a space.
    pub args: String,
    /// `--name=value` flags before the arguments (`--mount`, `--from`, `--chown`).
    pub flags: Vec<(String, String)>,
    /// The arguments as a JSON array (exec form), when they are one.
    pub json: Option<Vec<String>>,
    pub heredocs: Vec<Heredoc>,
    /// 1-based first and last line.
    pub line: u32,
    pub end_line: u32,
    /// Index of the build stage the instruction belongs to.
    pub stage: usize,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// A `COPY`/`ADD` of the whole build context (`COPY . .`) from the context, not a stage.
    pub fn copies_context(&self) -> bool {
        matches!(self.keyword.as_str(), "COPY" | "ADD")
            && self.flag("from").is_none()
            && self.sources().iter().any(|w| w == "." || w == "./")
    }

    /// Source operands of `COPY`/`ADD`: every word but the destination.
    pub fn sources(&self) -> Vec<String> {
        let mut w = self.words();
        w.pop();
        w
    }

    /// The command words: the JSON array, or the shell form split on whitespace.
    pub fn words(&self) -> Vec<String> {
        match &self.json {
            Some(j) => j.clone(),
            None => self.args.split_whitespace().map(String::from).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    pub base: String,
    pub name: Option<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dockerfile {
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    /// Instructions of one stage.
    pub fn stage(&self, i: usize) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .filter(move |x| x.stage == i && x.keyword != "FROM")
    }
    /// A stage and the stages it is built `FROM`, nearest first (ENV is inherited).
    pub fn stage_chain(&self, s: usize) -> Vec<usize> {
        let mut chain = vec![s];
        let mut cur = s;
        while let Some(parent) = self.stages.get(cur).and_then(|st| {
            self.stages[..cur]
                .iter()
                .rposition(|p| p.name.as_deref() == Some(st.base.as_str()))
        }) {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
            cur = parent;
        }
        chain
    }

    pub fn final_stage(&self) -> usize {
        self.stages.len().saturating_sub(1)
    }

    /// Expand `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}` in `text` as the
    /// builder would at instruction `at` (an index into `instructions`): global ARG
    /// defaults (before the first FROM) for FROM lines, else the stage's ARG and ENV values
    /// so far (`at` = `instructions.len()`: the end of the final stage). Unknown names expand
    /// to their default or stay as they are.
    pub fn expand(&self, at: usize, text: &str) -> String {
        let mut vars: Vec<(String, String)> = Vec::new();
        let here = self.instructions.get(at);
        // Past the last instruction: the end of the final stage.
        let stage = here.map(|i| i.stage).or(Some(self.final_stage()));
        let from_line = here.is_some_and(|i| i.keyword == "FROM");
        let mut seen_from = false;
        for (n, i) in self.instructions.iter().enumerate().take(at) {
            if i.keyword == "FROM" {
                seen_from = true;
                continue;
            }
            let applies = if from_line {
                !seen_from
            } else {
                seen_from && Some(i.stage) == stage || !seen_from && i.keyword == "ARG"
            };
            if !applies || !matches!(i.keyword.as_str(), "ARG" | "ENV") {
                continue;
            }
            // Inside a stage a global ARG must be re-declared; keep the simple rule that a
            // bare `ARG NAME` takes the global default.
            let _ = n;
            for (k, v) in assignments(&i.args) {
                match v {
                    Some(v) => vars.push((k, v)),
                    None if i.keyword == "ARG" => {
                        if let Some(g) = self.global_arg(&k) {
                            vars.push((k, g));
                        }
                    }
                    None => {}
                }
            }
        }
        substitute(text, |name| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    fn global_arg(&self, name: &str) -> Option<String> {
        self.instructions
            .iter()
            .take_while(|i| i.keyword != "FROM")
            .filter(|i| i.keyword == "ARG")
            .flat_map(|i| assignments(&i.args))
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v)
    }
}

/// `KEY=value` pairs of an ARG/ENV line (quotes removed), also the old `ENV KEY value`
/// form; a bare `ARG NAME` gives `(NAME, None)`.
pub fn assignments(args: &str) -> Vec<(String, Option<String>)> {
    let words = shell_words(args);
    if words.len() >= 2 && !words[0].contains('=') {
        return vec![(words[0].clone(), Some(words[1..].join(" ")))];
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .collect()
}

/// Split like a shell: whitespace separates words, quotes group and are removed,
/// backslash escapes the next character.
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                has = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Replace `$NAME` / `${NAME}` / `${NAME:-default}` / `${NAME-default}` with `lookup`.
pub fn substitute(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        if b.get(i + 1) == Some(&b'{') {
            if let Some(close) = text[i + 2..].find('}') {
                let inner = &text[i + 2..i + 2 + close];
                let (name, default) = match inner.find([':', '-']) {
                    Some(p) => {
                        let rest = &inner[p..];
                        let d = rest.strip_prefix(":-").or_else(|| rest.strip_prefix('-'));
                        (&inner[..p], d)
                    }
                    None => (inner, None),
                };
                match lookup(name).or_else(|| default.map(String::from)) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&text[i..i + 3 + close]),
                }
                i += 3 + close;
                continue;
            }
        }
        let name: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        match (!name.is_empty()).then(|| lookup(&name)).flatten() {
            Some(v) => out.push_str(&v),
            None => {
                out.push('$');
                out.push_str(&name);
            }
        }
        i += 1 + name.len();
    }
    out
}

/// Parse a Dockerfile. Never fails: what cannot be read is skipped.
pub fn parse(text: &str) -> Dockerfile {
    let lines: Vec<&str> = text.lines().collect();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives: `# key=value` lines at the very top.
    while i < lines.len() {
        let l = lines[i].trim();
        let Some(d) = l.strip_prefix('#') else { break };
        let Some((k, v)) = d.split_once('=') else {
            break;
        };
        let k = k.trim().to_ascii_lowercase();
        if !k.chars().all(|c| c.is_ascii_alphanumeric()) || k.is_empty() {
            break;
        }
        if k == "escape" {
            escape = v.trim().chars().next().unwrap_or('\\');
        }
        i += 1;
    }
    let mut df = Dockerfile {
        escape,
        ..Default::default()
    };
    while i < lines.len() {
        let start = i;
        let first = lines[i].trim_start();
        if first.is_empty() || first.starts_with('#') {
            i += 1;
            continue;
        }
        // Join continuation lines; comment lines inside a continuation are dropped.
        let mut logical = String::new();
        loop {
            let raw = lines.get(i).copied().unwrap_or("");
            i += 1;
            let t = raw.trim_end();
            if let Some(cont) = t.strip_suffix(escape) {
                logical.push_str(cont);
                logical.push(' ');
                while i < lines.len() {
                    let next = lines[i].trim_start();
                    if next.starts_with('#') || next.is_empty() {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if i >= lines.len() {
                    break;
                }
            } else {
                logical.push_str(t);
                break;
            }
        }
        let end_line = i as u32;
        let logical = logical.trim().to_string();
        let (kw, rest) = match logical.split_once(char::is_whitespace) {
            Some((k, r)) => (k.to_ascii_uppercase(), r.trim().to_string()),
            None => (logical.to_ascii_uppercase(), String::new()),
        };
        // Flags.
        let mut flags = Vec::new();
        let mut args = rest.as_str();
        while let Some(f) = args.strip_prefix("--") {
            let end = f.find(char::is_whitespace).unwrap_or(f.len());
            let word = &f[..end];
            let (k, v) = word.split_once('=').unwrap_or((word, ""));
            flags.push((k.to_string(), v.to_string()));
            args = f[end..].trim_start();
        }
        let args = args.to_string();
        // Heredocs: `<<EOF`, `<<-EOF`, `<<"EOF"` open bodies that follow the instruction.
        let mut heredocs = Vec::new();
        if matches!(kw.as_str(), "RUN" | "COPY" | "ADD") {
            for delim in heredoc_delimiters(&args) {
                let mut body = String::new();
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    if l.trim() == delim.0 && (delim.1 || l == delim.0) {
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                heredocs.push(Heredoc {
                    delimiter: delim.0,
                    body,
                });
            }
        }
        let json = if args.starts_with('[') {
            serde_json::from_str::<Vec<String>>(&args).ok()
        } else {
            None
        };
        if kw == "FROM" {
            let words: Vec<&str> = args.split_whitespace().collect();
            let name = match words.as_slice() {
                [_, as_, n, ..] if as_.eq_ignore_ascii_case("as") => Some(n.to_string()),
                _ => None,
            };
            df.stages.push(Stage {
                base: words.first().unwrap_or(&"").to_string(),
                name,
                line: start as u32 + 1,
            });
        }
        let stage = df.stages.len().saturating_sub(1);
        df.instructions.push(Instruction {
            keyword: kw,
            args,
            flags,
            json,
            heredocs,
            line: start as u32 + 1,
            end_line: end_line.max(start as u32 + 1),
            stage,
        });
    }
    df
}

/// (delimiter, strip-tabs) of each heredoc opened in a line.
fn heredoc_delimiters(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(pos) = rest.find("<<") {
        let mut s = &rest[pos + 2..];
        let dash = s.starts_with('-');
        if dash {
            s = &s[1..];
        }
        let s2 = s.trim_start_matches(['"', '\'']);
        let name: String = s2
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            out.push((name.clone(), dash));
        }
        rest = &s2[name.len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_flags_json_and_stages() {
        let df = parse(
            "# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS build\nRUN apt-get update \\\n # a comment\n && apt-get install -y gcc\n\
             COPY --from=build --chown=app /opt/venv /opt/venv\nFROM python:3.12-slim\nCMD [\"gunicorn\", \"app.wsgi\"]\n",
        );
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        let run = &df.instructions[1];
        assert_eq!(
            (run.keyword.as_str(), run.line, run.end_line),
            ("RUN", 3, 5)
        );
        assert_eq!(run.args, "apt-get update   && apt-get install -y gcc");
        let copy = &df.instructions[2];
        assert_eq!(copy.flag("from"), Some("build"));
        assert_eq!(copy.flag("chown"), Some("app"));
        assert_eq!(copy.args, "/opt/venv /opt/venv");
        let cmd = df.instructions.last().unwrap();
        assert_eq!(cmd.stage, 1);
        assert_eq!(
            cmd.json.as_deref(),
            Some(&["gunicorn".to_string(), "app.wsgi".to_string()][..])
        );
    }

    #[test]
    fn escape_directive_and_heredocs() {
        let df = parse(
            "# escape=`\nFROM windows\nRUN dir `\n  c:\\\nRUN <<EOF\nset -e\necho hi\nEOF\nCMD x\n",
        );
        assert_eq!(df.escape, '`');
        assert_eq!(df.instructions[1].args, "dir    c:\\");
        let here = &df.instructions[2];
        assert_eq!(here.heredocs[0].delimiter, "EOF");
        assert_eq!(here.heredocs[0].body, "set -e\necho hi\n");
        assert_eq!(df.instructions[3].keyword, "CMD");
        assert_eq!(df.instructions[3].line, 9);
    }

    #[test]
    fn arg_and_env_expansion() {
        let df = parse(
            "ARG PY=3.12\nARG VARIANT\nFROM python:${PY}-${VARIANT:-slim}\nARG PY\nENV PORT=8000 NAME=\"a b\"\nEXPOSE $PORT\nCMD gunicorn -b 0.0.0.0:${PORT} $NAME $UNKNOWN\n",
        );
        assert_eq!(df.expand(2, &df.instructions[2].args), "python:3.12-slim");
        assert_eq!(df.expand(5, "$PORT"), "8000");
        assert_eq!(
            df.expand(6, &df.instructions[6].args),
            "gunicorn -b 0.0.0.0:8000 a b $UNKNOWN"
        );
        assert_eq!(df.expand(4, "${PY}"), "3.12");
        assert_eq!(
            shell_words("a 'b c' \"d\\\"e\" f\\ g"),
            ["a", "b c", "d\"e", "f g"]
        );
    }
}

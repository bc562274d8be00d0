//! Requirements files (`requirements*.txt`, `requirements/*.txt`): which ones, and what they
//! declare. The requirements manager reads them; other modules parse single requirement lines.

use super::{normalize_name, pinned_version, read, Dependencies, Package};
use crate::detect::evidence::{Evidence, Warning};
use pep508_rs::{Requirement, VersionOrUrl};
use std::path::Path;
use std::str::FromStr;

/// For tests: the dependencies of requirements.txt lines (line numbers are evidence).
#[cfg(test)]
pub(crate) fn from_requirement_lines(lines: &[&str]) -> Dependencies {
    let mut d = Dependencies::default();
    for (i, l) in lines.iter().enumerate() {
        d.packages.push(
            parse_requirement_line(l, Evidence::at("requirements.txt", i as u32 + 1))
                .unwrap()
                .unwrap(),
        );
    }
    d
}

/// Whether the requirements files pin (`==`) at least two thirds of their packages.
pub(super) fn mostly_pinned(root: &Path, files: &[String]) -> bool {
    let (mut pinned, mut all) = (0, 0);
    for f in files {
        let Ok(text) = std::fs::read_to_string(root.join(f)) else {
            continue;
        };
        for line in text.lines() {
            let l = line.split('#').next().unwrap_or("").trim();
            if l.is_empty() || l.starts_with('-') {
                continue;
            }
            all += 1;
            if l.contains("==") {
                pinned += 1;
            }
        }
    }
    all > 0 && pinned * 3 >= all * 2
}

/// Production and development requirement files, by the usual names, in `base` ("" or a
/// folder ending in `/`) and its `requirements/` folder; paths relative to the root.
pub(super) fn find_files(root: &Path, base: &str) -> (Vec<String>, Vec<String>) {
    let mut prod = Vec::new();
    let mut dev = Vec::new();
    let mut candidates: Vec<String> = Vec::new();
    for dir in ["", "requirements/"] {
        let Ok(entries) = std::fs::read_dir(root.join(base).join(dir)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".txt") && (!dir.is_empty() || n.starts_with("requirements")))
            .collect();
        names.sort();
        candidates.extend(names.into_iter().map(|n| format!("{dir}{n}")));
    }
    let stem = |f: &str| {
        f.trim_end_matches(".txt")
            .trim_start_matches("requirements/")
            .trim_start_matches("requirements")
            .trim_start_matches(['-', '_', '.'])
            .to_ascii_lowercase()
    };
    const PROD: [&str; 6] = ["", "production", "prod", "base", "common", "main"];
    const DEV: [&str; 6] = ["dev", "devel", "development", "local", "test", "tests"];
    // Production: the most specific production file (production > prod > plain > base).
    for want in ["production", "prod", "", "base", "common", "main"] {
        if let Some(f) = candidates.iter().find(|f| stem(f) == want) {
            prod.push(f.clone());
            break;
        }
    }
    for f in &candidates {
        let s = stem(f);
        if DEV.contains(&s.as_str()) {
            dev.push(f.clone());
        } else if prod.is_empty() && !PROD.contains(&s.as_str()) && s != "docs" {
            // An unusual name and nothing better: use it.
            prod.push(f.clone());
        }
    }
    let prefixed = |v: Vec<String>| v.into_iter().map(|f| format!("{base}{f}")).collect();
    (prefixed(prod), prefixed(dev))
}

pub(super) fn read_file(
    root: &Path,
    rel: &str,
    dev: bool,
    deps: &mut Dependencies,
    warnings: &mut Vec<Warning>,
    depth: u32,
) {
    if depth > 10 || deps.install_files.iter().any(|f| f == rel) && !dev {
        return;
    }
    let Some(text) = read(root, rel, warnings) else {
        if depth > 0 {
            warnings.push(Warning {
                evidence: Evidence::file(rel),
                message: "included requirements file does not exist".into(),
                fallback: "skipped the include".into(),
            });
        }
        return;
    };
    if !dev {
        deps.install_files.push(rel.to_string());
    }
    let dir = Path::new(rel)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let resolve = |inc: &str| crate::detect::python::path_join(&dir, inc);

    let mut logical = String::new();
    let mut start_line = 0;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start_line = i as u32 + 1;
        }
        if let Some(cont) = raw.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        let line = strip_comment(&line);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let ev = Evidence::at(rel, start_line);
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        let rest = || line[first.len()..].trim().to_string();
        let opt_value = |flag: &str| -> Option<String> {
            if first == flag {
                Some(rest())
            } else {
                first.strip_prefix(&format!("{flag}=")).map(str::to_string)
            }
        };
        if let Some(inc) = opt_value("-r").or_else(|| opt_value("--requirement")) {
            read_file(root, &resolve(&inc), dev, deps, warnings, depth + 1);
            continue;
        }
        if let Some(inc) = opt_value("-c").or_else(|| opt_value("--constraint")) {
            let c = resolve(&inc);
            if !dev && root.join(&c).is_file() {
                deps.install_files.push(c);
            }
            continue;
        }
        if let Some(v) = opt_value("--no-binary") {
            for p in v.split(',') {
                deps.no_binary.insert(normalize_name(p));
            }
            continue;
        }
        let (editable, spec) = match opt_value("-e").or_else(|| opt_value("--editable")) {
            Some(s) => (true, s),
            None if first.starts_with('-') => continue, // index options, --pre, ...
            None => (false, line.to_string()),
        };
        // Per-requirement options (--hash=...) follow the requirement.
        let spec: String = spec
            .split_whitespace()
            .take_while(|w| !w.starts_with("--"))
            .collect::<Vec<_>>()
            .join(" ");
        match parse_requirement_line(&spec, ev.clone()) {
            Ok(Some(mut p)) => {
                p.editable = editable;
                p.dev = dev;
                deps.packages.push(p);
            }
            Ok(None) => {
                if editable && (spec.starts_with('.') || spec.starts_with('/')) {
                    deps.installs_project = true;
                }
            }
            Err(msg) => warnings.push(Warning {
                evidence: ev,
                message: msg,
                fallback: "skipped this requirement".into(),
            }),
        }
    }
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Parse one requirement: PEP 508, or a VCS/URL line with `#egg=name`. `Ok(None)` for a
/// local path without a name.
pub fn parse_requirement_line(spec: &str, evidence: Evidence) -> Result<Option<Package>, String> {
    let is_url = spec.contains("://") && !spec.contains(" @ ") && !spec.contains('@')
        || spec.starts_with("git+")
        || spec.starts_with("hg+")
        || spec.starts_with("svn+")
        || spec.starts_with("bzr+");
    if is_url || spec.starts_with('.') || spec.starts_with('/') {
        let egg = spec
            .split(['#', '&'])
            .find_map(|part| part.strip_prefix("egg="))
            .map(|n| n.split('[').next().unwrap_or(n));
        return Ok(egg.map(|name| Package {
            name: normalize_name(name),
            specifier: String::new(),
            pinned: None,
            pinned_at: None,
            extras: Vec::new(),
            marker: None,
            url: Some(spec.to_string()),
            editable: false,
            dev: false,
            evidence,
        }));
    }
    let req = parse_pep508(spec)?;
    let (specifier, url) = match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(v)) => (v.to_string(), None),
        Some(VersionOrUrl::Url(u)) => (String::new(), Some(u.to_string())),
        None => (String::new(), None),
    };
    let pinned = pinned_version(&specifier);
    Ok(Some(Package {
        name: req.name.to_string(),
        pinned,
        pinned_at: None,
        specifier,
        extras: req.extras.iter().map(|e| e.to_string()).collect(),
        marker: req.marker.try_to_string(),
        url,
        editable: false,
        dev: false,
        evidence,
    }))
}

/// `pep508_rs` 0.9.2 parses some invalid names and extras far enough to panic on them
/// (`5.2.*`, `A[P.-`: a name or an extra that ends in `.`, `-` or `_` fails its own
/// validation in an `expect`). Such input is rejected here first, as an error like any
/// other; a panic the parser still raises is contained here, where it is called, and
/// turned into the same kind of error, so it becomes a warning naming the file and line.
fn parse_pep508(spec: &str) -> Result<Requirement<pep508_rs::VerbatimUrl>, String> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let bad_end = |s: &str| s.starts_with(['.', '-', '_']) || s.ends_with(['.', '-', '_']);
    let rest = spec.trim_start();
    let name: String = rest.chars().take_while(|&c| is_name_char(c)).collect();
    if name.is_empty() || bad_end(&name) {
        return Err(format!(
            "not a valid PEP 508 requirement: {name:?} is not a package name"
        ));
    }
    if let Some(extras) = rest[name.len()..].trim_start().strip_prefix('[') {
        let extras = extras.split(']').next().unwrap_or_default();
        for part in extras.split(',') {
            let extra: String = part
                .trim_start()
                .chars()
                .take_while(|&c| is_name_char(c))
                .collect();
            if bad_end(&extra) {
                return Err(format!(
                    "not a valid PEP 508 requirement: {extra:?} is not an extra name"
                ));
            }
        }
    }
    // Its marker parser slices the text at byte offsets it counts as characters: a non-ASCII
    // character in a marker (found by fuzzing: `x-A;"\u{fffd}"~='`) panics there. Marker
    // names, operators and real values are ASCII.
    if let Some((_, marker)) = spec.split_once(';') {
        if !marker.is_ascii() {
            return Err(
                "not a valid PEP 508 requirement: its environment marker holds non-ASCII text"
                    .to_string(),
            );
        }
    }
    crate::contain::contain(|| Requirement::<pep508_rs::VerbatimUrl>::from_str(spec))
        .ok_or_else(|| "not a valid PEP 508 requirement (the parser failed on it)".to_string())?
        .map_err(|e| format!("not a valid PEP 508 requirement: {}", e.message))
}

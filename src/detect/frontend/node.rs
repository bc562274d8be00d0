//! The Node version: version files, engines.node ranges, volta, an existing Dockerfile.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Ver(u64, u64, u64);

#[derive(Debug, Clone, Copy)]
pub(super) enum Op {
    Ge,
    Gt,
    Le,
    Lt,
}

pub(super) type Comparators = Vec<(Op, Ver)>;

/// `18`, `18.2`, `18.x`, `v18.2.1`: the numbers given (`None` from the first wildcard on).
pub(super) fn partial(s: &str) -> Option<[Option<u64>; 3]> {
    let s = s.trim().trim_start_matches(['v', '=']);
    if s.is_empty() || s == "*" || s.eq_ignore_ascii_case("x") {
        return Some([None; 3]);
    }
    let s = s.split(['-', '+']).next().unwrap_or("");
    let mut out = [None; 3];
    for (i, p) in s.split('.').enumerate() {
        if i > 2 {
            return None;
        }
        if p == "*" || p.eq_ignore_ascii_case("x") {
            break;
        }
        out[i] = Some(p.parse().ok()?);
    }
    Some(out)
}

pub(super) fn lower(p: [Option<u64>; 3]) -> Ver {
    Ver(p[0].unwrap_or(0), p[1].unwrap_or(0), p[2].unwrap_or(0))
}

/// The first version past a partial (`18` -> 19.0.0, `18.2` -> 18.3.0).
pub(super) fn upper(p: [Option<u64>; 3]) -> Option<Ver> {
    match p {
        [None, ..] => None,
        [Some(a), None, _] => Some(Ver(a.saturating_add(1), 0, 0)),
        [Some(a), Some(b), None] => Some(Ver(a, b.saturating_add(1), 0)),
        [Some(a), Some(b), Some(c)] => Some(Ver(a, b, c.saturating_add(1))),
    }
}

/// One comparator of a range (`>=18`, `^18.2`, `~16.14`, `18.x`) as bounds.
pub(super) fn comparator(tok: &str) -> Option<Comparators> {
    let (op, rest) = ["^", "~>", "~", ">=", "<=", ">", "<", "="]
        .iter()
        .find_map(|o| tok.strip_prefix(o).map(|r| (*o, r)))
        .unwrap_or(("", tok));
    let p = partial(rest)?;
    let lo = lower(p);
    let mut out = Vec::new();
    match op {
        "^" => {
            out.push((Op::Ge, lo));
            let hi = match p {
                [Some(0), Some(0), Some(c)] => Ver(0, 0, c.saturating_add(1)),
                [Some(0), Some(b), _] if b > 0 => Ver(0, b.saturating_add(1), 0),
                [Some(a), ..] => Ver(a.saturating_add(1), 0, 0),
                _ => return Some(out),
            };
            out.push((Op::Lt, hi));
        }
        "~" | "~>" => {
            out.push((Op::Ge, lo));
            let hi = match p {
                [Some(a), None, _] => Ver(a.saturating_add(1), 0, 0),
                [Some(a), Some(b), _] => Ver(a, b.saturating_add(1), 0),
                _ => return Some(out),
            };
            out.push((Op::Lt, hi));
        }
        ">=" => out.push((Op::Ge, lo)),
        ">" => match upper(p) {
            Some(u) if p[2].is_none() => out.push((Op::Ge, u)),
            _ => out.push((Op::Gt, lo)),
        },
        "<=" => match upper(p) {
            Some(u) if p[2].is_none() => out.push((Op::Lt, u)),
            _ => out.push((Op::Le, lo)),
        },
        "<" => out.push((Op::Lt, lo)),
        _ => {
            if p[0].is_some() {
                out.push((Op::Ge, lo));
                if let Some(u) = upper(p) {
                    out.push((Op::Lt, u));
                }
            }
        }
    }
    Some(out)
}

/// An npm semver range: `||` alternatives of space-separated comparators (`A - B` too).
pub(super) fn parse_range(s: &str) -> Option<Vec<Comparators>> {
    let mut alts = Vec::new();
    for alt in s.split("||") {
        // Operators may be followed by spaces (`>= 18`).
        let mut text = alt.trim().to_string();
        for o in [">=", "<=", ">", "<", "=", "^", "~"] {
            text = text.replace(&format!("{o} "), o);
        }
        let toks: Vec<&str> = text.split_whitespace().collect();
        let mut cmps = Vec::new();
        if toks.len() == 3 && toks[1] == "-" {
            let a = partial(toks[0])?;
            let b = partial(toks[2])?;
            cmps.push((Op::Ge, lower(a)));
            match (b[2], upper(b)) {
                (Some(_), _) => cmps.push((Op::Le, lower(b))),
                (None, Some(u)) => cmps.push((Op::Lt, u)),
                _ => {}
            }
        } else {
            for t in toks {
                cmps.extend(comparator(t)?);
            }
        }
        alts.push(cmps);
    }
    Some(alts)
}

pub(super) fn satisfies(v: Ver, alts: &[Comparators]) -> bool {
    alts.iter().any(|cmps| {
        cmps.iter().all(|(op, b)| match op {
            Op::Ge => v >= *b,
            Op::Gt => v > *b,
            Op::Le => v <= *b,
            Op::Lt => v < *b,
        })
    })
}

/// The newest LTS line a range allows (else another line), as an image tag: the major
/// when its newest release satisfies the range, else `major.minor` or the exact version.
pub(super) fn pick_in_range(range: &str) -> Option<String> {
    let alts = parse_range(range)?;
    let bounds: Vec<Ver> = alts.iter().flatten().map(|(_, v)| *v).collect();
    for &m in LTS_MAJORS.iter().chain(OTHER_MAJORS) {
        if satisfies(Ver(m, 9999, 9999), &alts) {
            return Some(m.to_string());
        }
        let mut points: Vec<Ver> = vec![Ver(m, 0, 0)];
        for b in bounds.iter().filter(|b| b.0 == m) {
            points.push(*b);
            points.push(Ver(b.0, b.1, b.2.saturating_add(1)));
            points.push(Ver(b.0, b.1.saturating_add(1), 0));
        }
        points.sort();
        if let Some(p) = points.iter().rev().find(|p| satisfies(**p, &alts)) {
            return Some(if satisfies(Ver(p.0, p.1, 9999), &alts) {
                format!("{}.{}", p.0, p.1)
            } else {
                format!("{}.{}.{}", p.0, p.1, p.2)
            });
        }
    }
    None
}

/// A version as written in .nvmrc and its kin: `v18.17.0`, `18`, `lts/iron`, `20.x`.
/// `Err(text)` when it names no version djship can use.
pub(super) fn version_file_value(raw: &str) -> Result<Option<String>, String> {
    let v = raw.trim();
    let lower = v.to_ascii_lowercase();
    if let Some(name) = lower.strip_prefix("lts/") {
        if name == "*" || name == "latest" {
            return Ok(None);
        }
        return LTS_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| Some(m.to_string()))
            .ok_or_else(|| format!("unknown LTS name {v:?}"));
    }
    if matches!(
        lower.as_str(),
        "node" | "stable" | "latest" | "current" | "lts"
    ) {
        return Ok(None);
    }
    let plain = v.trim_start_matches(['v', 'V']);
    if !plain.is_empty()
        && plain.split('.').count() <= 3
        && plain
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return Ok(Some(plain.to_string()));
    }
    pick_in_range(v)
        .map(Some)
        .ok_or_else(|| format!("not a Node version: {v:?}"))
}

pub(super) fn node_version(
    root: &Path,
    dir: &str,
    pkg: &Json,
    pkg_text: &str,
    docker: &DockerHints,
    warnings: &mut Vec<Warning>,
) -> NodeVersion {
    let lts_default = |why: &str| NodeVersion {
        version: NODE_LTS.into(),
        source: format!("the current Node LTS line ({why})"),
        evidence: None,
    };
    let mut dirs = vec![dir.to_string()];
    if !dir.is_empty() {
        dirs.push(String::new());
    }
    for file in [".nvmrc", ".node-version", ".tool-versions"] {
        for d in &dirs {
            let rel = path_join(d, file);
            let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
                continue;
            };
            let found = text.lines().enumerate().find_map(|(i, l)| {
                let l = l.split('#').next().unwrap_or("").trim();
                if file == ".tool-versions" {
                    let mut w = l.split_whitespace();
                    (w.next() == Some("nodejs")).then(|| (i, w.next().unwrap_or("").to_string()))
                } else {
                    (!l.is_empty()).then(|| (i, l.to_string()))
                }
            });
            let Some((i, raw)) = found else { continue };
            let ev = Evidence::at(&rel, i as u32 + 1);
            match version_file_value(&raw) {
                Ok(Some(v)) => {
                    return NodeVersion {
                        version: v,
                        source: format!("{file} ({raw})"),
                        evidence: Some(ev),
                    }
                }
                Ok(None) => {
                    return NodeVersion {
                        evidence: Some(ev),
                        ..lts_default(&format!("{file} asks for {raw:?}"))
                    }
                }
                Err(e) => warnings.push(Warning {
                    evidence: ev,
                    message: e,
                    fallback: "used the next source of the Node version".into(),
                }),
            }
        }
    }
    let pkg_rel = path_join(dir, "package.json");
    let line_of = |needle: &str| {
        pkg_text
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| Evidence::at(&pkg_rel, i as u32 + 1))
            .unwrap_or_else(|| Evidence::file(&pkg_rel))
    };
    if let Some(v) = pkg
        .get("volta")
        .and_then(|v| v.get("node"))
        .and_then(Json::as_str)
    {
        if let Ok(Some(ver)) = version_file_value(v) {
            return NodeVersion {
                version: ver,
                source: format!("volta.node in package.json ({v})"),
                evidence: Some(line_of("\"volta\"")),
            };
        }
    }
    let engines = pkg
        .get("engines")
        .and_then(|e| e.get("node"))
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let engines_range = engines.and_then(parse_range);
    if let Some((tag, ev)) = &docker.node {
        if let Ok(Some(v)) = version_file_value(tag) {
            let allowed = match (&engines_range, partial(&v)) {
                (Some(r), Some(p)) => {
                    satisfies(lower(p), r)
                        || upper(p).is_some_and(|u| satisfies(Ver(u.0, u.1, 0).max(lower(p)), r))
                }
                _ => true,
            };
            if allowed {
                return NodeVersion {
                    version: v,
                    source: format!("FROM node:{tag} of the existing Dockerfile"),
                    evidence: Some(ev.clone()),
                };
            }
        }
    }
    if let Some(e) = engines {
        match pick_in_range(e) {
            Some(v) => {
                return NodeVersion {
                    source: format!("the newest Node line engines.node allows ({e})"),
                    version: v,
                    evidence: Some(line_of("\"engines\"")),
                }
            }
            None => warnings.push(Warning {
                evidence: line_of("\"engines\""),
                message: format!("cannot read engines.node {e:?} as a version range"),
                fallback: format!("Node {NODE_LTS}, the current LTS line"),
            }),
        }
    }
    lts_default("no .nvmrc, .node-version, .tool-versions, volta or engines.node")
}

// ---- Outputs ----

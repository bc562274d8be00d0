//! Compose files parsed with positions: a YAML tree (from saphyr) whose every node and
//! key keeps its byte range, with merge keys (`<<: *base`) resolved, and the compose
//! notions the rules ask about (services, their commands, ports, volumes, roles of files).

use super::source::Source;
use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Every scalar as its text (`true`, `8000`, `"x"` all become strings).
    Scalar(String),
    Seq(Vec<Node>),
    /// Entries in file order; the key keeps its own range.
    Map(Vec<(String, Range<usize>, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Byte range in the file.
    pub span: Range<usize>,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, n)| n)
    }
    /// The key's range and the value.
    pub fn entry(&self, key: &str) -> Option<(Range<usize>, &Node)> {
        match &self.value {
            Value::Map(m) => m
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, r, n)| (r.clone(), n)),
            _ => None,
        }
    }
    pub fn entries(&self) -> &[(String, Range<usize>, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }
    /// A command or list of strings: a sequence joined by spaces, or the scalar.
    pub fn joined(&self) -> String {
        match &self.value {
            Value::Scalar(s) => s.clone(),
            Value::Seq(items) => items
                .iter()
                .filter_map(Node::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        }
    }
    /// `environment:` as (name, value, range of the entry): both the map and the
    /// `- NAME=value` list forms.
    pub fn env_pairs(&self) -> Vec<(String, Option<String>, Range<usize>)> {
        match &self.value {
            Value::Map(m) => m
                .iter()
                .map(|(k, r, v)| {
                    (
                        k.clone(),
                        v.as_str().map(String::from),
                        r.start..v.span.end.max(r.end),
                    )
                })
                .collect(),
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| {
                    let s = n.as_str()?;
                    let (k, v) = match s.split_once('=') {
                        Some((k, v)) => (k, Some(v.to_string())),
                        None => (s, None),
                    };
                    Some((k.trim().to_string(), v, n.span.clone()))
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// What a compose file or Dockerfile is for, from its name, else from its folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `*prod*`, `*production*`, `*prd*`, `*release*`, `*deploy*`, `*stack*`, `*swarm*`, `*live*`.
    Production,
    /// `*dev*`, `*override*`, `*local*`, `*test*`, `*ci*`.
    Development,
    /// `compose.yaml`, `docker-compose.yml`, `Dockerfile`: what runs by default.
    Default,
}

fn role_of_name(name: &str) -> Role {
    let name = name.to_ascii_lowercase();
    let stem = name
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .replace("docker-compose", "")
        .replace("compose", "")
        .replace("dockerfile", "");
    let parts: Vec<&str> = stem
        .split(['.', '-', '_'])
        .filter(|p| !p.is_empty())
        .collect();
    let has = |words: &[&str]| parts.iter().any(|p| words.iter().any(|w| p.starts_with(w)));
    if has(&["prod", "prd", "release", "deploy", "stack", "swarm", "live"]) {
        Role::Production
    } else if has(&["dev", "override", "local", "test", "ci"]) {
        Role::Development
    } else {
        Role::Default
    }
}

/// The file name decides; when it says nothing, the nearest folder that does
/// (cookiecutter-django's `compose/production/django/Dockerfile`).
pub fn role(path: &str) -> Role {
    path.rsplit('/')
        .map(role_of_name)
        .find(|r| *r != Role::Default)
        .unwrap_or(Role::Default)
}

#[derive(Debug, Clone)]
pub struct ComposeFile {
    /// From the name (see [`role`]); a default-named file whose content is for development
    /// (a runserver command, a source bind mount, a dev build target or dev settings) is
    /// made [`Role::Development`] when the project is loaded, with the evidence in
    /// `role_reason`.
    pub role: Role,
    /// Why the file has its role when its content decided it.
    pub role_reason: Option<String>,
    /// The first document, when the file parses.
    pub root: Option<Node>,
    /// Where and why parsing failed.
    pub error: Option<(Range<usize>, String)>,
}

impl ComposeFile {
    pub fn parse(src: &Source) -> ComposeFile {
        let role = role(&src.path);
        match parse(src) {
            Ok(root) => ComposeFile {
                role,
                role_reason: None,
                root,
                error: None,
            },
            Err(e) => ComposeFile {
                role,
                role_reason: None,
                root: None,
                error: Some(e),
            },
        }
    }

    /// (name, key range, definition) of each service.
    pub fn services(&self) -> impl Iterator<Item = (&str, Range<usize>, &Node)> {
        self.root
            .as_ref()
            .and_then(|r| r.get("services"))
            .map(|s| s.entries())
            .unwrap_or(&[])
            .iter()
            .map(|(k, r, n)| (k.as_str(), r.clone(), n))
    }
}

/// Database and cache images whose data or port matter.
pub fn database_image(image: &str) -> Option<&'static str> {
    let name = image.rsplit('/').next().unwrap_or(image);
    let name = name.split([':', '@']).next().unwrap_or(name);
    [
        ("postgres", "/var/lib/postgresql/data"),
        ("postgis", "/var/lib/postgresql/data"),
        ("mysql", "/var/lib/mysql"),
        ("mariadb", "/var/lib/mysql"),
        ("mongo", "/data/db"),
        ("redis", "/data"),
        ("valkey", "/data"),
    ]
    .iter()
    .find(|(n, _)| name == *n)
    .map(|(_, data)| *data)
}

/// A service's `volumes:` entry, short (`src:target[:mode]`) or long syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount<'a> {
    /// The host path or volume name (None for an anonymous volume).
    pub source: Option<String>,
    /// The path in the container, without a trailing `/`.
    pub target: String,
    /// A host path (`.`, `./src`, `/srv/app`, `~/x`), not a named volume.
    pub bind: bool,
    pub node: &'a Node,
}

/// The `volumes:` of a service.
pub fn mounts(svc: &Node) -> Vec<Mount<'_>> {
    let trim = |t: &str| {
        let t = t.trim();
        if t.len() > 1 {
            t.trim_end_matches('/').to_string()
        } else {
            t.to_string()
        }
    };
    let mut out = Vec::new();
    for v in svc.get("volumes").map(|v| v.items()).unwrap_or(&[]) {
        let (source, target, kind) = match v.as_str() {
            Some(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                match parts.len() {
                    0 => continue,
                    1 => (None, parts[0].to_string(), None),
                    _ => (Some(parts[0].to_string()), parts[1].to_string(), None),
                }
            }
            None => (
                v.get("source").and_then(Node::as_str).map(String::from),
                v.get("target")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                v.get("type").and_then(Node::as_str),
            ),
        };
        if target.is_empty() {
            continue;
        }
        let bind = match kind {
            Some(k) => k == "bind",
            None => source
                .as_deref()
                .is_some_and(|s| s.starts_with('.') || s.starts_with('/') || s.starts_with('~')),
        };
        out.push(Mount {
            source,
            target: trim(&target),
            bind,
            node: v,
        });
    }
    out
}

/// A service's `env_file:` entries: the path as written and its node (string, list of
/// strings, or list of `{path, required}`).
pub fn env_file_entries(svc: &Node) -> Vec<(&str, &Node)> {
    let Some(ef) = svc.get("env_file") else {
        return Vec::new();
    };
    match ef.as_str() {
        Some(s) => vec![(s, ef)],
        None => ef
            .items()
            .iter()
            .filter_map(|n| {
                n.as_str()
                    .or_else(|| n.get("path").and_then(Node::as_str))
                    .map(|s| (s, n))
            })
            .collect(),
    }
}

/// The major version of a PostgreSQL image (`postgres:18.1-alpine`, `postgis/postgis:16-3.4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgMajor {
    Known(u32),
    /// No tag or `latest`: the newest release (18 since September 2025).
    Latest,
    /// A tag djship cannot read (`${PG_VERSION}`, `alpine`).
    Unknown,
}

pub fn postgres_major(image: &str) -> PgMajor {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((_, tag)) = last.split_once(':') else {
        return PgMajor::Latest;
    };
    // Compose interpolation with a default: `postgres:${PG_VERSION:-16}`.
    let tag = match (tag.find(":-"), tag.starts_with("${")) {
        (Some(i), true) => tag[i + 2..].trim_end_matches('}'),
        (_, true) => return PgMajor::Unknown,
        _ => tag,
    };
    if tag == "latest" {
        return PgMajor::Latest;
    }
    let digits: String = tag.chars().take_while(|c| c.is_ascii_digit()).collect();
    match digits.parse() {
        Ok(n) => PgMajor::Known(n),
        Err(_) => PgMajor::Unknown,
    }
}

/// Alias bombs are refused by saphyr's expansion budget (reported as a parse error).
const MAX_BYTES: usize = 4 << 20;

/// Parse the first YAML document. `Ok(None)` for an empty file.
pub fn parse(src: &Source) -> Result<Option<Node>, (Range<usize>, String)> {
    let text = &src.text;
    if text.len() > MAX_BYTES {
        return Err((0..0, "the file is larger than 4 MiB".into()));
    }
    let docs = crate::contain::contain(|| MarkedYamlOwned::load_from_str(text))
        .ok_or_else(|| (0..0, "the YAML parser failed on this file".to_string()))?
        .map_err(|e| {
            let at = src.byte_of_char(e.marker().index());
            (at..at, e.info().to_string())
        })?;
    Ok(docs.into_iter().next().map(|d| convert(src, &d, 0)))
}

fn scalar_text(s: &ScalarOwned) -> String {
    match s {
        ScalarOwned::Null => String::new(),
        ScalarOwned::Boolean(b) => b.to_string(),
        ScalarOwned::Integer(i) => i.to_string(),
        ScalarOwned::FloatingPoint(f) => f.to_string(),
        ScalarOwned::String(s) => s.clone(),
    }
}

fn convert(src: &Source, y: &MarkedYamlOwned, depth: usize) -> Node {
    let start = src.byte_of_char(y.span.start.index());
    let end = src.byte_of_char(y.span.end.index()).max(start);
    let span = start..end;
    if depth > 64 {
        return Node {
            value: Value::Null,
            span,
        };
    }
    let value = match &y.data {
        YamlDataOwned::Value(ScalarOwned::Null) => Value::Null,
        YamlDataOwned::Value(s) => Value::Scalar(scalar_text(s)),
        YamlDataOwned::Representation(s, _, _) => Value::Scalar(s.clone()),
        YamlDataOwned::Sequence(items) => {
            Value::Seq(items.iter().map(|i| convert(src, i, depth + 1)).collect())
        }
        YamlDataOwned::Mapping(m) => {
            let mut entries: Vec<(String, Range<usize>, Node)> = Vec::new();
            let mut merged: Vec<(String, Range<usize>, Node)> = Vec::new();
            for (k, v) in m.iter() {
                let key = convert(src, k, depth + 1);
                let value = convert(src, v, depth + 1);
                let name = key.as_str().unwrap_or_default().to_string();
                if name == "<<" {
                    // Merge keys: one mapping or a list of them; explicit keys win.
                    let maps: Vec<&Node> = match &value.value {
                        Value::Map(_) => vec![&value],
                        Value::Seq(s) => s.iter().collect(),
                        _ => Vec::new(),
                    };
                    for m in maps {
                        for e in m.entries() {
                            if !merged.iter().any(|x| x.0 == e.0) {
                                merged.push(e.clone());
                            }
                        }
                    }
                } else {
                    entries.push((name, key.span, value));
                }
            }
            for e in merged {
                if !entries.iter().any(|x| x.0 == e.0) {
                    entries.push(e);
                }
            }
            Value::Map(entries)
        }
        YamlDataOwned::Tagged(_, inner) => return convert(src, inner, depth + 1),
        YamlDataOwned::Alias(_) | YamlDataOwned::BadValue => Value::Null,
    };
    Node { value, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_merge_keys_and_roles() {
        let src = Source::new(
            "compose.prod.yaml",
            "x-base: &base\n  restart: always\nservices:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n  web:\n    <<: *base\n    command: [\"gunicorn\", \"app.wsgi\"]\n",
        );
        let f = ComposeFile::parse(&src);
        assert_eq!(f.role, Role::Production);
        let services: Vec<_> = f.services().collect();
        assert_eq!(services.len(), 2);
        let db = services[0].2;
        let ports = db.get("ports").unwrap();
        let p = src.position(ports.items()[0].span.start);
        assert_eq!((p.line, p.column), (6, 13));
        let web = services[1].2;
        assert_eq!(web.get("restart").and_then(Node::as_str), Some("always"));
        assert_eq!(web.get("command").unwrap().joined(), "gunicorn app.wsgi");
        assert_eq!(role("docker-compose.yml"), Role::Default);
        assert_eq!(role("docker-compose.override.yml"), Role::Development);
        assert_eq!(role("compose.dev.yaml"), Role::Development);
        assert_eq!(role("Dockerfile.dev"), Role::Development);
        assert_eq!(role("prod.Dockerfile"), Role::Production);
        assert_eq!(role("compose/local/django/Dockerfile"), Role::Development);
        assert_eq!(
            role("compose/production/django/Dockerfile"),
            Role::Production
        );
        assert_eq!(role("dev/Dockerfile.prod"), Role::Production);
        assert_eq!(role("docker/Dockerfile"), Role::Default);
    }

    #[test]
    fn postgres_versions_and_mounts() {
        assert_eq!(postgres_major("postgres:18"), PgMajor::Known(18));
        assert_eq!(
            postgres_major("docker.io/library/postgres:18.1-alpine"),
            PgMajor::Known(18)
        );
        assert_eq!(postgres_major("postgis/postgis:16-3.4"), PgMajor::Known(16));
        assert_eq!(postgres_major("postgres"), PgMajor::Latest);
        assert_eq!(postgres_major("postgres:latest"), PgMajor::Latest);
        assert_eq!(postgres_major("postgres:${PG:-17}"), PgMajor::Known(17));
        assert_eq!(postgres_major("postgres:${PG}"), PgMajor::Unknown);
        assert_eq!(postgres_major("localhost:5000/postgres"), PgMajor::Latest);
        let src = Source::new(
            "compose.yaml",
            "services:\n  web:\n    volumes:\n      - .:/app/\n      - data:/data\n      - /anon\n      - {type: bind, source: ./src, target: /code}\n      - {type: volume, source: ./x, target: /v}\n",
        );
        let f = ComposeFile::parse(&src);
        let (_, _, web) = f.services().next().unwrap();
        let m: Vec<(Option<String>, String, bool)> = mounts(web)
            .into_iter()
            .map(|m| (m.source, m.target, m.bind))
            .collect();
        assert_eq!(
            m,
            vec![
                (Some(".".into()), "/app".into(), true),
                (Some("data".into()), "/data".into(), false),
                (None, "/anon".into(), false),
                (Some("./src".into()), "/code".into(), true),
                (Some("./x".into()), "/v".into(), false),
            ]
        );
    }

    #[test]
    fn errors_have_positions() {
        let src = Source::new("compose.yaml", "services:\n  web: [\n");
        let f = ComposeFile::parse(&src);
        assert!(f.root.is_none());
        let (at, msg) = f.error.unwrap();
        assert!(!msg.is_empty());
        assert!(src.position(at.start).line >= 2);
    }
}

//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fresh copy of a fixture in a temporary folder (named after the fixture).
pub fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join(name);
    copy_dir(&fixtures().join(name), &dest);
    (tmp, dest)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

pub fn djship() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("djship").unwrap()
}

/// `djship init ARGS DIR`, which must succeed (its stderr is the failure's message); its
/// standard output.
pub fn init_ok(dir: &Path, args: &[&str]) -> String {
    let out = djship().arg("init").args(args).arg(dir).output().unwrap();
    assert!(
        out.status.success(),
        "djship init {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `djship inspect --json` of a folder, parsed.
pub fn inspect_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = djship()
        .arg("inspect")
        .arg(dir)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "inspect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// When set, a missing external tool fails the test instead of skipping it (CI sets it).
pub fn tools_required() -> bool {
    std::env::var_os("DJSHIP_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

/// Find an external tool on PATH (or in the tools virtualenv .ci/run makes).
pub fn tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(v) = std::env::var_os("DJSHIP_TOOLS_VENV") {
        dirs.push(PathBuf::from(v).join("bin"));
    }
    if let Some(p) = std::env::var_os("PATH") {
        // pyenv shims pick a Python from the working folder's .python-version (a fixture's).
        dirs.extend(std::env::split_paths(&p).filter(|d| !d.ends_with("shims")));
    }
    dirs.push("/usr/sbin".into());
    let found = dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file());
    if found.is_none() {
        assert!(
            !tools_required(),
            "{name} is required (DJSHIP_REQUIRE_TOOLS=1) but not found"
        );
        eprintln!("skipped: {name} not found (set DJSHIP_REQUIRE_TOOLS=1 to make this an error)");
    }
    found
}

pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Fixtures that are Django projects (the others test errors).
pub const PROJECT_FIXTURES: &[&str] = &[
    "requirements-nested",
    "split-settings-celery",
    "poetry-mysql",
    "uv-channels",
    "pipenv-gis",
    "pdm-ldap",
    "frontend-webpack",
];

/// Make a project with a scaffolding command from PyPI (`django-admin startproject`,
/// `wagtail start`) in `parent/name`; `None` (skipped) when the tool is missing.
fn scaffold(tool_name: &str, verb: &str, parent: &Path, name: &str) -> Option<PathBuf> {
    let bin = tool(tool_name)?;
    let dir = parent.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let (ok, out) = run(Command::new(bin).args([verb, "mysite"]).arg(&dir));
    assert!(ok, "{tool_name} {verb} failed: {out}");
    Some(dir)
}

/// A project made by `django-admin startproject` (real Django from PyPI).
pub fn startproject(parent: &Path, name: &str) -> Option<PathBuf> {
    scaffold("django-admin", "startproject", parent, name)
}

/// A project made by `wagtail start` (real Wagtail from PyPI).
pub fn wagtail_start(parent: &Path, name: &str) -> Option<PathBuf> {
    scaffold("wagtail", "start", parent, name)
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fenced ```Dockerfile blocks of a markdown text.
pub fn dockerfile_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        let t = line.trim();
        match &mut cur {
            None if t.eq_ignore_ascii_case("```dockerfile") => cur = Some(String::new()),
            Some(block) if t == "```" => {
                out.push(std::mem::take(block));
                cur = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

/// The seed guides' folder: `$DJSHIP_SEEDS`, else `../shared/seeds` beside the repository.
/// They are not part of the repository: `None` where they are not present, after saying
/// plainly that the test is skipped (a fresh clone has no seeds; their mistakes are
/// reproduced in tests/fixtures/lint-mistakes/, which every run checks).
pub fn seeds_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DJSHIP_SEEDS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds"));
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!(
        "skipped: the seeds are not present at {} (set DJSHIP_SEEDS to their folder to run this test)",
        dir.display()
    );
    None
}

/// The example files of the seed guides in `dir` (see [`seeds_dir`]): (seed file prefix,
/// file name the example is for, text). Fenced ```dockerfile and ```yaml/```yml blocks with
/// `services:`, the unlabelled block under a ".dockerignore" heading, and indented blocks
/// under a heading that is a file name (seed 003's style).
pub fn seed_examples(dir: &Path) -> Vec<(String, String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the seeds at {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let seed = f.file_name().unwrap().to_string_lossy()[..3].to_string();
        let text = read(&f);
        let lines: Vec<&str> = text.lines().collect();
        let mut heading: Option<String> = None;
        let mut i = 0;
        while i < lines.len() {
            let t = lines[i].trim();
            let fence = t.strip_prefix("```").map(|l| l.to_ascii_lowercase());
            if let Some(lang) = fence.filter(|_| !lines[i].starts_with("    ")) {
                let mut body = String::new();
                i += 1;
                while i < lines.len() && lines[i].trim() != "```" {
                    body.push_str(lines[i]);
                    body.push('\n');
                    i += 1;
                }
                let name = match lang.as_str() {
                    "dockerfile" => Some("Dockerfile"),
                    "yaml" | "yml" if body.contains("services:") => Some("docker-compose.yml"),
                    "" if heading.as_deref() == Some(".dockerignore") => Some(".dockerignore"),
                    _ => None,
                };
                if let Some(n) = name {
                    out.push((seed.clone(), n.to_string(), body));
                }
                heading = None;
            } else if let Some(h) = t.strip_prefix("## ") {
                heading = Some(h.trim().to_string());
            } else if lines.get(i + 1).is_some_and(|n| n.starts_with("---")) && !t.is_empty() {
                heading = Some(t.to_string());
            } else if lines[i].starts_with("    ")
                && heading
                    .as_deref()
                    .is_some_and(|h| h == "Dockerfile" || h.starts_with("docker-compose"))
            {
                let mut body = String::new();
                while i < lines.len()
                    && (lines[i].starts_with("    ") || lines[i].trim().is_empty())
                {
                    body.push_str(lines[i].strip_prefix("    ").unwrap_or(""));
                    body.push('\n');
                    i += 1;
                }
                out.push((
                    seed.clone(),
                    heading.take().unwrap(),
                    body.trim_end().to_string() + "\n",
                ));
                continue;
            }
            i += 1;
        }
    }
    out
}

/// The codes of `djship lint --format json` output, in order.
pub fn finding_codes(json: &[u8]) -> (serde_json::Value, Vec<String>) {
    let v: serde_json::Value = serde_json::from_slice(json)
        .unwrap_or_else(|e| panic!("not lint JSON ({e}): {}", String::from_utf8_lossy(json)));
    let codes = v
        .as_array()
        .expect("a JSON array of findings")
        .iter()
        .map(|f| f["code"].as_str().expect("a code").to_string())
        .collect();
    (v, codes)
}

/// hadolint on the Dockerfile `djship init` wrote in `dir`: no finding at all.
pub fn hadolint(dir: &Path) {
    let Some(h) = tool("hadolint") else { return };
    let (ok, out) = run(Command::new(h)
        .arg("--no-color")
        .arg(dir.join("Dockerfile")));
    assert!(
        ok && out.trim().is_empty(),
        "hadolint found problems in {}:\n{out}",
        dir.display()
    );
}

/// `docker compose config` accepts the compose files `djship init` wrote in `dir` (the
/// compose target's two; other targets write none).
pub fn compose_config(dir: &Path) {
    let files: Vec<&str> = ["compose.yaml", "compose.prod.yaml"]
        .into_iter()
        .filter(|f| dir.join(f).is_file())
        .collect();
    if files.is_empty() {
        return;
    }
    let Some(c) = tool("docker-compose") else {
        return;
    };
    for file in files {
        let (ok, out) = run(Command::new(&c)
            .current_dir(dir)
            .args(["-f", file, "config", "--quiet"]));
        assert!(
            ok,
            "docker compose config rejects {}/{file}:\n{out}",
            dir.display()
        );
    }
}

/// `nginx -t` on the generated server block, inside a minimal main config (as the official
/// image includes conf.d/*.conf inside `http {}`).
///
/// Two things stand in for the container: the files compose mounts under /etc/nginx/tls are
/// read from where compose.prod.yaml mounts them from, and where this machine's nginx
/// predates 1.25.1 (Debian 12 has 1.22) the `http2 on;` directive of newer images is given
/// in the `listen` form that version knows (the rest of the file is checked as written).
pub fn nginx_t(dir: &Path) {
    if !dir.join("docker/nginx/default.conf").is_file() {
        return;
    }
    let Some(nginx) = tool("nginx") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let main = tmp.path().join("nginx.conf");
    let mut conf = std::fs::read_to_string(dir.join("docker/nginx/default.conf")).unwrap();
    // Where the stack mounts the TLS files from: compose binds them, Swarm's configs and
    // secrets name their files.
    let compose = std::fs::read_to_string(dir.join("compose.prod.yaml")).unwrap_or_default();
    let stack = std::fs::read_to_string(dir.join("stack.yaml")).unwrap_or_default();
    if !stack.is_empty() {
        for (target, file) in [
            ("/etc/nginx/tls/cert.pem", "docker/tls/cert.pem"),
            ("/etc/nginx/tls/key.pem", "docker/tls/key.pem"),
        ] {
            if stack.contains(target) && dir.join(file).is_file() {
                conf = conf.replace(target, &dir.join(file).display().to_string());
            }
        }
    }
    for line in compose.lines() {
        let Some(m) = line.trim().strip_prefix("- ./") else {
            continue;
        };
        let Some((host, rest)) = m.split_once(':') else {
            continue;
        };
        let target = rest.trim_end_matches(":ro");
        if target.starts_with("/etc/nginx/tls/") {
            conf = conf.replace(target, &dir.join(host).display().to_string());
        }
    }
    let version = run(Command::new(&nginx).arg("-v")).1;
    let old = version.contains("nginx/1.") && {
        let v: Vec<u32> = version
            .split("nginx/")
            .nth(1)
            .unwrap_or("")
            .trim()
            .split('.')
            .map(|p| p.trim().parse().unwrap_or(0))
            .collect();
        v.get(1).copied().unwrap_or(0) < 25
            || (v.get(1) == Some(&25) && v.get(2).copied().unwrap_or(0) < 1)
    };
    if old && conf.contains("    http2 on;") {
        conf = conf.replace("    http2 on;\n", "").replace(
            "listen 443 ssl default_server;",
            "listen 443 ssl http2 default_server;",
        );
    }
    let server = tmp.path().join("default.conf");
    std::fs::write(&server, conf).unwrap();
    std::fs::write(
        &main,
        format!(
            "pid {pid};\nerror_log stderr;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {t}/body;\n  proxy_temp_path {t}/proxy;\n  include {conf};\n}}\n",
            pid = tmp.path().join("nginx.pid").display(),
            t = tmp.path().display(),
            conf = server.display()
        ),
    )
    .unwrap();
    let (ok, out) = run(Command::new(nginx)
        .args(["-t", "-q", "-e", "stderr", "-p"])
        .arg(tmp.path())
        .arg("-c")
        .arg(&main));
    assert!(
        ok,
        "nginx -t rejects {}/docker/nginx/default.conf:\n{out}",
        dir.display()
    );
}

/// `docker stack config` on the Swarm stack file (when there is one): the docker client's
/// own loader and schema, with the variables deploy sets. Needs a client from Docker 23 on
/// (swarm jobs): `$DJSHIP_STACK_DOCKER`, else the first `docker` on PATH that has it.
pub fn stack_config(dir: &Path) {
    if !dir.join("stack.yaml").is_file() {
        return;
    }
    let candidates: Vec<PathBuf> = match std::env::var_os("DJSHIP_STACK_DOCKER") {
        Some(d) => vec![PathBuf::from(d)],
        None => std::env::var_os("PATH")
            .map(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join("docker"))
                    .filter(|p| p.is_file())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let Some(docker) = candidates.into_iter().find(|d| {
        Command::new(d)
            .args(["stack", "config", "--help"])
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        assert!(
            !tools_required(),
            "a docker client with `docker stack config` (Docker 23+) is required (DJSHIP_REQUIRE_TOOLS=1)"
        );
        eprintln!("skipped: no docker client with `docker stack config`");
        return;
    };
    let (ok, out) = run(Command::new(&docker)
        .current_dir(dir)
        .env("DJSHIP_IMAGE", "registry.example.com/app")
        .env("DJSHIP_TAG", "v1")
        .args(["stack", "config", "-c", "stack.yaml"]));
    assert!(
        ok,
        "docker stack config rejects {}/stack.yaml:\n{out}",
        dir.display()
    );
    assert!(
        out.contains("replicated-job") && out.contains("registry.example.com/app:v1"),
        "{out}"
    );
}

/// Every check by the real tools on what `djship init` wrote in `dir`.
pub fn check(dir: &Path) {
    hadolint(dir);
    compose_config(dir);
    nginx_t(dir);
    stack_config(dir);
}

/// A YAML node as JSON (the manifests use no anchors or tags).
pub fn to_json(y: &saphyr::Yaml) -> serde_json::Value {
    match y {
        saphyr::Yaml::Value(saphyr::Scalar::Null) => serde_json::Value::Null,
        saphyr::Yaml::Value(saphyr::Scalar::Boolean(b)) => serde_json::json!(b),
        saphyr::Yaml::Value(saphyr::Scalar::Integer(i)) => serde_json::json!(i),
        saphyr::Yaml::Value(saphyr::Scalar::FloatingPoint(f)) => serde_json::json!(f.into_inner()),
        saphyr::Yaml::Value(saphyr::Scalar::String(s)) => serde_json::json!(s.as_ref()),
        saphyr::Yaml::Sequence(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect())
        }
        saphyr::Yaml::Mapping(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match to_json(k) {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        other => panic!("unexpected YAML node {other:?}"),
    }
}

/// A YAML document (the first) read into `T` through the JSON data model.
pub fn from_yaml<T: serde::de::DeserializeOwned>(text: &str) -> T {
    use saphyr::LoadableYamlNode;
    let docs = saphyr::Yaml::load_from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    let doc = docs
        .first()
        .unwrap_or_else(|| panic!("no YAML document:\n{text}"));
    serde_json::from_value(to_json(doc)).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

/// The end-to-end tests run only with DJSHIP_E2E=1 (they need a Docker engine).
pub fn e2e_enabled() -> bool {
    let on = std::env::var("DJSHIP_E2E").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("skipped: set DJSHIP_E2E=1 to run the end-to-end tests on the Docker engine");
    }
    on
}

/// The docker client with BuildKit: $DOCKER, else Debian's.
pub fn docker_bin() -> PathBuf {
    std::env::var_os("DOCKER")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/docker".into())
}

/// `docker ARGS` (BuildKit on): success and output.
pub fn docker(args: &[&str]) -> (bool, String) {
    run(Command::new(docker_bin())
        .args(args)
        .env("DOCKER_BUILDKIT", "1"))
}

/// The output of a command that must succeed; its output in the failure otherwise.
pub fn must(what: &str, (ok, out): (bool, String)) -> String {
    assert!(ok, "{what} failed:\n{out}");
    out
}

/// Build the stand-in base images (tests/e2e/images; no registry is reachable), idempotently.
pub fn base_images() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/images/build.sh");
    must(
        "building the stand-in base images",
        run(Command::new("bash").arg(script).env("DOCKER", docker_bin())),
    );
}

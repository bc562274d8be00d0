//! The CI pipelines `djship init --ci` writes: each passes its validator (actionlint and
//! zizmor for GitHub Actions, GitLab's JSON schema through check-jsonschema, npm-groovy-lint
//! for the Jenkinsfile, shellcheck for every shell step), and does what it promises (read
//! from the parsed files): the image built once with a layer cache, the three manage.py
//! steps in that image against the plan's database, secrets generated per run, lint SARIF
//! to code scanning, a push tagged with the commit SHA on the default branch only, minimal
//! permissions and actions pinned by commit. With DJSHIP_E2E=1 the GitHub test job's own
//! steps run on the engine for a `django-admin startproject` project.

mod common;

use common::*;
use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const ALL: &str = "github,gitlab,jenkins";
const WORKFLOW: &str = ".github/workflows/djship.yml";

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(b)) => json!(b),
        Yaml::Value(Scalar::Integer(i)) => json!(i),
        Yaml::Value(Scalar::FloatingPoint(f)) => json!(f.into_inner()),
        Yaml::Value(Scalar::String(s)) => json!(s.as_ref()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        other => panic!("unexpected YAML node {other:?}"),
    }
}

fn yaml(p: &Path) -> Value {
    let docs = Yaml::load_from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert_eq!(docs.len(), 1, "{}: one YAML document", p.display());
    to_json(&docs[0])
}

/// A generated project: its folder and its plan (`inspect --json`).
struct Case {
    name: String,
    dir: PathBuf,
    plan: Value,
}

fn init(dir: &Path, args: &[&str]) {
    let out = djship()
        .arg("init")
        .arg(dir)
        .args(["--ci", ALL])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "djship init --ci failed on {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every fixture project, and a startproject as it is and with --patch-settings, with the
/// three pipelines written.
fn cases(tmp: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    for name in PROJECT_FIXTURES {
        let dir = tmp.join(name);
        copy_dir(&fixtures().join(name), &dir);
        init(&dir, &[]);
        out.push(Case {
            name: name.to_string(),
            plan: inspect_json(&dir, &[])["plan"].clone(),
            dir,
        });
    }
    for (name, args) in [
        ("startproject", &[][..]),
        ("startproject-patched", &["--patch-settings"][..]),
    ] {
        if let Some(dir) = startproject(tmp, name) {
            init(&dir, args);
            out.push(Case {
                name: name.into(),
                plan: inspect_json(&dir, &[])["plan"].clone(),
                dir,
            });
        }
    }
    out
}

fn with_cases(f: impl FnOnce(&[Case])) {
    let tmp = tempfile::tempdir().unwrap();
    let cases = cases(tmp.path());
    f(&cases);
}

fn files(cases: &[Case], file: &str) -> Vec<PathBuf> {
    cases.iter().map(|c| c.dir.join(file)).collect()
}

#[test]
fn github_workflows_pass_actionlint_and_zizmor() {
    with_cases(actionlint_and_zizmor);
}

fn actionlint_and_zizmor(cases: &[Case]) {
    let workflows = files(cases, WORKFLOW);
    if let Some(actionlint) = tool("actionlint") {
        let (ok, out) = run(Command::new(actionlint).args(&workflows));
        assert!(ok, "actionlint:\n{out}");
    }
    if let Some(zizmor) = tool("zizmor") {
        // Offline: the audits that ask GitHub's API (known-vulnerable action versions)
        // cannot run here. Pedantic: every audit, the undocumented permission too.
        let (ok, out) = run(Command::new(zizmor)
            .args(["--offline", "--no-progress", "--persona", "pedantic"])
            .args(&workflows));
        assert!(ok && out.contains("No findings"), "zizmor:\n{out}");
    }
}

#[test]
fn gitlab_pipelines_match_gitlabs_schema() {
    with_cases(gitlab_schema);
}

fn gitlab_schema(cases: &[Case]) {
    let Some(cj) = tool("check-jsonschema") else {
        return;
    };
    let (ok, out) = run(Command::new(cj)
        .args(["--builtin-schema", "vendor.gitlab-ci"])
        .args(files(cases, ".gitlab-ci.yml")));
    assert!(ok, "check-jsonschema (GitLab CI schema):\n{out}");
}

#[test]
fn jenkinsfiles_pass_npm_groovy_lint() {
    with_cases(groovy_lint);
}

fn groovy_lint(cases: &[Case]) {
    let Some(lint) = tool("npm-groovy-lint") else {
        return;
    };
    // --noserver: no CodeNarc server left running; --no-insight: no telemetry (it runs
    // offline: CodeNarc is in the npm package, Java is the system's).
    let (ok, out) = run(Command::new(lint)
        .args([
            "--noserver",
            "--no-insight",
            "--failon",
            "warning",
            "--output",
            "txt",
        ])
        .args(files(cases, "Jenkinsfile")));
    assert!(ok, "npm-groovy-lint:\n{out}");
    // Its summary, without the terminal's colours.
    let mut plain = String::new();
    let mut esc = false;
    for ch in out.chars() {
        match (esc, ch) {
            (false, '\u{1b}') => esc = true,
            (true, 'm') => esc = false,
            (true, _) => {}
            (false, c) => plain.push(c),
        }
    }
    assert!(
        plain.contains(&format!("results in {} linted files", cases.len())),
        "npm-groovy-lint did not lint every Jenkinsfile:\n{out}"
    );
}

/// The shell of every step: (where, shell, script). GitHub's run with bash; GitLab's
/// (docker:cli, busybox) and Jenkins' (`sh`, dash on Debian agents) with a POSIX sh.
fn scripts(c: &Case) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    let wf = yaml(&c.dir.join(WORKFLOW));
    for (job, j) in wf["jobs"].as_object().unwrap() {
        for (i, s) in j["steps"].as_array().unwrap().iter().enumerate() {
            if let Some(r) = s["run"].as_str() {
                out.push((format!("github {job} step {i}"), "bash", r.to_string()));
            }
        }
    }
    let gl = yaml(&c.dir.join(".gitlab-ci.yml"));
    for (job, j) in gl.as_object().unwrap() {
        for key in ["before_script", "script", "after_script"] {
            if let Some(lines) = j[key].as_array() {
                let all: Vec<&str> = lines.iter().map(|l| l.as_str().unwrap()).collect();
                out.push((format!("gitlab {job} {key}"), "sh", all.join("\n")));
            }
        }
    }
    let jf = read(&c.dir.join("Jenkinsfile"));
    for (i, part) in jf.split("sh '''").skip(1).enumerate() {
        let body = part.split("'''").next().unwrap();
        out.push((
            format!("jenkins sh block {i}"),
            "sh",
            body.replace("\\\\", "\\"),
        ));
    }
    out
}

#[test]
fn every_shell_step_passes_shellcheck() {
    with_cases(shellcheck);
}

fn shellcheck(cases: &[Case]) {
    let Some(sc) = tool("shellcheck") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for c in cases {
        for (i, (what, shell, script)) in scripts(c).into_iter().enumerate() {
            let f = tmp.path().join(format!("{}-{i}.sh", c.name));
            std::fs::write(&f, &script).unwrap();
            // SC2016: `${{ ... }}`-free single-quoted `$VAR` are for the container's
            // shell (the health check), not this one.
            let (ok, out) = run(Command::new(&sc)
                .args(["-s", shell, "-e", "SC2016"])
                .arg(&f));
            assert!(ok, "{}: {what}:\n{script}\n{out}", c.name);
        }
    }
}

/// `uses:` of every step of a workflow.
fn uses(wf: &Value) -> Vec<String> {
    wf["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|j| j["steps"].as_array().unwrap().clone())
        .filter_map(|s| s["uses"].as_str().map(String::from))
        .collect()
}

fn step<'a>(job: &'a Value, uses_prefix: &str) -> Vec<&'a Value> {
    job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with(uses_prefix))
        })
        .collect()
}

/// The values of `.env` that are secrets (generated passwords and keys): none may be in a
/// pipeline.
fn env_secrets(c: &Case) -> Vec<String> {
    let env = read(&c.dir.join(".env"));
    let secret_names: Vec<&str> = c.plan["env"]["vars"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["generate"].is_string())
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    env.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, v)| secret_names.contains(k) && v.len() >= 16)
        .map(|(_, v)| v.to_string())
        .collect()
}

/// The three manage.py steps: each runs in the built image, on the services' network, with
/// the generated environment; the services start first.
fn assert_checks_in_image(what: &str, c: &Case, scripts: &[String]) {
    let pos = |needle: &str| {
        scripts
            .iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("{what} {}: no step runs {needle:?}", c.name))
    };
    let start = pos("docker network create");
    if let Some(db) = c.plan["database"].as_object() {
        let s = &scripts[start];
        assert!(
            s.contains(&format!(
                "--network-alias {}",
                db["service"].as_str().unwrap()
            )),
            "{what} {}: the database is not reachable by the plan's name:\n{s}",
            c.name
        );
        assert!(
            s.contains(db["image"].as_str().unwrap()),
            "{what} {}: not the plan's database image:\n{s}",
            c.name
        );
        assert!(s.contains("= healthy"), "{what}: no wait for health:\n{s}");
    }
    if c.plan["redis"] == true {
        assert!(
            scripts[start].contains("--network-alias redis"),
            "{what} {}: the plan has Redis but the pipeline does not start it",
            c.name
        );
    }
    let test_cmd: Vec<String> = c.plan["tests"]["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    for needle in [
        "python manage.py check --deploy".to_string(),
        "python manage.py makemigrations --check --dry-run".to_string(),
        test_cmd.join(" "),
    ] {
        let i = pos(&needle);
        let s = &scripts[i];
        assert!(
            i > start,
            "{what} {}: {needle} runs before the services",
            c.name
        );
        for part in [
            "docker run --rm",
            "--network \"$DJSHIP_CI_NET\"",
            "--env-file \"$DJSHIP_CI_ENV\"",
            "\"$DJSHIP_CI_IMAGE\"",
        ] {
            assert!(
                s.contains(part),
                "{what} {}: {needle} lacks {part}:\n{s}",
                c.name
            );
        }
    }
    // Secrets are generated by the run, never taken from the committed files.
    let env_step = &scripts[pos("> \"$DJSHIP_CI_ENV\"")];
    for v in c.plan["env"]["vars"].as_array().unwrap() {
        if v["generate"].is_string() {
            let name = v["name"].as_str().unwrap();
            assert!(
                env_step.contains(&format!("{name}=$(head -c 32 /dev/urandom")),
                "{what} {}: {name} is not generated per run:\n{env_step}",
                c.name
            );
        }
    }
}

#[test]
fn github_workflow_does_what_it_promises() {
    with_cases(github_promises);
}

fn github_promises(cases: &[Case]) {
    for c in cases {
        let path = c.dir.join(WORKFLOW);
        let text = read(&path);
        let wf = yaml(&path);
        let jobs = wf["jobs"].as_object().unwrap();
        // Least privilege: nothing at the top; each job its own, write only where needed.
        assert_eq!(wf["permissions"], json!({}), "{}", c.name);
        let perms = |job: &str| jobs[job]["permissions"].clone();
        assert_eq!(perms("test"), json!({"contents": "read"}), "{}", c.name);
        assert_eq!(
            perms("lint"),
            json!({"contents": "read", "security-events": "write"})
        );
        assert_eq!(
            perms("push"),
            json!({"contents": "read", "packages": "write"})
        );
        // Every action pinned by a full commit, with its version in a comment.
        for u in uses(&wf) {
            let (_, sha) = u.split_once('@').unwrap();
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{}: {u} is not pinned by commit",
                c.name
            );
            let line = text.lines().find(|l| l.contains(&u)).unwrap();
            assert!(
                line.contains(" # v"),
                "{}: {u} has no version comment",
                c.name
            );
        }
        // Checkouts keep no token in .git/config.
        for j in jobs.values() {
            for s in step(j, "actions/checkout@") {
                assert_eq!(s["with"]["persist-credentials"], false, "{}", c.name);
            }
            // No expression inside a shell script (template injection).
            for s in j["steps"].as_array().unwrap() {
                if let Some(r) = s["run"].as_str() {
                    assert!(!r.contains("${{"), "{}: expression in run:\n{r}", c.name);
                }
            }
        }
        // Build: BuildKit with the Actions cache, loaded for the checks, not pushed.
        let test = &jobs["test"];
        let build = step(test, "docker/build-push-action@");
        assert_eq!(build.len(), 1, "{}", c.name);
        assert_eq!(build[0]["with"]["load"], true);
        assert_eq!(build[0]["with"]["push"], false);
        assert_eq!(build[0]["with"]["cache-from"], "type=gha");
        assert!(step(test, "docker/setup-buildx-action@").len() == 1);
        let tag = build[0]["with"]["tags"].as_str().unwrap();
        assert_eq!(test["env"]["DJSHIP_CI_IMAGE"], tag, "{}", c.name);
        let runs: Vec<String> = test["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str().map(String::from))
            .collect();
        assert_checks_in_image("github", c, &runs);
        let last = test["steps"].as_array().unwrap().last().unwrap();
        assert_eq!(
            last["if"], "always()",
            "{}: cleanup must always run",
            c.name
        );
        // Lint: SARIF written by djship (pinned, installed as a user would) and uploaded
        // even when lint fails.
        let lint = &jobs["lint"];
        let lint_run = lint["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|s| s["run"].as_str())
            .unwrap();
        assert!(
            lint_run.contains(&format!("djship=={}", env!("CARGO_PKG_VERSION")))
                && lint_run.contains("djship lint --format sarif . > djship-lint.sarif"),
            "{}: {lint_run}",
            c.name
        );
        let upload = step(lint, "github/codeql-action/upload-sarif@");
        assert_eq!(upload.len(), 1);
        assert_eq!(upload[0]["with"]["sarif_file"], "djship-lint.sarif");
        assert_eq!(upload[0]["if"], "${{ !cancelled() }}");
        // Push: the default branch only, after test and lint, tagged with the SHA.
        let push = &jobs["push"];
        assert_eq!(push["needs"], json!(["test", "lint"]));
        let cond = push["if"].as_str().unwrap();
        assert!(
            cond.contains("github.event_name == 'push'")
                && cond.contains("github.ref_name == github.event.repository.default_branch"),
            "{}: {cond}",
            c.name
        );
        let pushed = step(push, "docker/build-push-action@");
        assert_eq!(pushed[0]["with"]["push"], true);
        let tags = pushed[0]["with"]["tags"].as_str().unwrap();
        assert!(
            tags.starts_with("${{ steps.image.outputs.name }}:")
                && tags.ends_with(":${{ github.sha }}"),
            "{tags}"
        );
        let login = step(push, "docker/login-action@");
        assert_eq!(login[0]["with"]["registry"], "ghcr.io");
        assert_eq!(login[0]["with"]["password"], "${{ secrets.GITHUB_TOKEN }}");
        // Only the push job can push.
        for (name, j) in jobs {
            if name != "push" {
                for s in step(j, "docker/build-push-action@") {
                    assert_ne!(s["with"]["push"], true, "{}: {name} pushes", c.name);
                }
            }
        }
        for secret in env_secrets(c) {
            assert!(!text.contains(&secret), "{}: a .env secret", c.name);
        }
    }
}

#[test]
fn gitlab_pipeline_does_what_it_promises() {
    with_cases(gitlab_promises);
}

fn gitlab_promises(cases: &[Case]) {
    for c in cases {
        let gl = yaml(&c.dir.join(".gitlab-ci.yml"));
        assert_eq!(gl["stages"], json!(["lint", "test"]), "{}", c.name);
        let test = &gl["test"];
        // The build context is the checkout alone (not lint's artifact).
        assert_eq!(test["dependencies"], json!([]), "{}", c.name);
        let script: Vec<String> = test["script"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        let vars = &test["variables"];
        assert_eq!(vars["DJSHIP_CI_IMAGE"], "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA");
        assert!(
            script[0].contains("--cache-from \"$DJSHIP_CI_CACHE\"")
                && script[0].contains("BUILDKIT_INLINE_CACHE=1")
                && vars["DJSHIP_CI_CACHE"]
                    .as_str()
                    .unwrap()
                    .starts_with("$CI_REGISTRY_IMAGE:"),
            "{}: build without the registry cache: {}",
            c.name,
            script[0]
        );
        assert_checks_in_image("gitlab", c, &script);
        // Every push is inside the default-branch condition, after the checks.
        let pushes: Vec<usize> = script
            .iter()
            .enumerate()
            .filter(|(_, s)| s.contains("docker push"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(pushes, vec![script.len() - 1], "{}", c.name);
        let last = script.last().unwrap();
        let guard = last
            .find("if [ \"$CI_COMMIT_BRANCH\" = \"$CI_DEFAULT_BRANCH\" ]; then")
            .expect("push guarded by the default branch");
        assert!(last.find("docker push").unwrap() > guard);
        assert!(last.trim_end().ends_with("fi"));
        let after = test["after_script"][0].as_str().unwrap();
        assert!(after.contains("docker network rm"), "{after}");
        let lint = gl["lint"]["script"].as_array().unwrap();
        assert!(lint[0]
            .as_str()
            .unwrap()
            .contains(&format!("djship=={}", env!("CARGO_PKG_VERSION"))));
        let text = read(&c.dir.join(".gitlab-ci.yml"));
        for secret in env_secrets(c) {
            assert!(!text.contains(&secret), "{}: a .env secret", c.name);
        }
    }
}

#[test]
fn jenkinsfile_does_what_it_promises() {
    with_cases(jenkins_promises);
}

fn jenkins_promises(cases: &[Case]) {
    for c in cases {
        let text = read(&c.dir.join("Jenkinsfile"));
        assert!(text.contains("pipeline {") && text.contains("agent any"));
        let blocks: Vec<String> = scripts(c)
            .into_iter()
            .filter(|(w, _, _)| w.starts_with("jenkins"))
            .map(|(_, _, s)| s)
            .collect();
        assert_checks_in_image("jenkins", c, &blocks);
        // The push stage runs on main only, with the credential, tagged by commit.
        let push = text.split("stage('Push')").nth(1).expect("a Push stage");
        let push = push.split("post {").next().unwrap();
        assert!(push
            .trim_start()
            .starts_with("{\n            when { branch 'main' }"));
        assert!(push.contains("credentialsId: 'djship-registry'"));
        assert_eq!(
            text.matches("docker push").count(),
            push.matches("docker push").count(),
            "{}: a push outside the main-only stage",
            c.name
        );
        assert!(text.contains(":${env.GIT_COMMIT}\""));
        assert!(text.contains("--cache-from \"$DJSHIP_CI_CACHE\""));
        let post = text.rsplit("post {").next().unwrap();
        assert!(post.contains("always") && post.contains("docker network rm"));
        for secret in env_secrets(c) {
            assert!(!text.contains(&secret), "{}: a .env secret", c.name);
        }
    }
}

/// The projects of the real-world tier (tests/realworld.rs: applications and generated
/// projects from PyPI, none written here), with the three pipelines written: every check
/// above holds on them too. Runs with DJSHIP_REALWORLD=1 or DJSHIP_REQUIRE_TOOLS=1.
#[test]
fn realworld_pipelines_pass_their_validators_and_keep_their_promises() {
    let on = tools_required() || std::env::var("DJSHIP_REALWORLD").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("skipped: the real-world tier needs PyPI; set DJSHIP_REALWORLD=1");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/realworld-fetch");
    let (ok, names) = run(Command::new("bash").arg(&script).arg("--list"));
    assert!(ok, "{names}");
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for name in names.split_whitespace() {
        let out = Command::new("bash")
            .arg(&script)
            .arg(name)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "realworld-fetch {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let src = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let dir = tmp.path().join(name);
        // cp -a: some sdists hold symbolic links whose targets they lack.
        let (ok, out) = run(Command::new("cp").arg("-a").arg(&src).arg(&dir));
        assert!(ok, "{out}");
        // --force: some ship their own Dockerfile, which djship replaces.
        init(&dir, &["--patch-settings", "--force"]);
        cases.push(Case {
            name: name.to_string(),
            plan: inspect_json(&dir, &[])["plan"].clone(),
            dir,
        });
    }
    actionlint_and_zizmor(&cases);
    gitlab_schema(&cases);
    groovy_lint(&cases);
    shellcheck(&cases);
    github_promises(&cases);
    gitlab_promises(&cases);
    jenkins_promises(&cases);
}

#[test]
fn ci_comes_from_the_config_too_and_unknown_names_are_refused() {
    let (_tmp, dir) = fixture("uv-channels");
    let py = dir.join("pyproject.toml");
    let text = read(&py);
    std::fs::write(&py, format!("{text}\n[tool.djship]\nci = [\"gitlab\"]\n")).unwrap();
    let out = djship().arg("init").arg(&dir).output().unwrap();
    assert!(out.status.success());
    assert!(dir.join(".gitlab-ci.yml").is_file());
    assert!(!dir.join(WORKFLOW).exists() && !dir.join("Jenkinsfile").exists());
    // The flag wins over the config, and repeats.
    let out = djship()
        .args(["init", "--ci", "jenkins", "--ci", "github"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(dir.join("Jenkinsfile").is_file() && dir.join(WORKFLOW).is_file());
    std::fs::write(&py, format!("{text}\n[tool.djship]\nci = [\"travis\"]\n")).unwrap();
    let out = djship().arg("init").arg(&dir).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("travis") && err.contains("github, gitlab, jenkins"),
        "{err}"
    );
    let out = djship()
        .args(["init", "--ci", "travis"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

// ---------------------------------------------------------------------------------------
// The GitHub test job's own steps, run on this machine's engine.

fn e2e() -> bool {
    let on = std::env::var("DJSHIP_E2E").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("skipped: set DJSHIP_E2E=1 to run the CI job's steps on the Docker engine");
    }
    on
}

/// Runs a workflow job's steps as GitHub's runner would, on this machine: `run:` steps with
/// `bash --noprofile --norc -eo pipefail`, the job's `env`, `$GITHUB_ENV` carried from step
/// to step, `$RUNNER_TEMP`; docker/build-push-action as `docker build` of its context with
/// its tags (BuildKit; the Actions cache exists only on GitHub); checkout and setup-buildx
/// are the folder itself and the engine's BuildKit.
struct Runner {
    dir: PathBuf,
    env: Vec<(String, String)>,
    temp: tempfile::TempDir,
    github_env: PathBuf,
}

impl Runner {
    fn new(dir: &Path, job: &Value, run_id: &str) -> Runner {
        let temp = tempfile::tempdir().unwrap();
        let github_env = temp.path().join("github_env");
        let mut env = Vec::new();
        for (k, v) in job["env"].as_object().unwrap() {
            let v = v
                .as_str()
                .unwrap()
                .replace("${{ github.run_id }}", run_id)
                .replace("${{ github.run_attempt }}", "1");
            assert!(
                !v.contains("${{"),
                "an expression the runner cannot know: {v}"
            );
            env.push((k.clone(), v));
        }
        let docker = std::env::var("DOCKER").unwrap_or_else(|_| "/usr/bin/docker".into());
        let bin = Path::new(&docker)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        env.push((
            "PATH".into(),
            format!("{bin}:{}", std::env::var("PATH").unwrap_or_default()),
        ));
        env.push(("DOCKER_BUILDKIT".into(), "1".into()));
        Runner {
            dir: dir.to_path_buf(),
            env,
            github_env,
            temp,
        }
    }

    /// Runs one step; its success and output.
    fn step(&mut self, s: &Value) -> (bool, String) {
        std::fs::write(&self.github_env, "").unwrap();
        let mut cmd;
        if let Some(script) = s["run"].as_str() {
            let file = self.temp.path().join("step.sh");
            std::fs::write(&file, script).unwrap();
            cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&file);
        } else {
            let uses = s["uses"].as_str().unwrap();
            if uses.starts_with("docker/build-push-action@") {
                let with = &s["with"];
                assert_eq!(with["push"], false, "the test job never pushes");
                cmd = Command::new(std::env::var("DOCKER").unwrap_or("docker".into()));
                cmd.args(["build", "--tag", with["tags"].as_str().unwrap()])
                    .arg(with["context"].as_str().unwrap());
            } else {
                assert!(
                    uses.starts_with("actions/checkout@")
                        || uses.starts_with("docker/setup-buildx-action@"),
                    "no local stand-in for {uses}"
                );
                return (true, String::new());
            }
        }
        cmd.current_dir(&self.dir)
            .env("RUNNER_TEMP", self.temp.path())
            .env("GITHUB_ENV", &self.github_env)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let result = run(&mut cmd);
        for line in read(&self.github_env).lines() {
            if let Some((k, v)) = line.split_once('=') {
                self.env.retain(|(n, _)| n != k);
                self.env.push((k.into(), v.into()));
            }
        }
        result
    }

    fn docker() -> String {
        std::env::var("DOCKER").unwrap_or_else(|_| "docker".into())
    }
}

/// Whatever happens in the test, the run's containers and network go (the job's own cleanup
/// step has normally removed them already).
impl Drop for Runner {
    fn drop(&mut self) {
        let Some((_, net)) = self.env.iter().find(|(k, _)| k == "DJSHIP_CI_NET") else {
            return;
        };
        let (_, ids) = run(Command::new(Runner::docker()).args([
            "ps",
            "-aq",
            "--filter",
            &format!("name=^{net}-"),
        ]));
        for id in ids.split_whitespace() {
            let _ = run(Command::new(Runner::docker()).args(["rm", "-f", id]));
        }
        let _ = run(Command::new(Runner::docker()).args(["network", "rm", net]));
    }
}

impl Runner {
    /// Runs the steps as the runner does: after a failure only `if: always()` ones.
    /// (name, success, output) of each step run.
    fn job(&mut self, steps: &[Value]) -> Vec<(String, bool, String)> {
        let mut failed = false;
        let mut out = Vec::new();
        for s in steps {
            if failed && s["if"] != "always()" {
                continue;
            }
            let name = s["name"]
                .as_str()
                .or(s["uses"].as_str())
                .unwrap()
                .to_string();
            let (ok, text) = self.step(s);
            failed |= !ok;
            out.push((name, ok, text));
        }
        out
    }
}

const MODELS: &str = "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=50)\n";
const MIGRATION: &str = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name=\"Item\",\n            fields=[\n                (\"id\", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name=\"ID\")),\n                (\"name\", models.CharField(max_length=50)),\n            ],\n        ),\n    ]\n";
const PYTEST_TESTS: &str = "import pytest\nfrom django.db import connection\n\nfrom shop.models import Item\n\n\n@pytest.mark.django_db\ndef test_rows_go_to_the_database_service():\n    Item.objects.create(name=\"x\")\n    assert Item.objects.count() == 1\n    assert connection.vendor == \"postgresql\"\n";
const TESTS: &str = "from django.db import connection\nfrom django.test import TestCase\n\nfrom .models import Item\n\n\nclass RealDatabase(TestCase):\n    def test_rows_go_to_the_database_service(self):\n        Item.objects.create(name=\"x\")\n        self.assertEqual(Item.objects.count(), 1)\n        self.assertEqual(connection.vendor, \"postgresql\")\n";

/// A startproject with an app `shop`: a model, its migration and a test that writes a row
/// and checks the database is PostgreSQL (Django's runner, or with `pytest` pytest-django
/// declared in requirements-dev.txt only); `init --ci github` on the stand-in images.
fn project_with_app(parent: &Path, name: &str, pytest: bool) -> Option<PathBuf> {
    let dir = startproject(parent, name)?;
    let app = dir.join("shop");
    std::fs::create_dir_all(app.join("migrations")).unwrap();
    std::fs::write(app.join("__init__.py"), "").unwrap();
    std::fs::write(app.join("migrations/__init__.py"), "").unwrap();
    std::fs::write(app.join("models.py"), MODELS).unwrap();
    std::fs::write(app.join("migrations/0001_initial.py"), MIGRATION).unwrap();
    if pytest {
        std::fs::write(dir.join("requirements.txt"), "Django>=5.2,<5.3\n").unwrap();
        std::fs::write(
            dir.join("requirements-dev.txt"),
            "-r requirements.txt\npytest-django==4.11.1\n",
        )
        .unwrap();
        std::fs::write(app.join("test_db.py"), PYTEST_TESTS).unwrap();
    } else {
        std::fs::write(app.join("tests.py"), TESTS).unwrap();
    }
    let settings = dir.join("mysite/settings.py");
    let text = read(&settings).replacen(
        "'django.contrib.staticfiles',",
        "'django.contrib.staticfiles',\n    'shop',",
        1,
    );
    std::fs::write(&settings, text).unwrap();
    init_ok(
        &dir,
        &[
            "--ci",
            "github",
            "--patch-settings",
            "--ca-cert",
            "/etc/ssl/certs/ca-certificates.crt",
            // python-ca: the runtime trusts this machine's TLS-intercepting proxy too (pip
            // at test time, for pytest-django).
            "--python-image",
            "djship-e2e/python-ca:3.11",
            "--postgres-image",
            "djship-e2e/postgres:15",
        ],
    );
    Some(dir)
}

fn report(r: &[(String, bool, String)]) -> String {
    r.iter()
        .map(|(n, ok, t)| format!("--- {n}: {}\n{t}", if *ok { "ok" } else { "FAILED" }))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn github_test_job_runs_on_the_engine() {
    if !e2e() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = project_with_app(tmp.path(), "ci-e2e", false) else {
        return;
    };
    let app = dir.join("shop");
    let wf = yaml(&dir.join(WORKFLOW));
    let job = &wf["jobs"]["test"];
    let steps = job["steps"].as_array().unwrap().clone();
    let run_id = format!("{}", std::process::id());
    let started = std::time::Instant::now();

    // The job as it is: every step passes, the test ran against PostgreSQL.
    let mut runner = Runner::new(&dir, job, &run_id);
    let results = runner.job(&steps);
    assert_eq!(results.len(), steps.len(), "{}", report(&results));
    assert!(results.iter().all(|r| r.1), "{}", report(&results));
    let tests = results.iter().find(|r| r.0.starts_with("Tests")).unwrap();
    assert!(
        tests.2.contains("Ran 1 test") && tests.2.contains("OK"),
        "{}",
        tests.2
    );
    let first = started.elapsed();

    // A model change without its migration: makemigrations --check fails the job, and the
    // test (which uses the new field) fails against the database.
    std::fs::write(
        app.join("models.py"),
        format!("{MODELS}    price = models.IntegerField(default=0)\n"),
    )
    .unwrap();
    std::fs::write(
        app.join("tests.py"),
        TESTS.replace("name=\"x\")", "name=\"x\", price=1)"),
    )
    .unwrap();
    let mut runner = Runner::new(&dir, job, &format!("{run_id}b"));
    let mut by_name = |prefix: &str| -> (bool, String) {
        let s = steps
            .iter()
            .find(|s| {
                s["name"].as_str().unwrap_or_default().starts_with(prefix)
                    || s["uses"].as_str().unwrap_or_default().starts_with(prefix)
            })
            .unwrap_or_else(|| panic!("no step {prefix}"));
        runner.step(s)
    };
    for setup in [
        "Build the image",
        "Generate the environment",
        "Start the services",
    ] {
        let (ok, out) = by_name(setup);
        assert!(ok, "{setup}: {out}");
    }
    let (ok, out) = by_name("No model change without its migration");
    let (tests_ok, tests_out) = by_name("Tests");
    let (cleaned, cleanup) = by_name("Remove the services");
    assert!(cleaned, "{cleanup}");
    assert!(
        !ok && out.contains("shop"),
        "makemigrations --check passed:\n{out}"
    );
    assert!(
        !tests_ok,
        "the tests passed with an unmigrated field:\n{tests_out}"
    );
    eprintln!(
        "the GitHub test job's steps: {:.1} s as generated, {:.1} s in all",
        first.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    // Nothing left behind.
    let (_, nets) = run(
        Command::new(std::env::var("DOCKER").unwrap_or("docker".into())).args([
            "network",
            "ls",
            "--format",
            "{{.Name}}",
        ]),
    );
    assert!(!nets.contains(&format!("djship-ci-{run_id}")), "{nets}");
}

/// The pytest path: pytest-django declared for development only is installed into the
/// image's virtualenv by the test step, and pytest runs the test against PostgreSQL.
#[test]
fn github_test_job_runs_pytest_on_the_engine() {
    if !e2e() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = project_with_app(tmp.path(), "ci-e2e-pytest", true) else {
        return;
    };
    let wf = yaml(&dir.join(WORKFLOW));
    let job = &wf["jobs"]["test"];
    let steps = job["steps"].as_array().unwrap().clone();
    let started = std::time::Instant::now();
    let mut runner = Runner::new(&dir, job, &format!("{}-pytest", std::process::id()));
    let results = runner.job(&steps);
    assert_eq!(results.len(), steps.len(), "{}", report(&results));
    assert!(results.iter().all(|r| r.1), "{}", report(&results));
    let tests = results.iter().find(|r| r.0.starts_with("Tests")).unwrap();
    assert!(
        tests.0.contains("pytest") && tests.2.contains("1 passed"),
        "{}",
        report(&results)
    );
    eprintln!(
        "the GitHub test job with pytest: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The services steps for MariaDB (with the grant the test runner needs) and for Redis, on
/// the stand-in images: the environment generated, the containers healthy, the grant
/// applied, everything removed; GitHub's steps under bash, then GitLab's items under dash.
#[test]
fn services_start_mariadb_and_redis_on_the_engine() {
    if !e2e() {
        return;
    }
    for (name, args, expect) in [
        (
            "poetry-mysql",
            &["--mariadb-image", "djship-e2e/mariadb:10.11"][..],
            "mariadb",
        ),
        (
            "split-settings-celery",
            &[
                "--postgres-image",
                "djship-e2e/postgres:15",
                "--redis-image",
                "djship-e2e/redis:7",
            ][..],
            "redis",
        ),
    ] {
        let (_tmp, dir) = fixture(name);
        let out = djship()
            .args(["init", "--ci", "github,gitlab"])
            .args(args)
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let wf = yaml(&dir.join(WORKFLOW));
        let job = &wf["jobs"]["test"];
        let steps: Vec<Value> = job["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                [
                    "Generate the environment",
                    "Start the services",
                    "Remove the services",
                ]
                .contains(&s["name"].as_str().unwrap_or_default())
            })
            .cloned()
            .collect();
        assert_eq!(steps.len(), 3, "{name}");
        let run_id = format!("{}-{name}", std::process::id());
        let mut runner = Runner::new(&dir, job, &run_id);
        let results = runner.job(&steps);
        assert!(results.iter().all(|r| r.1), "{name}: {:?}", results);
        let started = &results[1].2;
        assert!(
            read(&dir.join(WORKFLOW)).contains(&format!("--network-alias {expect}")),
            "{name}: {started}"
        );
        drop(runner);
        gitlab_services_under_dash(&dir, &format!("{run_id}-gl"), expect);
    }
}

/// GitLab's test job runs its script items in one POSIX shell (busybox in docker:cli): its
/// environment and services items here under dash, then its after_script.
fn gitlab_services_under_dash(dir: &Path, job_id: &str, expect: &str) {
    let gl = yaml(&dir.join(".gitlab-ci.yml"));
    let job = &gl["test"];
    let items: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let env_item = items
        .iter()
        .position(|s| s.contains("> \"$DJSHIP_CI_ENV\""))
        .unwrap();
    let script = format!("set -e\n{}\n{}\n", items[env_item], items[env_item + 1]);
    let after = job["after_script"][0].as_str().unwrap();
    let vars: Vec<(String, String)> = ["DJSHIP_CI_NET", "DJSHIP_CI_ENV"]
        .iter()
        .map(|k| {
            let v = job["variables"][*k]
                .as_str()
                .unwrap()
                .replace("$CI_JOB_ID", job_id);
            assert!(!v.contains('$'), "{k}: {v}");
            (k.to_string(), v)
        })
        .collect();
    let docker = std::env::var("DOCKER").unwrap_or_else(|_| "/usr/bin/docker".into());
    let bin = Path::new(&docker)
        .parent()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let sh = |text: &str| {
        run(Command::new("dash")
            .arg("-c")
            .arg(text)
            .current_dir(dir)
            .env(
                "PATH",
                format!("{bin}:{}", std::env::var("PATH").unwrap_or_default()),
            )
            .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    };
    let (ok, out) = sh(&script);
    let net = &vars[0].1;
    let (_, running) = run(Command::new(&docker).args([
        "ps",
        "--filter",
        &format!("name=^{net}-"),
        "--format",
        "{{.Names}} {{.Status}}",
    ]));
    let (cleaned, cleanup) = sh(after);
    assert!(ok, "GitLab's services under dash:\n{script}\n{out}");
    assert!(
        running.contains(&format!("{net}-{expect} ")) && running.contains("(healthy)"),
        "{running}"
    );
    assert!(cleaned, "{cleanup}");
    let (_, left) =
        run(Command::new(&docker).args(["ps", "-aq", "--filter", &format!("name=^{net}-")]));
    assert!(left.trim().is_empty(), "after_script left {left}");
}

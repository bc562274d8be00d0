//! CI/CD pipelines: one provider per file (GitHub Actions, GitLab CI, Jenkins), each
//! laying out the same steps, which [`CiPlan`] derives from the application plan:
//!
//! 1. build the image with a layer cache;
//! 2. write the environment the app needs, with secrets generated for this run (never a
//!    committed .env), and start the database (and Redis) the plan runs, on a network of
//!    their own, waiting until their health checks pass;
//! 3. in the built image, against that database: `manage.py check --deploy`,
//!    `manage.py makemigrations --check --dry-run` and the project's tests;
//! 4. `djship lint` (SARIF);
//! 5. on the default branch only, push the image tagged with the commit SHA.
//!
//! The shell lines of steps 2 and 3 are made here once, in POSIX sh (GitLab's docker image
//! has busybox, Jenkins' `sh` is dash): the providers differ only in how they wrap them.
//!
//! Adding a provider: a file here implementing [`Provider`], its template in `templates/`
//! (registered in `src/targets/render.rs`), and one line in [`PROVIDERS`].

mod github;
mod gitlab;
mod jenkins;

use super::{Artifact, Templates};
use crate::error::Result;
use crate::plan::env::Generate;
use crate::plan::{DbEngine, Plan};
use crate::shell::quote;
use serde::Serialize;

/// Every CI provider, in the order `--help` lists them.
pub const PROVIDERS: &[&dyn Provider] = &[&github::Github, &gitlab::Gitlab, &jenkins::Jenkins];

/// One CI system.
pub trait Provider: Sync {
    /// The name `djship init --ci` takes.
    fn name(&self) -> &'static str;
    /// One line for the documentation.
    fn about(&self) -> &'static str;
    /// The pipeline's files.
    fn artifacts(&self, plan: &Plan, ci: &CiPlan, t: &Templates) -> Result<Vec<Artifact>>;
    /// What the user does next (secrets to set, where the pipeline shows).
    fn next_steps(&self, plan: &Plan) -> String;
}

/// The provider named `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Provider> {
    PROVIDERS.iter().copied().find(|p| p.name() == name)
}

/// The names of every provider.
pub fn names() -> Vec<&'static str> {
    PROVIDERS.iter().map(|p| p.name()).collect()
}

/// The version of djship the pipelines install (`pip install djship==...`): this one.
pub const DJSHIP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the generated environment files go and what the steps are called, in shell
/// variables every provider sets: `DJSHIP_CI_ENV` (the app's env file; the database's is
/// `$DJSHIP_CI_ENV.db`), `DJSHIP_CI_NET` (the network, also the containers' name prefix)
/// and `DJSHIP_CI_IMAGE` (the image built for this run).
#[derive(Debug, Clone, Serialize)]
pub struct CiPlan {
    /// Writes both env files with fresh secrets (shell lines).
    pub env_script: Vec<String>,
    /// Variables taken from the CI's secret store, by name, and whether each is a secret.
    pub external: Vec<External>,
    /// Variables the generated secrets hold (masked in logs where the CI can).
    pub masked: Vec<String>,
    /// The database and Redis containers, started before the checks.
    pub services: Vec<Service>,
    /// Starts the services and waits until they are healthy (shell lines).
    pub services_script: Vec<String>,
    /// The checks run in the built image, in order.
    pub checks: Vec<Check>,
    /// Removes the containers and the network (shell lines; always run).
    pub cleanup_script: Vec<String>,
    /// `djship lint` writing SARIF to [`LINT_SARIF`].
    pub lint_command: String,
    /// Installs djship, pinned.
    pub install_djship: String,
}

/// A variable the pipeline cannot generate: the settings require it and the plan has no
/// value for it (an API key...). It comes from the CI's secrets or variables.
#[derive(Debug, Clone, Serialize)]
pub struct External {
    pub name: String,
    pub secret: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// The host name the app reaches it by (the plan's service name).
    pub alias: String,
    pub image: String,
    /// `docker run` health flags from the plan's health check.
    pub health_cmd: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Step name.
    pub name: String,
    /// An id for providers that want one.
    pub id: String,
    /// The shell line.
    pub script: String,
}

/// Where `djship lint` writes its SARIF report.
pub const LINT_SARIF: &str = "djship-lint.sarif";

/// A random value of 64 hex characters, from the kernel's generator, in POSIX sh (no
/// SIGPIPE under pipefail: head reads a fixed count).
const GENERATE: &str = "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n')";

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A plan value as a shell word: literal text quoted, `${NAME}` references expanded.
fn shell_value(value: &str, known: &[String]) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut literal = String::new();
    let flush = |lit: &mut String, out: &mut String| {
        if !lit.is_empty() {
            out.push_str(&format!("'{}'", lit.replace('\'', r"'\''")));
            lit.clear();
        }
    };
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                let name = &after[..end];
                if known.iter().any(|k| k == name) {
                    flush(&mut literal, &mut out);
                    out.push_str(&format!("\"${name}\""));
                    rest = &after[end + 1..];
                    continue;
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        literal.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut literal, &mut out);
    if out.is_empty() {
        "''".into()
    } else {
        out
    }
}

/// The variables the database container reads.
fn db_var(engine: DbEngine, name: &str) -> bool {
    match engine {
        DbEngine::Postgresql => name.starts_with("POSTGRES_"),
        DbEngine::Mariadb => name.starts_with("MARIADB_"),
    }
}

/// `docker run` health flags for a compose-style health check.
fn health_cmd(ready: &[String]) -> String {
    let cmd = match ready {
        [sh, c, line] if sh == "sh" && c == "-c" => line.clone(),
        _ => ready.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "),
    };
    unbrace(&cmd)
}

/// `${NAME}` written `$NAME` where the next character cannot continue the name (Groovy's
/// linters read `${...}` in a single-quoted string as a forgotten GString).
fn unbrace(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(end)
                if valid_name(&after[..end])
                    && !after[end + 1..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push('$');
                out.push_str(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn plan(plan: &Plan) -> CiPlan {
    let vars: Vec<_> = plan
        .env
        .vars
        .iter()
        .filter(|v| valid_name(&v.name) && !plan.env.unset.contains(&v.name))
        .filter(|v| v.value.is_some() || v.generate.is_some())
        .collect();
    let known: Vec<String> = vars.iter().map(|v| v.name.clone()).collect();
    let engine = plan.database.as_ref().map(|d| d.kind);

    let mut env_script = vec![
        "umask 077".to_string(),
        "# Fresh secrets for this run only: the database lives as long as the job.".into(),
    ];
    let mut external = Vec::new();
    let mut masked = Vec::new();
    for v in &vars {
        let value = match (v.generate, v.value.as_deref()) {
            (Some(Generate::SecretKey) | Some(Generate::Password), _) => {
                masked.push(v.name.clone());
                GENERATE.to_string()
            }
            (None, Some("")) => {
                // Required by the settings, with no value djship can know.
                external.push(External {
                    name: v.name.clone(),
                    secret: v.secret,
                });
                // Already in the step's environment (the CI's secrets and variables).
                continue;
            }
            (None, Some(value)) => shell_value(value, &known),
            (None, None) => continue,
        };
        env_script.push(format!("{}={value}", v.name));
    }
    let line = |names: &mut dyn Iterator<Item = &String>| -> String {
        names
            .map(|n| format!("  printf '%s=%s\\n' {n} \"${n}\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    env_script.push(format!(
        "{{\n{}\n}} > \"$DJSHIP_CI_ENV\"",
        line(&mut known.iter())
    ));
    let db_names: Vec<String> = known
        .iter()
        .filter(|n| engine.is_some_and(|e| db_var(e, n)))
        .cloned()
        .collect();
    if db_names.is_empty() {
        env_script.push(": > \"$DJSHIP_CI_ENV.db\"".into());
    } else {
        env_script.push(format!(
            "{{\n{}\n}} > \"$DJSHIP_CI_ENV.db\"",
            line(&mut db_names.iter())
        ));
    }

    let mut services = Vec::new();
    if let Some(db) = &plan.database {
        services.push(Service {
            alias: db.service.clone(),
            image: db.image.clone(),
            health_cmd: health_cmd(&db.ready),
        });
    }
    if plan.redis {
        services.push(Service {
            alias: "redis".into(),
            image: plan.images.redis.clone(),
            health_cmd: "redis-cli ping".into(),
        });
    }
    let mut services_script = vec!["docker network create \"$DJSHIP_CI_NET\"".to_string()];
    for s in &services {
        let env = if plan.database.as_ref().is_some_and(|d| d.service == s.alias) {
            " --env-file \"$DJSHIP_CI_ENV.db\""
        } else {
            ""
        };
        services_script.push(format!(
            "docker run -d --name \"$DJSHIP_CI_NET-{a}\" --network \"$DJSHIP_CI_NET\" \\\n  --network-alias {a}{env} \\\n  --health-cmd {h} \\\n  --health-interval 2s --health-timeout 5s --health-retries 60 \\\n  {i}",
            a = s.alias,
            h = quote(&s.health_cmd),
            i = quote(&s.image),
        ));
    }
    for s in &services {
        services_script.push(format!(
            "i=0\nuntil [ \"$(docker inspect -f '{{{{.State.Health.Status}}}}' \"$DJSHIP_CI_NET-{a}\")\" = healthy ]; do\n  i=$((i + 1))\n  if [ \"$i\" -gt 90 ]; then\n    docker logs \"$DJSHIP_CI_NET-{a}\"\n    echo '{a} did not become healthy in 3 minutes' >&2\n    exit 1\n  fi\n  sleep 2\ndone",
            a = s.alias
        ));
    }
    if let Some(db) = plan
        .database
        .as_ref()
        .filter(|d| d.kind == DbEngine::Mariadb)
    {
        // Django's test runner creates test_<name>: the app's user needs that right, which
        // the image gives only on its own database.
        if let Some(user) = plan
            .env
            .vars
            .iter()
            .find(|v| v.name == "MARIADB_USER")
            .and_then(|v| v.value.clone())
            .filter(|u| valid_name(u))
        {
            let sql = format!("GRANT ALL PRIVILEGES ON *.* TO '{user}'@'%'");
            services_script.push(format!(
                "# Django's test runner creates its own database: the app's user may.\ndocker exec -e \"DJSHIP_SQL={sql}\" \\\n  \"$DJSHIP_CI_NET-{}\" \\\n  sh -c 'MYSQL_PWD=\"$MARIADB_ROOT_PASSWORD\" exec mariadb -uroot -e \"$DJSHIP_SQL\"'",
                db.service,
            ));
        }
    }

    let run = |extra: &str, cmd: &str| {
        format!(
            "docker run --rm --network \"$DJSHIP_CI_NET\" --env-file \"$DJSHIP_CI_ENV\"{extra} \\\n  \"$DJSHIP_CI_IMAGE\" {cmd}"
        )
    };
    let words = |c: &[String]| c.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ");
    let mut checks = vec![
        Check {
            name: "manage.py check --deploy".into(),
            id: "check-deploy".into(),
            script: run("", "python manage.py check --deploy"),
        },
        Check {
            name: "No model change without its migration".into(),
            id: "makemigrations".into(),
            script: run("", "python manage.py makemigrations --check --dry-run"),
        },
    ];
    // The test client speaks plain HTTP: the HTTPS-only settings the development stack
    // turns off are off for the tests too.
    let dev_off: String = plan
        .env
        .development_off
        .iter()
        .map(|o| format!(" -e {}", quote(&format!("{}={}", o.name, o.value))))
        .collect();
    let tests = &plan.tests;
    let test_script = if tests.install.is_empty() {
        run(&dev_off, &words(&tests.command))
    } else {
        let inner = format!(
            "pip --python /opt/venv/bin/python install --quiet \\\n  {} \\\n  && exec {}",
            words(&tests.install),
            words(&tests.command)
        );
        // Installing into the image's virtualenv needs root; the container is thrown away.
        run(
            &format!("{dev_off} --user 0"),
            &format!("sh -c {}", quote(&inner)),
        )
    };
    checks.push(Check {
        name: format!("Tests ({})", words(&tests.command)),
        id: "tests".into(),
        script: test_script,
    });

    let mut cleanup_script = Vec::new();
    if !services.is_empty() {
        cleanup_script.push(format!(
            "docker rm -f {} >/dev/null 2>&1 || true",
            services
                .iter()
                .map(|s| format!("\"$DJSHIP_CI_NET-{}\"", s.alias))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    cleanup_script.push("docker network rm \"$DJSHIP_CI_NET\" >/dev/null 2>&1 || true".into());
    cleanup_script.push("rm -f \"$DJSHIP_CI_ENV\" \"$DJSHIP_CI_ENV.db\"".into());

    CiPlan {
        env_script,
        external,
        masked,
        services,
        services_script,
        checks,
        cleanup_script,
        lint_command: format!("djship lint --format sarif . > {LINT_SARIF}"),
        install_djship: format!("djship=={DJSHIP_VERSION}"),
    }
}

/// The artifacts of every provider named in `names`.
pub fn artifacts(
    plan: &Plan,
    providers: &[&'static dyn Provider],
    t: &Templates,
) -> Result<Vec<Artifact>> {
    let ci = self::plan(plan);
    let mut out = Vec::new();
    for p in providers {
        out.extend(p.artifacts(plan, &ci, t)?);
    }
    Ok(out)
}

/// Indent every line but the first by `n` spaces (for YAML block scalars and Groovy).
pub fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_shell_words_with_references_expanded() {
        let known = vec!["PW".to_string(), "DB".to_string()];
        assert_eq!(
            shell_value("postgres://u:${PW}@db/${DB}", &known),
            "'postgres://u:'\"$PW\"'@db/'\"$DB\""
        );
        assert_eq!(shell_value("it's", &known), "'it'\\''s'");
        assert_eq!(shell_value("${OTHER}", &known), "'${OTHER}'");
        assert_eq!(shell_value("", &known), "''");
        assert_eq!(
            unbrace("pg_isready -U \"${POSTGRES_USER}\" -d ${A}b ${"),
            "pg_isready -U \"$POSTGRES_USER\" -d ${A}b ${"
        );
    }
}

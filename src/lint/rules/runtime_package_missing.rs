use super::{final_command, run_text};
use crate::detect::DbKind;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL033",
    name: "runtime-package-missing",
    buildkit: None,
    severity: Severity::Error,
    summary: "the server the image runs, or the database driver, is not installed",
    doc: "### What it does\nReads the project's dependency files (requirements, Pipfile, pyproject, lockfiles) and the\nDockerfiles' install steps, and finds (1) a final CMD/ENTRYPOINT or compose command that\nruns gunicorn, uvicorn, daphne, hypercorn or celery when nothing installs it, and (2)\nsettings whose database ENGINE is PostgreSQL or MySQL with no driver (psycopg, psycopg2,\nmysqlclient, PyMySQL) installed.\n### Why is this bad?\nThe image builds, then the container exits at start: `exec: \"gunicorn\": executable file\nnot found`, or Django's `ImproperlyConfigured: Error loading psycopg2 or psycopg module`\n(seed 000's \"missing dependencies\" troubleshooting).\n### Example\n```dockerfile\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n```\nwith a requirements.txt that lists only `Django`.\n### Fix\nAdd the package to the dependency file (`gunicorn`, `psycopg[binary]`), or install it in\nthe Dockerfile.",
    fixable: false,
    check,
};

const SERVERS: &[&str] = &[
    "gunicorn",
    "uvicorn",
    "daphne",
    "hypercorn",
    "celery",
    "granian",
];

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(facts) = &ctx.facts else {
        return Vec::new();
    };
    // Without dependency files djship cannot know what is installed.
    if facts.dependencies.manager.is_none() {
        return Vec::new();
    }
    let installed_by_docker = |name: &str| {
        ctx.dockerfiles.iter().any(|(_, df)| {
            df.instructions
                .iter()
                .any(|i| i.keyword == "RUN" && run_text(i).to_ascii_lowercase().contains(name))
        })
    };
    let has = |name: &str| facts.dependencies.has(name) || installed_by_docker(name);
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        let (words, at) = final_command(df);
        let Some(at) = at else { continue };
        for w in &words {
            let base = w.rsplit('/').next().unwrap_or(w);
            if SERVERS.contains(&base) && !has(base) {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(at.line, at.end_line, base),
                    format!(
                        "the image runs {base}, but no dependency file or install step installs it"
                    ),
                ));
            }
        }
    }
    // An engine chosen by a variable is the deployment's choice, not the settings': the
    // driver of the engine djship would pick is not a requirement of the project.
    for db in facts
        .databases
        .iter()
        .filter(|d| d.url_env.is_none() && d.selected_by.is_none())
    {
        let (drivers, what): (&[&str], &str) = match db.kind {
            DbKind::Postgresql => (
                &["psycopg", "psycopg2", "psycopg2-binary", "psycopg-binary"],
                "PostgreSQL",
            ),
            DbKind::Mysql => (
                &["mysqlclient", "pymysql", "mysql-connector-python"],
                "MySQL",
            ),
            _ => continue,
        };
        if !db.drivers.is_empty() || drivers.iter().any(|d| has(d)) {
            continue;
        }
        let file = &db.evidence.file;
        let range = db
            .evidence
            .line
            .map_or(0..0, |l| ctx.src(file).line_span(l));
        out.push(Hit::new(
            file,
            range,
            format!(
                "DATABASES['{}'] uses {what}, but no driver ({}) is installed: Django fails at start",
                db.alias,
                drivers.join(", ")
            ),
        ));
    }
    out
}

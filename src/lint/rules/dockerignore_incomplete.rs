use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL011",
    name: "dockerignore-incomplete",
    severity: Severity::Warning,
    summary: ".dockerignore lets secrets or local data into the build context",
    doc: "### What it does\nFinds a .dockerignore that does not exclude `.git`, `.env`, virtualenvs (`.venv`, `venv`), local SQLite files (`*.sqlite3`) or `node_modules`.\n### Why is this bad?\nWhat is not excluded is sent to the engine and, with `COPY . .`, lands in the image: the repository history, secrets, a local database, megabytes of packages for another platform.\n### Example\nA .dockerignore with only `__pycache__` and `*.pyc`.\n### Fix\nAdd the missing entries (`djship init` writes a complete .dockerignore).",
    check,
};

const MUST_EXCLUDE: &[&str] = &[
    ".git",
    ".env",
    ".venv",
    "venv",
    "db.sqlite3",
    "node_modules",
];

fn check(ctx: &Context) -> Vec<Hit> {
    if ctx.dockerignore.is_none() || ctx.dockerfiles.is_empty() {
        return Vec::new();
    }
    let missing: Vec<&str> = MUST_EXCLUDE
        .iter()
        .copied()
        .filter(|p| !ctx.ignored(p))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![Hit {
        file: ".dockerignore".into(),
        line: 1,
        message: format!("does not exclude {}", missing.join(", ")),
    }]
}

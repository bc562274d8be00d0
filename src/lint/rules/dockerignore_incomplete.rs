use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL011",
    name: "dockerignore-incomplete",
    buildkit: None,
    severity: Severity::Warning,
    summary: ".dockerignore does not exclude .git, .env, virtualenvs, SQLite files or node_modules",
    doc: "### What it does\nChecks that .dockerignore excludes `.git`, `.env`, the virtualenvs (`.venv`, `venv`),\nlocal SQLite files and `node_modules`.\n### Why is this bad?\nEach is sent to the builder on every build and lands in the image with `COPY . .`:\nsecrets (.env, the history in .git), a local database, hundreds of MB of packages\nbuilt for another platform, and a context that changes on every commit, defeating the\nlayer cache.\n### Example\n```\n# .dockerignore\n__pycache__\n```\n### Fix\nAdd the missing patterns (`--fix` appends them).",
    fixable: true,
    check,
};

/// (a path that must be excluded, the pattern that excludes it).
pub const MUST_EXCLUDE: &[(&str, &str)] = &[
    (".git", ".git"),
    (".env", ".env"),
    (".venv", ".venv"),
    ("venv", "venv"),
    ("db.sqlite3", "*.sqlite3"),
    ("node_modules", "node_modules"),
];

fn check(ctx: &Context) -> Vec<Hit> {
    if ctx.dockerignore.is_none() || ctx.dockerfiles.is_empty() {
        return Vec::new();
    }
    let missing: Vec<&(&str, &str)> = MUST_EXCLUDE
        .iter()
        .filter(|(p, _)| !ctx.ignored(p))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let src = ctx.src(".dockerignore");
    let end = src.text.len();
    let mut add = String::new();
    if !src.text.is_empty() && !src.text.ends_with('\n') {
        add.push('\n');
    }
    for (_, pat) in &missing {
        add.push_str(pat);
        add.push('\n');
    }
    vec![Hit::new(
        ".dockerignore",
        0..0,
        format!(
            "does not exclude {}",
            missing
                .iter()
                .map(|(p, _)| *p)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_fix(
        format!(
            "append {}",
            missing
                .iter()
                .map(|(_, p)| *p)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        vec![Edit {
            file: ".dockerignore".into(),
            range: end..end,
            text: add,
        }],
    )]
}

use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3020",
    name: "add-instead-of-copy",
    buildkit: None,
    severity: Severity::Error,
    summary: "`ADD` copies local files; `COPY` is meant",
    doc: "### What it does\nFinds `ADD` with a source that is a local file or folder, not a URL or a tar archive\n(ADD unpacks tar archives, not zip files). hadolint's DL3020, except that git sources\n(`git@host:repo.git`, which BuildKit's ADD clones) are not reported.\n### Why is this bad?\n`ADD` also downloads URLs and unpacks archives: a file that happens to be a tarball is\nextracted instead of copied, and readers must check which behaviour was meant.\n### Example\n```dockerfile\nADD . /app\n```\n### Fix\n`COPY . /app` (`--fix` replaces the keyword).",
    fixable: true,
    check,
};

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2",
    ".xz", ".zst", ".lz", ".lzma", ".tlz",
];

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.instructions.iter().filter(|i| i.keyword == "ADD") {
            let local = i.sources().iter().all(|s| {
                !(s.contains("://")
                    || s.starts_with("git@")
                    || ARCHIVES.iter().any(|a| s.ends_with(a)))
            });
            if !local || i.sources().is_empty() {
                continue;
            }
            let src = ctx.src(file);
            let start = src.line_span(i.line).start;
            out.push(
                Hit::new(file, start..start + 3, "`ADD` of local files: use `COPY`").with_fix(
                    "replace ADD with COPY",
                    vec![Edit {
                        file: file.clone(),
                        range: start..start + 3,
                        text: "COPY".into(),
                    }],
                ),
            );
        }
    }
    out
}

use super::run_text;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL019",
    name: "app-files-not-writable",
    buildkit: None,
    severity: Severity::Warning,
    summary: "MEDIA_ROOT is not made writable for the final USER",
    doc: "### What it does\nFinds an image that runs as a non-root USER while nothing in the final stage creates\nMEDIA_ROOT owned by that user (`mkdir` and `chown`, `install -d -o`, `COPY --chown`).\n### Why is this bad?\nThe code is copied as root, so the app user cannot create the media folder: every\nupload fails with `PermissionError`. A named volume mounted on a folder that is not in\nthe image is created root-owned too.\n### Example\n```dockerfile\nCOPY . /app\nUSER 10001\n```\n### Fix\nCreate the folder owned by the user before switching:\n`RUN mkdir -p /app/media && chown 10001:10001 /app/media`.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        // The project this Dockerfile builds, and where its MEDIA_ROOT is in the image:
        // mapped through the COPY of the project folder (`COPY backend /app`).
        let Some(facts) = ctx.project_for(file) else {
            continue;
        };
        let in_project = facts
            .media
            .root
            .as_ref()
            .and_then(|r| r.value.strip_prefix("<project>/"));
        let Some(media) = in_project
            .and_then(|p| ctx.in_image(file, df, p))
            .or_else(|| facts.media.root_in_image.clone())
        else {
            continue;
        };
        let media = media.as_str();
        let dir = media
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(media);
        let last = df.final_stage();
        let Some(user) = df.stage(last).filter(|i| i.keyword == "USER").last() else {
            continue;
        };
        let name = user.args.split(':').next().unwrap_or("");
        if matches!(name, "root" | "0" | "") {
            continue;
        }
        let prepared = df.stage(last).any(|i| {
            let t = run_text(i);
            i.keyword == "RUN"
                && t.contains(dir)
                && (t.contains("chown") || t.contains("install -d") || t.contains("chmod"))
                || i.keyword == "COPY" && i.flag("chown").is_some() && i.copies_context()
                || i.keyword == "WORKDIR"
                    && i.args.trim_end_matches('/') == media.trim_end_matches('/')
        });
        if !prepared {
            out.push(Hit::new(
                file,
                ctx.src(file).line_span(user.line),
                format!("the app runs as `{name}`, but nothing creates MEDIA_ROOT ({media}) owned by it: uploads fail"),
            ));
        }
    }
    out
}

use super::run_text;
use crate::dockerfile::Dockerfile;
use crate::lint::compose::mounts;
use crate::lint::start::{self, Image};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL019",
    name: "app-files-not-writable",
    buildkit: None,
    severity: Severity::Warning,
    summary: "MEDIA_ROOT is not made writable for the final USER",
    doc: "### What it does\nFinds an image that runs as a non-root user while nothing in the final stage creates\nMEDIA_ROOT owned by that user (`mkdir` and `chown`, `install -d -o`, `COPY --chown`), nor\nits entrypoint, and no `COPY --chown` gives the user a folder that holds it (unless a\ncompose volume is mounted on MEDIA_ROOT, which is then created owned by root). The user is the last USER, else the one the entrypoint switches to\n(`exec gosu app gunicorn ...`, read from the script the Dockerfile copies in).\n### Why is this bad?\nThe code is copied as root, so the app user cannot create the media folder: every\nupload fails with `PermissionError`. A named volume mounted on a folder that is not in\nthe image is created root-owned too.\n### Example\n```dockerfile\nCOPY . /app\nUSER 10001\n```\n### Fix\nCreate the folder owned by the user before switching:\n`RUN mkdir -p /app/media && chown 10001:10001 /app/media`.",
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
        let image = Image::of_dockerfile(ctx, file, df);
        let start = start::of_image(ctx, &image);
        // The user the app runs as: the last USER, else the one the entrypoint switches to.
        let (name, line, switched) = match image.user() {
            Some((u, i)) if !matches!(u.as_str(), "root" | "0" | "") => (u, i.line, None),
            _ => match start.drops_to() {
                Some((u, from)) => (u, df.stages[last].line, Some(from.to_string())),
                None => continue,
            },
        };
        if name.contains('$') {
            continue; // a user from a variable: djship cannot tell who owns what
        }
        let prepared = df.stage(last).any(|i| {
            let t = run_text(i);
            i.keyword == "RUN"
                && t.contains(dir)
                && (t.contains("chown") || t.contains("install -d") || t.contains("chmod"))
                || i.keyword == "COPY" && i.flag("chown").is_some() && i.copies_context()
                || i.keyword == "WORKDIR"
                    && i.args.trim_end_matches('/') == media.trim_end_matches('/')
        }) || owned_parent(ctx, file, df, media) && !volume_on(ctx, file, media)
            || start.texts.iter().any(|t| {
                // An entrypoint that prepares the folder before switching user.
                t.text
                    .lines()
                    .any(|l| l.contains(dir) && (l.contains("chown") || l.contains("install -d")))
            });
        if !prepared {
            let who = match &switched {
                Some(from) => format!("`{name}` (the user {from} switches to)"),
                None => format!("`{name}`"),
            };
            out.push(Hit::new(
                file,
                ctx.src(file).line_span(line),
                format!("the app runs as {who}, but nothing creates MEDIA_ROOT ({media}) owned by it: uploads fail"),
            ));
        }
    }
    out
}

/// Does a `COPY --chown` of the final stage put a folder that holds MEDIA_ROOT in place
/// owned by the user (`COPY --from=build --chown=app /app /app`)? The app can then create
/// the folder itself.
fn owned_parent(ctx: &Context, file: &str, df: &Dockerfile, media: &str) -> bool {
    let workdir = Image::of_dockerfile(ctx, file, df).workdir();
    let media = media.trim_end_matches('/');
    df.instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.stage == df.final_stage() && i.keyword == "COPY")
        .filter(|(_, i)| i.flag("chown").is_some())
        .any(|(n, i)| {
            let Some(dest) = i.words().last().map(|d| df.expand(n, d)) else {
                return false;
            };
            let dest = if dest.starts_with('/') {
                dest
            } else {
                format!("{}/{dest}", workdir.trim_end_matches('/'))
            };
            let dest = dest.trim_end_matches(['/', '.']);
            !dest.is_empty() && media.starts_with(&format!("{dest}/"))
        })
}

/// Is a volume mounted on MEDIA_ROOT by a compose service that runs this Dockerfile? A
/// volume on a folder the image does not have is created owned by root.
fn volume_on(ctx: &Context, file: &str, media: &str) -> bool {
    ctx.compose.iter().any(|(cf, c)| {
        c.services().any(|(_, _, svc)| {
            start::image_of(ctx, cf, svc).is_some_and(|i| i.path == file)
                && mounts(svc)
                    .iter()
                    .any(|m| m.target == media.trim_end_matches('/'))
        })
    })
}

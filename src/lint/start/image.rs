//! What an image holds: its Dockerfile stages, the files COPY puts where, its user.

use super::*;

// ---------------------------------------------------------------------------------------
// Images

/// A Dockerfile a container runs, with where its build context is in the repository.
pub struct Image<'a> {
    /// The Dockerfile's path in the repository.
    pub path: &'a str,
    pub df: &'a Dockerfile,
    /// Build contexts to try (repository folders, "" for the root), most likely first.
    pub contexts: Vec<String>,
    /// The stage that runs: `build.target`, else the final stage.
    pub stage: usize,
}

impl<'a> Image<'a> {
    /// An image built from a Dockerfile alone: its context is the folder of the compose
    /// service that builds it, else its own folder or the root.
    pub fn of_dockerfile(ctx: &'a Context, path: &'a str, df: &'a Dockerfile) -> Image<'a> {
        for (file, c) in &ctx.compose {
            for (_, _, svc) in c.services() {
                if let Some(img) = image_of(ctx, file, svc) {
                    if img.path == path && img.stage == df.final_stage() {
                        return img;
                    }
                }
            }
        }
        let mut contexts = vec![parent(path).to_string()];
        if !contexts.contains(&String::new()) {
            contexts.push(String::new());
        }
        Image {
            path,
            df,
            contexts,
            stage: df.final_stage(),
        }
    }

    /// The instructions of the stage that runs and of the stages it is built `FROM`, in
    /// build order, with their index.
    pub fn instructions(&self) -> Vec<(usize, &'a Instruction)> {
        let chain = self.df.stage_chain(self.stage);
        self.df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| chain.contains(&i.stage) && i.keyword != "FROM")
            .collect()
    }

    pub(super) fn last(&self, keyword: &str) -> Option<(usize, &'a Instruction)> {
        self.instructions()
            .into_iter()
            .rfind(|(_, i)| i.keyword == keyword)
    }

    /// The working folder the container starts in.
    pub fn workdir(&self) -> String {
        let mut wd = "/".to_string();
        for (n, i) in self.instructions() {
            if i.keyword == "WORKDIR" {
                wd = join_abs(&wd, &self.df.expand(n, i.args.trim()));
            }
        }
        wd
    }

    /// An instruction's words, ARG/ENV expanded; the shell form as `/bin/sh -c <text>`.
    pub(super) fn command_words(&self, n: usize, i: &Instruction) -> Vec<String> {
        match &i.json {
            Some(j) => j.iter().map(|w| self.df.expand(n, w)).collect(),
            None => vec![
                "/bin/sh".into(),
                "-c".into(),
                self.df.expand(n, i.args.trim()),
            ],
        }
    }

    pub fn entrypoint(&self) -> Vec<String> {
        self.last("ENTRYPOINT")
            .map(|(n, i)| self.command_words(n, i))
            .unwrap_or_default()
    }

    /// CMD; an ENTRYPOINT set in a later stage than the CMD resets it, as Docker does.
    pub fn cmd(&self) -> Vec<String> {
        let Some((n, i)) = self.last("CMD") else {
            return Vec::new();
        };
        if self
            .last("ENTRYPOINT")
            .is_some_and(|(e, ei)| e > n && ei.stage != i.stage)
        {
            return Vec::new();
        }
        self.command_words(n, i)
    }

    /// The last `USER` (name or id, without the group) and its instruction.
    pub fn user(&self) -> Option<(String, &'a Instruction)> {
        self.last("USER").map(|(n, i)| {
            let u = self.df.expand(n, i.args.trim());
            (u.split(':').next().unwrap_or("").to_string(), i)
        })
    }

    /// Does the image define a HEALTHCHECK (not `HEALTHCHECK NONE`)?
    pub fn healthcheck(&self) -> bool {
        self.last("HEALTHCHECK")
            .is_some_and(|(_, i)| !i.args.trim_start().to_ascii_uppercase().starts_with("NONE"))
    }

    /// Where a path in the container comes from: the repository files (or Dockerfile
    /// heredocs) that `COPY`/`ADD` put there, the last copy first.
    pub fn origins(&self, path: &str) -> Vec<Origin> {
        let mut copies = Vec::new();
        let mut wd = "/".to_string();
        for (n, i) in self.instructions() {
            match i.keyword.as_str() {
                "WORKDIR" => wd = join_abs(&wd, &self.df.expand(n, i.args.trim())),
                "COPY" | "ADD" if i.flag("from").is_none() => copies.push((n, i, wd.clone())),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for (n, i, wd) in copies.into_iter().rev() {
            let mut words: Vec<String> = i.words().iter().map(|w| self.df.expand(n, w)).collect();
            if words.len() < 2 {
                continue;
            }
            let dest_raw = words.pop().unwrap_or_default();
            let into_dir = dest_raw.ends_with('/') || words.len() > 1;
            let dest = join_abs(&wd, &dest_raw);
            for src in &words {
                if let Some(name) = src.strip_prefix("<<") {
                    let name = name.trim_start_matches('-').trim_matches(['"', '\'']);
                    if !into_dir && path == dest {
                        if let Some(h) = i.heredocs.iter().find(|h| h.delimiter == name) {
                            out.push(Origin::Heredoc(self.path.to_string(), h.body.clone()));
                        }
                    }
                    continue;
                }
                if src.contains("://") || src.contains('$') {
                    continue;
                }
                let src_rel = src.trim_start_matches('/');
                let glob = src_rel.contains(['*', '?', '[']);
                for context in &self.contexts {
                    if glob {
                        // `COPY scripts/*.sh /usr/local/bin/`
                        if let Some(rest) = below(path, &dest).filter(|r| !r.contains('/')) {
                            if crate::lint::glob_match(basename(src_rel), rest) {
                                if let Some(p) =
                                    join(context, parent(src_rel)).and_then(|d| join(&d, rest))
                                {
                                    out.push(Origin::File(p));
                                }
                            }
                        }
                        continue;
                    }
                    let Some(base) = join(context, src_rel) else {
                        continue;
                    };
                    if !into_dir && path == dest
                        || into_dir && path == join_abs(&dest, basename(src_rel))
                    {
                        out.push(Origin::File(base.clone()));
                    }
                    // A folder copied: its contents land in the destination.
                    if let Some(rest) = below(path, &dest) {
                        if let Some(p) = join(&base, rest) {
                            out.push(Origin::File(p));
                        }
                    }
                }
            }
        }
        out
    }
}

/// Where a path inside a container comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A file of the repository (relative to the root).
    File(String),
    /// A `COPY <<EOF` heredoc: the Dockerfile's path and the body.
    Heredoc(String, String),
}

/// The Dockerfile a compose service runs: its `build:` (context and dockerfile relative
/// to the compose file, `target` choosing the stage), or, for a published image, the
/// Dockerfile whose `org.opencontainers.image.source` label names the image's repository
/// (`ghcr.io/owner/app` built from a Dockerfile labelled `https://github.com/owner/app`).
pub fn image_of<'a>(ctx: &'a Context, file: &str, svc: &Node) -> Option<Image<'a>> {
    let dir = parent(file);
    if let Some(build) = svc.get("build") {
        let (context, dockerfile, target) = match build.as_str() {
            Some(c) => (c, "Dockerfile", None),
            None => (
                build.get("context").and_then(Node::as_str).unwrap_or("."),
                build
                    .get("dockerfile")
                    .and_then(Node::as_str)
                    .unwrap_or("Dockerfile"),
                build.get("target").and_then(Node::as_str),
            ),
        };
        let context_dir = join(dir, context)?;
        let df_path = join(&context_dir, dockerfile)?;
        let (path, df) = ctx.dockerfiles.iter().find(|(p, _)| *p == df_path)?;
        let stage = target
            .and_then(|t| {
                df.stages
                    .iter()
                    .position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(t)))
            })
            .unwrap_or(df.final_stage());
        return Some(Image {
            path,
            df,
            contexts: vec![context_dir],
            stage,
        });
    }
    let wanted = image_repository(svc.get("image")?.as_str()?)?;
    ctx.dockerfiles
        .iter()
        .filter(|(p, _)| compose::role(p) != Role::Development)
        .find(|(_, df)| source_label(df).is_some_and(|s| s.eq_ignore_ascii_case(&wanted)))
        .map(|(p, df)| {
            let mut contexts = vec![String::new()];
            if !parent(p).is_empty() {
                contexts.push(parent(p).to_string());
            }
            Image {
                path: p,
                df,
                contexts,
                stage: df.final_stage(),
            }
        })
}

/// `owner/name` of an image reference (`ghcr.io/owner/name:tag` → `owner/name`).
pub(super) fn image_repository(image: &str) -> Option<String> {
    if image.contains('$') {
        return None;
    }
    let image = image.split('@').next()?;
    let parts: Vec<&str> = image.split('/').collect();
    if parts.len() < 2 {
        return None;
    }
    let name = parts[parts.len() - 1].split(':').next()?;
    Some(format!("{}/{}", parts[parts.len() - 2], name))
}

/// `owner/name` of a Dockerfile's `org.opencontainers.image.source` label.
pub(super) fn source_label(df: &Dockerfile) -> Option<String> {
    df.instructions
        .iter()
        .filter(|i| i.keyword == "LABEL")
        .flat_map(|i| crate::dockerfile::assignments(&i.args))
        .find(|(k, _)| k == "org.opencontainers.image.source")
        .and_then(|(_, v)| v)
        .and_then(|url| {
            let url = url.trim_end_matches('/').trim_end_matches(".git");
            let parts: Vec<&str> = url.rsplitn(3, '/').collect();
            (parts.len() == 3).then(|| format!("{}/{}", parts[1], parts[0]))
        })
}

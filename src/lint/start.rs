//! What a container runs when it starts, read without running anything: a compose
//! service's (or an image's) entrypoint and command, the scripts they name (found in the
//! repository through the Dockerfile's `COPY`/`ADD`, the service's bind mounts, or beside
//! the script that calls them), the scripts those run, and s6-overlay's service scripts.
//! Then what that text does: wait for the database, drop root, exit (a one-shot job), or
//! run Django's development server.
//!
//! Files are read when the project is loaded ([`Context::load`] asks [`wanted`] which
//! repository files the starts name, reads those that exist, and asks again); the rules
//! then see only what the context holds.

use super::compose::{self, ComposeFile, Node, Role};
use super::dockerfile::{Dockerfile, Instruction};
use super::Context;
use std::collections::BTreeSet;

/// Folders of the usual program lookup, for a command named without a path.
const PATH_DIRS: &[&str] = &["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin"];

/// Folders s6-overlay reads its services and init scripts from.
pub const S6_DIRS: &[&str] = &[
    "/etc/s6-overlay/s6-rc.d",
    "/etc/services.d",
    "/etc/cont-init.d",
    "/etc/s6-overlay/scripts",
];

/// Where the folders that hold Django code usually are in an image.
pub const CODE_DIRS: &[&str] = &[
    "/app",
    "/code",
    "/usr/src/app",
    "/src",
    "/opt/app",
    "/srv/app",
];

/// Most nested scripts followed (entrypoint → start script → helper).
const MAX_DEPTH: usize = 4;
/// Most texts read for one start.
const MAX_TEXTS: usize = 64;

// ---------------------------------------------------------------------------------------
// Repository paths

/// `rel` joined to the repository folder `dir` ("" is the root), `.` and `..` resolved;
/// None when it leaves the repository or is absolute.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.starts_with('~') || rel.contains("://") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The folder of a repository path ("" for a file at the root).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// An absolute container path: `rel` from `cwd`, normalised, without a trailing `/`.
fn join_abs(cwd: &str, rel: &str) -> String {
    let base = if rel.starts_with('/') { "" } else { cwd };
    let mut parts: Vec<&str> = Vec::new();
    for p in base.split('/').chain(rel.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `path` below the folder `dir` (both absolute): the rest, without the leading `/`.
fn below<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir == "/" {
        return path.strip_prefix('/').filter(|r| !r.is_empty());
    }
    path.strip_prefix(dir)?
        .strip_prefix('/')
        .filter(|r| !r.is_empty())
}

fn basename(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)
}

/// Is a repository file one djship reads as a script (a shell script or an extensionless
/// executable such as s6's `run`), not Python or configuration?
pub fn is_script_name(path: &str) -> bool {
    let name = basename(path);
    match name.rsplit_once('.') {
        None => true,
        Some(("", _)) => false,
        Some((_, ext)) => matches!(ext, "sh" | "bash" | "ash" | "zsh"),
    }
}

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

    fn last(&self, keyword: &str) -> Option<(usize, &'a Instruction)> {
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
    fn command_words(&self, n: usize, i: &Instruction) -> Vec<String> {
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
                            if super::glob_match(basename(src_rel), rest) {
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
fn image_repository(image: &str) -> Option<String> {
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
fn source_label(df: &Dockerfile) -> Option<String> {
    df.instructions
        .iter()
        .filter(|i| i.keyword == "LABEL")
        .flat_map(|i| super::dockerfile::assignments(&i.args))
        .find(|(k, _)| k == "org.opencontainers.image.source")
        .and_then(|(_, v)| v)
        .and_then(|url| {
            let url = url.trim_end_matches('/').trim_end_matches(".git");
            let parts: Vec<&str> = url.rsplitn(3, '/').collect();
            (parts.len() == 3).then(|| format!("{}/{}", parts[1], parts[0]))
        })
}

// ---------------------------------------------------------------------------------------
// Starts

/// One text a container runs at start.
#[derive(Debug, Clone)]
pub struct Text {
    /// Where it is: "the command of service `web`", a repository path, or a Dockerfile's
    /// heredoc.
    pub from: String,
    /// The repository file, when it is one.
    pub file: Option<String>,
    pub text: String,
}

/// What a container runs at start, as far as the repository shows.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// The entrypoint and command first, then every script they reach.
    pub texts: Vec<Text>,
    /// The command (compose `command:`, else the image's CMD), as words.
    pub command: Vec<String>,
    /// Repository files a start may run that the context has not read (the loader reads
    /// those that exist).
    pub wanted: Vec<String>,
    /// Repository folders that hold s6-overlay services (listed by the loader).
    pub s6_dirs: Vec<String>,
    /// The image starts s6-overlay (`ENTRYPOINT ["/init"]`).
    pub s6: bool,
    /// Scripts the entrypoint or command names that are not in the repository where
    /// djship looked.
    pub unresolved: Vec<String>,
}

struct Walker<'a> {
    ctx: &'a Context,
    image: Option<&'a Image<'a>>,
    /// The compose file and service, for bind mounts and relative paths.
    service: Option<(&'a str, &'a Node)>,
    workdir: String,
    seen: BTreeSet<String>,
}

/// What a compose service runs at start.
pub fn of_service(ctx: &Context, file: &str, svc: &Node) -> Start {
    let image = image_of(ctx, file, svc);
    let compose_words = |k: &str| -> Option<Vec<String>> {
        let n = svc.get(k)?;
        Some(match n.as_str() {
            Some(s) => super::dockerfile::shell_words(s),
            None => n
                .items()
                .iter()
                .filter_map(Node::as_str)
                .map(String::from)
                .collect(),
        })
    };
    let entry = compose_words("entrypoint");
    let command = compose_words("command");
    let img = image.as_ref();
    let entrypoint = entry
        .clone()
        .unwrap_or_else(|| img.map(Image::entrypoint).unwrap_or_default());
    // Setting the entrypoint drops the image's CMD.
    let command = command.unwrap_or_else(|| match (&entry, img) {
        (None, Some(i)) => i.cmd(),
        _ => Vec::new(),
    });
    let workdir = svc
        .get("working_dir")
        .and_then(Node::as_str)
        .map(|w| join_abs("/", w))
        .or_else(|| img.map(Image::workdir))
        .unwrap_or_else(|| "/".into());
    let mut w = Walker {
        ctx,
        image: img,
        service: Some((file, svc)),
        workdir,
        seen: BTreeSet::new(),
    };
    w.start(entrypoint, command)
}

/// What an image runs at start (its ENTRYPOINT and CMD).
pub fn of_image(ctx: &Context, image: &Image) -> Start {
    let mut w = Walker {
        ctx,
        image: Some(image),
        service: None,
        workdir: image.workdir(),
        seen: BTreeSet::new(),
    };
    w.start(image.entrypoint(), image.cmd())
}

impl Walker<'_> {
    fn start(&mut self, entrypoint: Vec<String>, command: Vec<String>) -> Start {
        let mut st = Start {
            command: command.clone(),
            ..Start::default()
        };
        let label = match self.service {
            Some((_, _)) => "the service's entrypoint and command".to_string(),
            None => "the image's ENTRYPOINT and CMD".to_string(),
        };
        let all: Vec<String> = entrypoint.iter().chain(&command).cloned().collect();
        let inline = all.join(" ");
        // Scripts named as the program to run, for saying what could not be read.
        for words in [&entrypoint, &command] {
            if let Some(first) = program(words) {
                let found = self.resolve(first, None).iter().any(|o| match o {
                    Origin::File(p) => self.ctx.sources.contains_key(p),
                    Origin::Heredoc(..) => true,
                });
                if looks_like_script(first) && !found {
                    st.unresolved.push(first.to_string());
                }
            }
        }
        self.walk(&mut st, label, None, inline, 0);
        // s6-overlay's init: `ENTRYPOINT ["/init"]`.
        if entrypoint.first().is_some_and(|e| e == "/init") {
            st.s6 = true;
            if let Some(img) = self.image {
                for dir in S6_DIRS {
                    for o in img.origins(dir) {
                        if let Origin::File(p) = o {
                            st.s6_dirs.push(p);
                        }
                    }
                }
            }
            let dirs = st.s6_dirs.clone();
            for p in self.ctx.entry_scripts.iter() {
                if dirs.iter().any(|d| p.starts_with(&format!("{d}/"))) {
                    let text = self.ctx.src(p).text.clone();
                    self.walk(&mut st, p.clone(), Some(p.clone()), text, 1);
                }
            }
        }
        st
    }

    /// Record a text and follow the scripts it names.
    fn walk(
        &mut self,
        st: &mut Start,
        from: String,
        file: Option<String>,
        text: String,
        depth: usize,
    ) {
        if st.texts.len() >= MAX_TEXTS {
            return;
        }
        if let Some(f) = &file {
            if !self.seen.insert(f.clone()) {
                return;
            }
        }
        st.texts.push(Text {
            from,
            file: file.clone(),
            text: text.clone(),
        });
        if depth >= MAX_DEPTH {
            return;
        }
        for cmd in commands(&text) {
            for (k, word) in cmd.iter().enumerate() {
                let is_program = Some(k) == program_index(&cmd);
                if !(looks_like_script(word) || is_program && !word.contains('/')) {
                    continue;
                }
                let origins = self.resolve(word, file.as_deref());
                let found = origins.iter().find(|o| match o {
                    Origin::File(p) => self.ctx.sources.contains_key(p),
                    Origin::Heredoc(..) => true,
                });
                match found {
                    Some(Origin::File(p)) => {
                        if is_script_name(p) {
                            let t = self.ctx.src(p).text.clone();
                            self.walk(st, p.clone(), Some(p.clone()), t, depth + 1);
                        }
                    }
                    Some(Origin::Heredoc(df, body)) => {
                        let key = format!("{df}#{word}");
                        if self.seen.insert(key) {
                            let (df, body) = (df.clone(), body.clone());
                            self.walk(st, format!("a heredoc of {df}"), None, body, depth + 1);
                        }
                    }
                    None => {
                        for o in origins {
                            if let Origin::File(p) = o {
                                if is_script_name(&p) && !st.wanted.contains(&p) {
                                    st.wanted.push(p);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The repository files a word of a command may be, most likely first.
    fn resolve(&self, word: &str, from_script: Option<&str>) -> Vec<Origin> {
        let word = word.trim_start_matches(['<', '!']);
        if word.is_empty() || word.contains('$') || word.starts_with('-') || word.contains("://") {
            return Vec::new();
        }
        let mut paths = Vec::new();
        if word.starts_with('/') {
            paths.push(join_abs("/", word));
        } else if word.contains('/') {
            paths.push(join_abs(&self.workdir, word));
        } else {
            // A bare name is looked up on PATH as a program, and in the working folder
            // as an argument (`sh start.sh`).
            paths.extend(PATH_DIRS.iter().map(|d| format!("{d}/{word}")));
            if word.ends_with(".sh") {
                paths.push(join_abs(&self.workdir, word));
            }
        }
        let mut out = Vec::new();
        for p in &paths {
            // Bind mounts hide what the image has there.
            if let Some((file, svc)) = self.service {
                for m in compose::mounts(svc).into_iter().filter(|m| m.bind) {
                    let Some(src) = m.source.as_deref() else {
                        continue;
                    };
                    let Some(host) = join(parent(file), src) else {
                        continue;
                    };
                    if *p == m.target {
                        out.push(Origin::File(host));
                    } else if let Some(rest) = below(p, &m.target) {
                        if let Some(f) = join(&host, rest) {
                            out.push(Origin::File(f));
                        }
                    }
                }
            }
            if let Some(img) = self.image {
                out.extend(img.origins(p));
            }
        }
        let relative = !word.starts_with('/') && (word.contains('/') || word.ends_with(".sh"));
        if relative {
            // Beside the script that runs it (`"$(dirname "$0")"/wait.sh`, `./other.sh`).
            if let Some(s) = from_script {
                out.extend(join(parent(s), word).map(Origin::File));
            }
            // A service without a Dockerfile here: from the compose file's folder.
            if self.image.is_none() {
                if let Some((file, _)) = self.service {
                    out.extend(join(parent(file), word).map(Origin::File));
                }
            }
        }
        let mut seen = BTreeSet::new();
        out.retain(|o| match o {
            Origin::File(p) => seen.insert(p.clone()),
            Origin::Heredoc(..) => true,
        });
        out
    }
}

/// A word that names a script: a path (`/entrypoint`, `./start.sh`) or a `*.sh` name.
fn looks_like_script(w: &str) -> bool {
    let w = w.trim_start_matches(['<', '!']);
    !w.contains('$')
        && !w.contains("://")
        && !w.starts_with('-')
        && (w.starts_with('/') || w.starts_with("./") || w.starts_with("../") || w.ends_with(".sh"))
        && is_script_name(w)
}

/// The repository files and s6 folders the project's starts name that the context has
/// not read: every compose service, and every Dockerfile not for development.
pub fn wanted(ctx: &Context) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let mut add = |st: Start| {
        files.extend(st.wanted);
        dirs.extend(st.s6_dirs);
    };
    for (file, c) in &ctx.compose {
        for (_, _, svc) in c.services() {
            add(of_service(ctx, file, svc));
        }
    }
    for (path, df) in &ctx.dockerfiles {
        add(of_image(ctx, &Image::of_dockerfile(ctx, path, df)));
    }
    files.sort();
    files.dedup();
    dirs.sort();
    dirs.dedup();
    (files, dirs)
}

// ---------------------------------------------------------------------------------------
// What the text does

/// Shell text as commands of words: comments removed, quotes dropped, split at `&&`,
/// `||`, `;`, `|`, newlines and `$(`/`)`.
pub fn commands(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        let cleaned: String = line
            .chars()
            .map(|c| {
                if matches!(c, '"' | '\'' | '`' | '{' | '}') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let cleaned = cleaned.replace("$(", ";").replace(['(', ')'], ";");
        for part in cleaned.split(['&', '|', ';']) {
            let words: Vec<String> = part.split_whitespace().map(String::from).collect();
            if !words.is_empty() {
                out.push(words);
            }
        }
    }
    out
}

/// Where the program of a command is: past shell keywords, `exec`, `!` and assignments.
/// Where the program of a command is: past shell keywords, `exec`, `!`, assignments,
/// init wrappers (`tini --`, `dumb-init`) and `sh -c`.
fn program_index(cmd: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < cmd.len() {
        let w = cmd[i].as_str();
        let skip = matches!(
            w,
            "if" | "then"
                | "else"
                | "elif"
                | "do"
                | "until"
                | "while"
                | "!"
                | "exec"
                | "time"
                | "nohup"
                | "command"
                | "--"
        ) || w.contains('=') && !w.starts_with('-') && !w.starts_with('/');
        if skip {
            i += 1;
            continue;
        }
        let b = basename(w);
        let shell_c = matches!(b, "sh" | "bash" | "ash" | "dash" | "zsh")
            && cmd.get(i + 1).is_some_and(|n| n.starts_with('-'));
        if matches!(b, "tini" | "dumb-init" | "env" | "catatonit") || shell_c {
            i += 1;
            while cmd.get(i).is_some_and(|n| n.starts_with('-') && n != "--") {
                i += 1;
            }
            continue;
        }
        return Some(i);
    }
    None
}

fn program(words: &[String]) -> Option<&str> {
    let i = program_index(words)?;
    let w = words[i].as_str();
    // `sh -c "..."` and `bash script.sh`: the script is what runs.
    if matches!(basename(w), "sh" | "bash" | "ash" | "dash" | "zsh") {
        return words[i + 1..]
            .iter()
            .find(|a| !a.starts_with('-'))
            .map(String::as_str)
            .filter(|a| !a.contains(' '));
    }
    Some(w)
}

/// A wait for a server before the app starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// The host waited for, when the text names one literally (`nc -z db 5432`).
    pub host: Option<String>,
    /// What waits, for messages (`pg_isready`, `wait-for-it`).
    pub how: String,
}

/// Probes that wait when they are run in a loop (`until pg_isready; do sleep 1; done`).
const PROBES: &[&str] = &[
    "pg_isready",
    "psql",
    "nc",
    "netcat",
    "ncat",
    "mysqladmin",
    "mariadb-admin",
    "mysql",
    "mariadb",
    "redis-cli",
];

/// The waits in shell text: `wait-for-it`, `wait-for`, `dockerize -wait`, docker-compose-
/// wait's `/wait`, a `manage.py wait_for_db`-style command, a script named for waiting,
/// and probes (`pg_isready`, `psql`, `nc -z`, `/dev/tcp/host/port`, `mysqladmin ping`)
/// inside an `until`/`while` loop.
pub fn waits(text: &str) -> Vec<Wait> {
    let cmds = commands(text);
    let looping = cmds.iter().any(|c| {
        c.iter()
            .any(|w| matches!(w.as_str(), "until" | "while" | "for"))
    });
    let mut out = Vec::new();
    for cmd in &cmds {
        let Some(at) = program_index(cmd) else {
            continue;
        };
        let prog = basename(&cmd[at]).to_string();
        let args = &cmd[at + 1..];
        let first_arg = || args.iter().find(|a| !a.starts_with('-')).cloned();
        let host_port = |s: &str| {
            let s = s.trim_start_matches("tcp://").trim_start_matches("http://");
            s.split(':')
                .next()
                .map(String::from)
                .filter(|h| !h.is_empty())
        };
        let flagged = |names: &[&str]| {
            args.iter().enumerate().find_map(|(i, a)| {
                names.iter().find_map(|n| {
                    if a == n {
                        args.get(i + 1).cloned()
                    } else {
                        a.strip_prefix(&format!("{n}=")).map(String::from)
                    }
                })
            })
        };
        let wait = match prog.trim_end_matches(".sh") {
            "wait-for-it" | "wait_for_it" | "wait-for" | "wait_for" => Some(Wait {
                host: flagged(&["-h", "--host"])
                    .or_else(|| first_arg().and_then(|a| host_port(&a))),
                how: prog.clone(),
            }),
            "dockerize" if args.iter().any(|a| a == "-wait" || a == "--wait") => Some(Wait {
                host: flagged(&["-wait", "--wait"]).and_then(|a| host_port(&a)),
                how: "dockerize -wait".into(),
            }),
            _ if cmd[at] == "/wait" => Some(Wait {
                host: None,
                how: "docker-compose-wait".into(),
            }),
            _ => None,
        };
        // `python manage.py wait_for_db`, `django-admin wait_for_database`.
        let manage_wait = cmd.iter().enumerate().find_map(|(i, w)| {
            (basename(w) == "manage.py" || basename(w) == "django-admin")
                .then(|| cmd.get(i + 1))
                .flatten()
                .filter(|sub| sub.contains("wait"))
        });
        // A script named for it: `wait-for-postgres.sh`, `/usr/local/bin/wait_for_db`.
        let named = cmd.iter().find(|w| {
            let b = basename(w).to_ascii_lowercase();
            (w.contains('/')
                || b.ends_with(".sh")
                || b.ends_with(".py")
                || at < cmd.len() && *w == &cmd[at])
                && b.starts_with("wait")
                && [
                    "db", "database", "postgres", "pg", "mysql", "maria", "for", "redis", "service",
                ]
                .iter()
                .any(|k| b.contains(k))
        });
        if let Some(w) = wait {
            out.push(w);
        } else if let Some(sub) = manage_wait {
            out.push(Wait {
                host: None,
                how: format!("manage.py {sub}"),
            });
        } else if let Some(n) = named {
            out.push(Wait {
                host: None,
                how: basename(n).to_string(),
            });
        } else if looping {
            if let Some(tcp) = cmd
                .iter()
                .find_map(|w| w.split_once("/dev/tcp/").map(|(_, r)| r))
            {
                out.push(Wait {
                    host: tcp
                        .split('/')
                        .next()
                        .map(String::from)
                        .filter(|h| !h.is_empty()),
                    how: "/dev/tcp".into(),
                });
            } else if PROBES.contains(&prog.as_str()) {
                let host = match prog.as_str() {
                    "nc" | "netcat" | "ncat" => args
                        .iter()
                        .filter(|a| !a.starts_with('-'))
                        .find(|a| a.parse::<u32>().is_err())
                        .cloned(),
                    _ => flagged(&["-h", "--host"]),
                };
                out.push(Wait {
                    host,
                    how: prog.clone(),
                });
            } else if (prog.starts_with("python") || cmd.iter().any(|w| w.starts_with("python")))
                && cmd
                    .iter()
                    .any(|w| w.contains("connect") || w.contains("check"))
                && cmd
                    .iter()
                    .any(|w| w.contains("--database") || w.contains("connect"))
            {
                out.push(Wait {
                    host: None,
                    how: "a Python connection check".into(),
                });
            }
        }
    }
    for w in &mut out {
        if w.host
            .as_deref()
            .is_some_and(|h| h.contains('$') || h.is_empty())
        {
            w.host = None;
        }
    }
    out
}

/// The user a command switches to before running the app: `gosu`, `su-exec`,
/// `s6-setuidgid`, `setpriv --reuid`, `runuser -u`, `chpst -u`, `su USER -c`, `sudo -u`.
/// None when it does not, or switches to root.
pub fn drops_to(text: &str) -> Option<String> {
    for cmd in commands(text) {
        let Some(at) = program_index(&cmd) else {
            continue;
        };
        // The program, or a switch it runs through (`chpst -u app gosu ...` is rare; the
        // program position is what counts).
        if let Some((i, w)) = cmd.iter().enumerate().skip(at).take(1).next() {
            let args = &cmd[i + 1..];
            let flagged = |names: &[&str]| {
                args.iter().enumerate().find_map(|(j, a)| {
                    names.iter().find_map(|n| {
                        if a == n {
                            args.get(j + 1).cloned()
                        } else {
                            a.strip_prefix(&format!("{n}="))
                                .or_else(|| (n.len() == 2).then(|| a.strip_prefix(n)).flatten())
                                .filter(|r| !r.is_empty())
                                .map(String::from)
                        }
                    })
                })
            };
            let user = match basename(w) {
                "gosu" | "su-exec" | "s6-setuidgid" | "setuidgid" => args.first().cloned(),
                "chpst" => flagged(&["-u"]),
                "setpriv" => flagged(&["--reuid"]),
                "runuser" => flagged(&["-u", "--user"])
                    .or_else(|| args.iter().find(|a| !a.starts_with('-')).cloned()),
                "sudo" => flagged(&["-u", "--user"]),
                "su" if args.iter().any(|a| a == "-c" || a.starts_with("--command")) => {
                    let mut skip = false;
                    args.iter()
                        .find(|a| {
                            if skip {
                                skip = false;
                                return false;
                            }
                            if matches!(
                                a.as_str(),
                                "-s" | "-c" | "--shell" | "--command" | "-g" | "-G"
                            ) {
                                skip = true;
                                return false;
                            }
                            !a.starts_with('-')
                        })
                        .cloned()
                }
                _ => None,
            };
            if let Some(u) = user {
                let u = u.split(':').next().unwrap_or("").to_string();
                if !u.is_empty() && u != "root" && u != "0" {
                    return Some(u);
                }
            }
        }
    }
    None
}

/// Does shell text run Django's development server (`manage.py runserver`,
/// `runserver_plus`)?
pub fn runs_dev_server(text: &str) -> bool {
    commands(text).iter().any(|c| {
        c.iter().any(|w| w == "runserver" || w == "runserver_plus")
            && c.iter().any(|w| {
                let b = basename(w);
                b == "manage.py" || b == "django-admin" || b == "django-admin.py"
            })
    })
}

/// Does a command keep an idle container up without running anything (`sleep infinity`,
/// `tail -f /dev/null`: a dev container the developer works in)?
pub fn idle(words: &[String]) -> bool {
    let text = words.join(" ");
    let cmds = commands(&text);
    let Some(last) = cmds.last() else {
        return false;
    };
    let Some(at) = program_index(last) else {
        return false;
    };
    let args = &last[at + 1..];
    match basename(&last[at]) {
        "sleep" => args
            .iter()
            .any(|a| a == "infinity" || a.parse::<u64>().is_ok_and(|n| n >= 86400)),
        "tail" => args.iter().any(|a| a == "/dev/null"),
        _ => false,
    }
}

/// Django management commands that do their work and exit.
const ONE_SHOT_COMMANDS: &[&str] = &[
    "migrate",
    "makemigrations",
    "collectstatic",
    "createsuperuser",
    "loaddata",
    "dumpdata",
    "compilemessages",
    "makemessages",
    "check",
    "createcachetable",
    "compress",
    "flush",
    "clearsessions",
    "showmigrations",
    "sqlmigrate",
    "test",
    "update_index",
    "rebuild_index",
    "wagtail_update_index",
    "sendtestemail",
];

/// The Django command a command line ends with, when it is one that exits
/// (`sh -c "python manage.py migrate && python manage.py collectstatic"`).
pub fn one_shot_command(words: &[String]) -> Option<String> {
    let text = words.join(" ");
    let last = commands(&text).pop()?;
    let at = last.iter().position(|w| {
        let b = basename(w);
        b == "manage.py" || b == "django-admin" || b == "django-admin.py"
    })?;
    let sub = last.get(at + 1)?;
    ONE_SHOT_COMMANDS
        .contains(&sub.as_str())
        .then(|| format!("manage.py {sub}"))
}

impl Start {
    /// Every wait, with where it is.
    pub fn waits(&self) -> Vec<(Wait, &str)> {
        self.texts
            .iter()
            .flat_map(|t| {
                waits(&t.text)
                    .into_iter()
                    .map(move |w| (w, t.from.as_str()))
            })
            .collect()
    }

    /// The s6-overlay long-running services' `run` scripts (a `run` with no `up` beside).
    fn s6_longruns(&self) -> Vec<&Text> {
        self.texts
            .iter()
            .filter(|t| {
                t.file.as_deref().is_some_and(|f| {
                    let dir = parent(f);
                    basename(f) == "run"
                        && self.s6_dirs.iter().any(|d| f.starts_with(&format!("{d}/")))
                        && !self
                            .texts
                            .iter()
                            .any(|o| o.file.as_deref() == Some(&format!("{dir}/up")))
                })
            })
            .collect()
    }

    /// The user the start switches to, and where: for s6-overlay, every long-running
    /// service must switch; otherwise any script on the way.
    pub fn drops_to(&self) -> Option<(String, &str)> {
        if self.s6 {
            let longruns = self.s6_longruns();
            if !longruns.is_empty() {
                let users: Vec<Option<String>> =
                    longruns.iter().map(|t| drops_to(&t.text)).collect();
                return match users.first() {
                    Some(Some(u)) if users.iter().all(Option::is_some) => {
                        Some((u.clone(), longruns[0].from.as_str()))
                    }
                    _ => None,
                };
            }
        }
        self.texts
            .iter()
            .find_map(|t| drops_to(&t.text).map(|u| (u, t.from.as_str())))
    }

    /// Where the start runs the development server.
    pub fn dev_server(&self) -> Option<&str> {
        self.texts
            .iter()
            .find(|t| runs_dev_server(&t.text))
            .map(|t| t.from.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Services: roles and one-shot jobs

/// Does a bind mount put the project's source in the container? The project folder (or
/// a folder above it) mounted anywhere; any host folder mounted over the code folder (the
/// image's WORKDIR, `/app`, `/code`, ...); a folder of Python code mounted inside it.
pub fn is_source_mount(
    ctx: &Context,
    file: &str,
    source: &str,
    target: &str,
    workdir: Option<&str>,
) -> bool {
    let Some(host) = join(parent(file), source) else {
        // Absolute host paths are a deployment's choice; `../..` contains the project.
        return !source.starts_with('/') && !source.starts_with('~');
    };
    if host.is_empty() {
        return true;
    }
    let code = |t: &str| CODE_DIRS.contains(&t) || workdir.is_some_and(|w| w != "/" && w == t);
    if code(target) {
        return true;
    }
    let inside_code = CODE_DIRS
        .iter()
        .copied()
        .chain(workdir.filter(|w| *w != "/"))
        .any(|d| below(target, d).is_some());
    let prefix = format!("{host}/");
    inside_code
        && ctx
            .files
            .iter()
            .any(|f| f.starts_with(&prefix) && f.ends_with(".py"))
}

/// What makes a compose file (whose name says nothing) a development file: the first
/// service that runs `manage.py runserver`, bind-mounts the source, builds a development
/// target or Dockerfile, uses development settings, or has a `develop:` (watch) section.
pub fn dev_evidence(ctx: &Context, file: &str, c: &ComposeFile) -> Option<String> {
    for (name, _, svc) in c.services() {
        let image = image_of(ctx, file, svc);
        let start = of_service(ctx, file, svc);
        if let Some(from) = start.dev_server() {
            return Some(if from.contains('/') {
                format!("service `{name}` runs `manage.py runserver` (in {from})")
            } else {
                format!("service `{name}` runs `manage.py runserver`")
            });
        }
        let workdir = svc
            .get("working_dir")
            .and_then(Node::as_str)
            .map(String::from)
            .or_else(|| image.as_ref().map(Image::workdir));
        for m in compose::mounts(svc).iter().filter(|m| m.bind) {
            let src = m.source.as_deref().unwrap_or_default();
            if is_source_mount(ctx, file, src, &m.target, workdir.as_deref()) {
                return Some(format!(
                    "service `{name}` bind-mounts the source (`{src}:{}`)",
                    m.target
                ));
            }
        }
        let build = svc.get("build");
        if let Some(t) = build.and_then(|b| b.get("target")).and_then(Node::as_str) {
            if is_dev_word(t) {
                return Some(format!("service `{name}` builds the `{t}` target"));
            }
        }
        // The Dockerfile's name (`Dockerfile-dev`, `compose/local/...`), read or not.
        let dockerfile = image.as_ref().map(|i| i.path.to_string()).or_else(|| {
            let b = build?;
            let context = b.get("context").and_then(Node::as_str).unwrap_or(".");
            let d = b.get("dockerfile").and_then(Node::as_str)?;
            join(parent(file), context).and_then(|c| join(&c, d))
        });
        if let Some(path) = dockerfile.filter(|p| compose::role(p) == Role::Development) {
            return Some(format!(
                "service `{name}` is built from {path}, a development Dockerfile"
            ));
        }
        for (k, v, _) in svc
            .get("environment")
            .map(|e| e.env_pairs())
            .unwrap_or_default()
        {
            if k == "DJANGO_SETTINGS_MODULE" {
                if let Some(v) = v.filter(|v| is_dev_settings(v)) {
                    return Some(format!("service `{name}` uses the settings {v}"));
                }
            }
        }
        if svc.get("develop").is_some() {
            return Some(format!("service `{name}` has a `develop:` (watch) section"));
        }
    }
    None
}

const DEV_WORDS: &[&str] = &[
    "dev",
    "development",
    "develop",
    "local",
    "debug",
    "test",
    "tests",
    "testing",
];

/// A build target or settings part that means development (`dev`, `local-dev`).
fn is_dev_word(s: &str) -> bool {
    s.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|p| DEV_WORDS.contains(&p))
}

/// Development settings: the module's last part is, or starts or ends with, a development
/// word (`config.settings.local`, `app.settings_dev`).
fn is_dev_settings(module: &str) -> bool {
    let last = module
        .rsplit('.')
        .next()
        .unwrap_or(module)
        .to_ascii_lowercase();
    let parts: Vec<&str> = last.split('_').collect();
    DEV_WORDS.contains(&last.as_str())
        || parts.first().is_some_and(|p| DEV_WORDS.contains(p))
        || parts.last().is_some_and(|p| DEV_WORDS.contains(p))
}

/// Why a service is meant to exit (so it needs no healthcheck and a restart policy would
/// make it loop): `restart: "no"` (or a Swarm restart condition of none), another service
/// waits for it with `condition: service_completed_successfully`, its command ends with a
/// Django command that exits (`migrate`, `collectstatic`, ...), or it sits behind
/// `profiles:` not named for production (a tool run by hand).
pub fn one_shot(
    ctx: &Context,
    file: &str,
    c: &ComposeFile,
    name: &str,
    svc: &Node,
) -> Option<String> {
    if svc.get("restart").and_then(Node::as_str) == Some("no") {
        return Some("`restart: \"no\"`".into());
    }
    if svc
        .get("deploy")
        .and_then(|d| d.get("restart_policy"))
        .and_then(|r| r.get("condition"))
        .and_then(Node::as_str)
        == Some("none")
    {
        return Some("a restart condition of `none`".into());
    }
    for (other, _, o) in c.services() {
        let completes = o
            .get("depends_on")
            .and_then(|d| d.get(name))
            .and_then(|d| d.get("condition"))
            .and_then(Node::as_str)
            == Some("service_completed_successfully");
        if completes {
            return Some(format!(
                "service `{other}` waits for it with `condition: service_completed_successfully`"
            ));
        }
    }
    if let Some(cmd) = one_shot_command(&of_service(ctx, file, svc).command) {
        return Some(format!("its command ends with `{cmd}`, which exits"));
    }
    let profiles: Vec<&str> = svc
        .get("profiles")
        .map(|p| p.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    if !profiles.is_empty()
        && !profiles
            .iter()
            .any(|p| compose::role(&format!("compose.{p}.yaml")) == Role::Production)
    {
        return Some(format!(
            "it sits behind `profiles: [{}]` (a tool run by hand)",
            profiles.join(", ")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(join("", "./a/b").as_deref(), Some("a/b"));
        assert_eq!(
            join("docker/compose", "../../.env").as_deref(),
            Some(".env")
        );
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("", "/abs"), None);
        assert_eq!(join_abs("/app", "./start.sh"), "/app/start.sh");
        assert_eq!(join_abs("/app", "/entrypoint"), "/entrypoint");
        assert_eq!(below("/app/x/y", "/app"), Some("x/y"));
        assert_eq!(below("/etc/x", "/"), Some("etc/x"));
        assert_eq!(below("/appx", "/app"), None);
        assert!(is_script_name("compose/production/django/entrypoint"));
        assert!(is_script_name("start.sh"));
        assert!(!is_script_name("manage.py"));
    }

    #[test]
    fn waits_are_found_and_their_hosts_read() {
        let hosts = |t: &str| waits(t).into_iter().map(|w| w.host).collect::<Vec<_>>();
        assert_eq!(
            hosts("until psql $DATABASE_URL -c '\\q'; do\n  sleep 1\ndone\nexec \"$@\"\n"),
            vec![None]
        );
        assert_eq!(
            hosts("sh -c 'until pg_isready -h db; do sleep 1; done; gunicorn x'"),
            vec![Some("db".into())]
        );
        assert_eq!(
            hosts("while ! nc -z db 5432; do sleep 1; done"),
            vec![Some("db".into())]
        );
        assert_eq!(
            hosts("while !</dev/tcp/db/5432; do sleep 1; done"),
            vec![Some("db".into())]
        );
        assert_eq!(
            hosts("wait-for-it \"${POSTGRES_HOST}:${POSTGRES_PORT}\" -t 30"),
            vec![None]
        );
        assert_eq!(
            hosts("/wait-for-it.sh db:5432 -- gunicorn x"),
            vec![Some("db".into())]
        );
        assert_eq!(
            hosts("dockerize -wait tcp://db:5432 -timeout 30s gunicorn"),
            vec![Some("db".into())]
        );
        assert_eq!(
            hosts("python manage.py wait_for_db && gunicorn x"),
            vec![None]
        );
        assert_eq!(hosts("./wait-for-postgres.sh && gunicorn x"), vec![None]);
        // A probe outside a loop does not wait; nor does an unrelated loop.
        assert!(waits("pg_isready -h db\nexec gunicorn x").is_empty());
        assert!(waits("for f in *.txt; do cat $f; done\nexec gunicorn x").is_empty());
        assert!(waits("exec gunicorn --bind 0.0.0.0:8000 x.wsgi").is_empty());
    }

    #[test]
    fn privilege_drops() {
        assert_eq!(drops_to("exec gosu app gunicorn x").as_deref(), Some("app"));
        assert_eq!(
            drops_to("exec su-exec django:django \"$@\"").as_deref(),
            Some("django")
        );
        assert_eq!(
            drops_to("exec s6-setuidgid paperless granian x").as_deref(),
            Some("paperless")
        );
        assert_eq!(
            drops_to("exec setpriv --reuid=1000 --regid=1000 --init-groups gunicorn").as_deref(),
            Some("1000")
        );
        assert_eq!(
            drops_to("exec runuser -u www -- gunicorn").as_deref(),
            Some("www")
        );
        assert_eq!(
            drops_to("exec chpst -u app:app gunicorn").as_deref(),
            Some("app")
        );
        assert_eq!(drops_to("su app -c 'gunicorn x'").as_deref(), Some("app"));
        assert_eq!(drops_to("exec gosu root gunicorn"), None);
        assert_eq!(drops_to("exec gunicorn --user app x"), None);
        assert_eq!(drops_to("echo gosu is not installed"), None);
    }

    #[test]
    fn one_shot_and_dev_server() {
        let w = |s: &str| super::super::dockerfile::shell_words(s);
        assert_eq!(
            one_shot_command(&w("python manage.py migrate")).as_deref(),
            Some("manage.py migrate")
        );
        assert_eq!(
            one_shot_command(&w(
                "sh -c \"python manage.py migrate && python manage.py collectstatic --noinput\""
            ))
            .as_deref(),
            Some("manage.py collectstatic")
        );
        assert_eq!(
            one_shot_command(&w("sh -c \"python manage.py migrate && gunicorn x\"")),
            None
        );
        assert_eq!(one_shot_command(&w("python manage.py run_huey")), None);
        assert!(runs_dev_server(
            "exec python manage.py runserver_plus 0.0.0.0:8000"
        ));
        assert!(!runs_dev_server("echo runserver"));
        assert!(is_dev_settings("config.settings.local"));
        assert!(is_dev_settings("app.settings_dev"));
        assert!(!is_dev_settings("config.settings.production"));
        assert!(is_dev_word("dev"));
        assert!(!is_dev_word("production"));
    }
}

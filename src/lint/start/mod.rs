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
use super::Context;
use crate::dockerfile::{Dockerfile, Instruction};
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

mod behaviour;
mod image;
mod paths;
mod roles;
mod shell;
#[cfg(test)]
mod tests;

pub use behaviour::*;
pub use image::*;
pub use paths::*;
pub use roles::*;
pub use shell::*;

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
            Some(s) => crate::dockerfile::shell_words(s),
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

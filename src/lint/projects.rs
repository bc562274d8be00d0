//! The Django projects of a lint context, and which one each Dockerfile builds.
//!
//! A repository often keeps its Django project one folder down (`src/`, `backend/`) with
//! the Dockerfile at the root doing `COPY backend /app`; some hold several manage.py (an
//! example or test project beside the application). Every project found (manage.py at
//! the root, or up to three folders down) is read; each one's settings are linted once,
//! and the rules that compare a Dockerfile with the settings use the project that
//! Dockerfile copies.

use super::Context;
use crate::config::Config;
use crate::detect::evidence::{Evidence, Warning};
use crate::detect::{layout, Facts, Options};
use crate::dockerfile::Dockerfile;
use crate::error::Error;
use std::path::{Path, PathBuf};

/// The manage.py files of the projects under `root` (relative paths): the root's own, or
/// every one found up to three folders down.
pub fn manage_files(root: &Path) -> Vec<String> {
    match layout::find_manage_py(root, None) {
        Ok(m) => vec![m],
        Err(Error::SeveralProjects { candidates, .. }) => {
            candidates.iter().map(|c| layout::to_rel(c)).collect()
        }
        Err(_) => Vec::new(),
    }
}

/// Read every project under `root`; what cannot be read becomes a warning.
pub fn read(root: &Path, config: &Config, warnings: &mut Vec<Warning>) -> Vec<Facts> {
    let mut out = Vec::new();
    for m in manage_files(root) {
        let opts = Options {
            manage: Some(PathBuf::from(&m)),
            ..Options::default()
        };
        match crate::detect::detect(root, config, &opts) {
            Ok(facts) => out.push(facts),
            Err(e) => warnings.push(Warning {
                evidence: Evidence::file(&m),
                message: format!("the Django project could not be read: {e}"),
                fallback: "the settings rules were skipped for it".into(),
            }),
        }
    }
    out
}

/// How a Dockerfile brings a project in: the project (an index into `ctx.projects`), where
/// its folder lands in the image, and the line of the COPY.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectCopy {
    pub project: usize,
    pub dest: String,
    pub line: u32,
    /// The copy is of the whole build context (`COPY . .`), not of a folder by name.
    pub whole: bool,
}

/// `a/./b/` → `a/b`; `.` → ``.
fn normalize(p: &str) -> String {
    p.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn join(a: &str, b: &str) -> String {
    normalize(&format!("{a}/{b}"))
}

/// Build contexts a Dockerfile may be built with: its own folder, the root, and the
/// `context:` of compose services that build it.
fn contexts(ctx: &Context, df_rel: &str) -> Vec<String> {
    let dir = layout::parent_dir(df_rel);
    let mut out = vec![dir.clone(), String::new()];
    for (file, c) in &ctx.compose {
        let base = layout::parent_dir(file);
        for (_, _, svc) in c.services() {
            let Some(b) = svc.get("build") else { continue };
            let (context, dockerfile) = match b.as_str() {
                Some(c) => (c.to_string(), "Dockerfile".to_string()),
                None => (
                    b.get("context")
                        .and_then(|n| n.as_str())
                        .unwrap_or(".")
                        .to_string(),
                    b.get("dockerfile")
                        .and_then(|n| n.as_str())
                        .unwrap_or("Dockerfile")
                        .to_string(),
                ),
            };
            if context.contains("://") || context.contains('$') {
                continue;
            }
            let context = join(&base, &context);
            if join(&context, &dockerfile) == df_rel {
                out.push(context);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Context {
    /// The projects a Dockerfile copies from the build context (`COPY backend /app`, or
    /// `COPY . .` from the project's own folder), with where each lands in the image.
    pub fn project_copies(&self, df_rel: &str, df: &Dockerfile) -> Vec<ProjectCopy> {
        let bases = contexts(self, df_rel);
        let mut out = Vec::new();
        let mut workdir = String::from("/");
        let mut stage = usize::MAX;
        for (n, i) in df.instructions.iter().enumerate() {
            if i.stage != stage {
                stage = i.stage;
                workdir = String::from("/");
            }
            if i.keyword == "WORKDIR" {
                let w = df.expand(n, i.args.trim());
                workdir = if w.starts_with('/') {
                    w
                } else {
                    format!("{}/{w}", workdir.trim_end_matches('/'))
                };
                continue;
            }
            if !matches!(i.keyword.as_str(), "COPY" | "ADD") || i.flag("from").is_some() {
                continue;
            }
            let words = i.words();
            let Some(dest) = words.last() else { continue };
            let dest = df.expand(n, dest);
            let dest = if dest.starts_with('/') {
                dest
            } else {
                format!("{}/{}", workdir.trim_end_matches('/'), dest)
            };
            let dest = format!("/{}", normalize(&dest));
            for s in i.sources() {
                let s = df.expand(n, &s);
                if s.contains(['*', '?', '$']) || s.contains("://") {
                    continue;
                }
                for base in &bases {
                    let full = join(base, &s);
                    for (k, p) in self.projects.iter().enumerate() {
                        // The copy brings manage.py: it is the project's folder or holds it.
                        let holds = full.is_empty()
                            || full == p.manage_dir
                            || p.manage_dir.starts_with(&format!("{full}/"));
                        if !holds {
                            continue;
                        }
                        // Where the project folder lands: the destination, plus the part
                        // of the project path below the copied folder.
                        let below = p.manage_dir[full.len()..].trim_start_matches('/');
                        let dest = if below.is_empty() {
                            dest.clone()
                        } else {
                            format!("{}/{below}", dest.trim_end_matches('/'))
                        };
                        out.push(ProjectCopy {
                            project: k,
                            dest,
                            line: i.line,
                            whole: full == *base,
                        });
                    }
                }
            }
        }
        out
    }

    /// The project a Dockerfile builds: the only one, else the only one it copies by its
    /// folder (`COPY backend .`), else the one whose folder holds the Dockerfile, else
    /// the only one under what it copies. None when that does not decide.
    pub fn project_for(&self, df_rel: &str) -> Option<&crate::detect::Facts> {
        self.project_index(df_rel).map(|k| &self.projects[k])
    }

    fn project_index(&self, df_rel: &str) -> Option<usize> {
        if self.projects.len() <= 1 {
            return (!self.projects.is_empty()).then_some(0);
        }
        let df = &self.dockerfiles.iter().find(|(p, _)| p == df_rel)?.1;
        let copies = self.project_copies(df_rel, df);
        let unique = |copies: &mut dyn Iterator<Item = &ProjectCopy>| {
            let mut ks: Vec<usize> = copies.map(|c| c.project).collect();
            ks.sort();
            ks.dedup();
            match ks[..] {
                [k] => Some(k),
                _ => None,
            }
        };
        // Copied by name: the copied folder is the project's or one on the way to it.
        if let Some(k) = unique(&mut copies.iter().filter(|c| !c.whole)) {
            return Some(k);
        }
        let dir = layout::parent_dir(df_rel);
        let inside: Vec<usize> = (0..self.projects.len())
            .filter(|&k| {
                let m = &self.projects[k].manage_dir;
                !m.is_empty() && (dir == *m || dir.starts_with(&format!("{m}/")))
            })
            .collect();
        if let [k] = inside[..] {
            return Some(k);
        }
        unique(&mut copies.iter())
    }

    /// Where a path of a project (relative to the lint root) is inside the image a
    /// Dockerfile builds, when the Dockerfile copies that project's folder.
    pub fn in_image(&self, df_rel: &str, df: &Dockerfile, path: &str) -> Option<String> {
        let k = self.project_index(df_rel)?;
        let m = &self.projects[k].manage_dir;
        let copies = self.project_copies(df_rel, df);
        let c = copies
            .iter()
            .filter(|c| c.project == k)
            .min_by_key(|c| c.whole)?
            .clone();
        let rest = if m.is_empty() {
            path
        } else if path == m {
            ""
        } else {
            path.strip_prefix(&format!("{m}/"))?
        };
        Some(if rest.is_empty() {
            c.dest
        } else {
            format!("{}/{rest}", c.dest.trim_end_matches('/'))
        })
    }

    /// The project the Dockerfiles (not for development) build, when they agree on one;
    /// with a line for the user saying which projects were found and which one is used.
    pub(super) fn choose_project(&self) -> (Option<usize>, Option<String>) {
        if self.projects.len() <= 1 {
            return ((!self.projects.is_empty()).then_some(0), None);
        }
        let mut chosen: Vec<(usize, &str)> = Vec::new();
        for (p, _) in super::rules::deployed_dockerfiles(self) {
            if let Some(k) = self.project_index(p) {
                if !chosen.iter().any(|(c, _)| *c == k) {
                    chosen.push((k, p));
                }
            }
        }
        let list = self
            .projects
            .iter()
            .map(|f| {
                format!(
                    "{} (settings {})",
                    f.manage_py,
                    f.settings_files
                        .first()
                        .map(String::as_str)
                        .unwrap_or("none read")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let head = format!(
            "{} Django projects: {list}; each one's settings are linted",
            self.projects.len()
        );
        match chosen[..] {
            [(k, df)] => (
                Some(k),
                Some(format!(
                    "{head}; the Dockerfile and compose rules use {} ({df} copies it)",
                    self.projects[k].manage_py
                )),
            ),
            _ => (
                None,
                Some(format!(
                    "{head}; no Dockerfile decides between them{}, so the rules that compare Dockerfiles or compose files with the settings use each Dockerfile's own project where it copies one, and skip the others",
                    if chosen.is_empty() { "" } else { " (they build different ones)" }
                )),
            ),
        }
    }
}

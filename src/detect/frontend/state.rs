//! Whether each output is committed, built locally (ignored by git) or absent.

use super::*;

/// .gitignore files of the project (the root's and those of the folders on the way).
pub(super) struct Ignores {
    matcher: Option<ignore::gitignore::Gitignore>,
    /// Plain patterns (no glob), anchored at the root, for "something below is ignored".
    plain: Vec<String>,
}

impl Ignores {
    pub(super) fn load(root: &Path) -> Ignores {
        let mut b = ignore::gitignore::GitignoreBuilder::new(root);
        let mut plain = Vec::new();
        let mut any = false;
        // Build outputs are entered: a bundler may write its own .gitignore there.
        let walk = crate::detect::walk::Walk::new(root)
            .max_depth(4)
            .with_hidden()
            .ignored(crate::detect::walk::Ignored::Seen)
            .into_outputs();
        for e in walk.entries().take(20_000) {
            if e.file_name() != ".gitignore" || !e.path().is_file() {
                continue;
            }
            any = true;
            let _ = b.add(e.path());
            let base = e
                .path()
                .parent()
                .and_then(|p| p.strip_prefix(root).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            for l in text.lines() {
                let l = l.trim();
                if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
                    continue;
                }
                let p = l
                    .trim_start_matches('/')
                    .trim_end_matches("/**")
                    .trim_end_matches("/*")
                    .trim_end_matches('/');
                if !p.is_empty() && !p.contains(['*', '?', '[']) {
                    plain.push(path_join(&base, p));
                }
            }
        }
        Ignores {
            matcher: any.then(|| b.build().ok()).flatten(),
            plain,
        }
    }

    pub(super) fn ignored(&self, rel: &str, is_dir: bool) -> bool {
        self.matcher
            .as_ref()
            .is_some_and(|m| m.matched_path_or_any_parents(rel, is_dir).is_ignore())
    }

    pub(super) fn ignores_below(&self, rel: &str) -> bool {
        self.plain.iter().any(|p| p.starts_with(&format!("{rel}/")))
    }
}

/// Whether an output is in the project (committed), a local build's output, or absent.
pub(super) fn state_of(root: &Path, rel: &str, ig: &Ignores) -> (OutputState, bool) {
    if rel.starts_with("..") || rel.starts_with('/') {
        return (OutputState::Outside, false);
    }
    let path = root.join(rel);
    let is_dir = path.is_dir();
    let ignored = !rel.is_empty() && ig.ignored(rel, is_dir || !path.exists());
    if ignored {
        return (OutputState::Built, true);
    }
    if !path.exists() {
        return (OutputState::Absent, false);
    }
    let content = |name: &str| !matches!(name, ".gitkeep" | ".keep" | ".gitignore" | ".DS_Store");
    let (mut kept, mut dropped) = (0usize, 0usize);
    if is_dir {
        for e in walkdir_files(&path) {
            let Ok(sub) = e.strip_prefix(root) else {
                continue;
            };
            let name = e
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !content(&name) {
                continue;
            }
            let sub = sub.to_string_lossy().replace('\\', "/");
            if ig.ignored(&sub, false) {
                dropped += 1;
            } else {
                kept += 1;
            }
        }
    } else {
        kept = 1;
    }
    if dropped > 0 || ig.ignores_below(rel) {
        (OutputState::Built, false)
    } else if kept > 0 {
        (OutputState::Committed, false)
    } else {
        (OutputState::Absent, false)
    }
}

/// Files under a folder, build outputs included (at most 5,000).
pub(super) fn walkdir_files(dir: &Path) -> Vec<std::path::PathBuf> {
    crate::detect::walk::Walk::new(dir)
        .with_hidden()
        .ignored(crate::detect::walk::Ignored::Seen)
        .into_outputs()
        .files()
        .take(5000)
        .map(|e| e.into_path())
        .collect()
}

/// Does the image need a Node stage, and why (not).
pub(super) fn decide(
    build: &[String],
    outputs: &[Output],
    serves_node_modules: bool,
) -> (bool, String) {
    let inside: Vec<&Output> = outputs
        .iter()
        .filter(|o| o.state != OutputState::Outside && o.kind != OutputKind::NodeModules)
        .collect();
    let list = |os: &[&Output]| {
        os.iter()
            .map(|o| format!("{} ({})", o.path, o.evidence))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let nm = if serves_node_modules {
        "; the settings serve files from node_modules, which is installed in the image"
    } else {
        ""
    };
    if build.is_empty() {
        return if serves_node_modules {
            (
                true,
                "no build script; the settings serve files from node_modules: a Node stage installs the packages and only the served folders reach the image".into(),
            )
        } else {
            (false, "package.json has no build script and the settings serve nothing from node_modules: no Node stage".into())
        };
    }
    let produced: Vec<&Output> = inside
        .iter()
        .copied()
        .filter(|o| o.kind.produced())
        .collect();
    if !produced.is_empty() && produced.iter().all(|o| o.state == OutputState::Committed) {
        if serves_node_modules {
            return (true, format!("the build's outputs are committed ({}), but the settings serve files from node_modules: a Node stage installs the packages", list(&produced)));
        }
        return (
            false,
            format!(
                "the build's outputs are committed (in the project, not ignored by .gitignore: {}): no Node stage; rebuild and commit them when the frontend changes",
                list(&produced)
            ),
        );
    }
    let pending: Vec<&Output> = inside
        .iter()
        .copied()
        .filter(|o| o.state != OutputState::Committed)
        .collect();
    if !pending.is_empty() {
        return (
            true,
            format!(
                "the build writes what the project does not commit: {}{nm}",
                list(&pending)
            ),
        );
    }
    if inside.is_empty() {
        return (
            true,
            format!("a build script and no setting or build configuration that says where it writes: the image runs it and keeps everything it writes{nm}"),
        );
    }
    (
        true,
        format!(
            "could not tell whether the build's outputs are committed (the settings read {}, which is committed, and nothing says where the build writes): the image runs the build and keeps everything it writes{nm}",
            list(&inside)
        ),
    )
}

// ---- An existing Dockerfile ----

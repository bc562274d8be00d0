//! What lint does with a file, from its name or, for a file named on the command line, its text.

/// What the context does with a file, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Dockerfile,
    Compose,
    /// A shell script near the root (three levels at most): an entrypoint, maybe.
    Script,
    /// The root's .dockerignore.
    DockerIgnore,
    /// Only its text is kept (settings files, a file named on stdin).
    Other,
}

impl FileKind {
    pub fn of(rel: &str) -> FileKind {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if is_dockerfile(name) {
            FileKind::Dockerfile
        } else if is_compose(name) {
            FileKind::Compose
        } else if name.ends_with(".sh") && rel.matches('/').count() <= 2 {
            FileKind::Script
        } else if rel == ".dockerignore" {
            FileKind::DockerIgnore
        } else {
            FileKind::Other
        }
    }
}

/// Dockerfiles by name: `Dockerfile`, `Containerfile`, and those names joined to another
/// word by `.`, `-` or `_` on either side (`Dockerfile.prod`, `Dockerfile-prod`,
/// `Dockerfile_uwsgi`, `prod.Dockerfile`), any case. Not their ignore files, nor templates,
/// documents or code named after them (`Dockerfile.j2`, `Dockerfile.md`, `dockerfile_test.py`).
pub fn is_dockerfile(name: &str) -> bool {
    const NOT: &[&str] = &[
        "dockerignore",
        "containerignore",
        "md",
        "rst",
        "txt",
        "j2",
        "jinja",
        "jinja2",
        "tpl",
        "tmpl",
        "template",
        "erb",
        "in",
        "orig",
        "bak",
        "swp",
        "py",
        "sh",
        "yml",
        "yaml",
        "json",
        "toml",
        "lock",
        "rs",
        "go",
        "js",
        "ts",
    ];
    let lower = name.to_ascii_lowercase();
    if let Some((_, ext)) = lower.rsplit_once('.') {
        if NOT.contains(&ext) {
            return false;
        }
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower
                .strip_prefix(base)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with(['.', '-', '_']))
            || lower
                .strip_suffix(base)
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with(['.', '-', '_']))
    })
}

impl FileKind {
    /// The kind of a file whose name says nothing, from its text: a Dockerfile starts
    /// (after comments) with a parser directive such as `# syntax=`, or with FROM or ARG;
    /// a compose file is YAML with a top-level `services:` key.
    pub fn from_text(rel: &str, text: &str) -> Option<FileKind> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let mut first = true;
        for l in lines.by_ref() {
            if let Some(c) = l.strip_prefix('#') {
                let directive = c
                    .split_once('=')
                    .map(|(k, _)| k.trim().to_ascii_lowercase());
                if first
                    && directive
                        .as_deref()
                        .is_some_and(|k| matches!(k, "syntax" | "escape" | "check"))
                {
                    return Some(FileKind::Dockerfile);
                }
                first = false;
                continue;
            }
            let word = l.split_whitespace().next().unwrap_or("");
            // `from x import y` is Python.
            if word == "FROM"
                || word == "ARG"
                || (word == "from" || word == "arg") && !l.contains(" import ") && !l.contains('(')
            {
                return Some(FileKind::Dockerfile);
            }
            break;
        }
        let yaml = rel.ends_with(".yml") || rel.ends_with(".yaml");
        if yaml && text.lines().any(|l| l.trim_end() == "services:") {
            return Some(FileKind::Compose);
        }
        None
    }
}

pub fn is_compose(name: &str) -> bool {
    (name.starts_with("compose") || name.starts_with("docker-compose"))
        && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_by_name_and_by_text() {
        for yes in [
            "Dockerfile",
            "Dockerfile.prod",
            "Dockerfile-prod",
            "Dockerfile_uwsgi",
            "prod.Dockerfile",
            "web-dockerfile",
            "Containerfile",
            "Containerfile.dev",
            "dockerfile",
        ] {
            assert!(is_dockerfile(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "Dockerfile.j2",
            "Dockerfile.md",
            "dockerfile_test.py",
            "Dockerfiles",
            "my_dockerfile_notes",
            "Dockerfile.",
            "Containerfile.containerignore",
        ] {
            assert!(!is_dockerfile(no), "{no}");
        }
        let df = Some(FileKind::Dockerfile);
        assert_eq!(
            FileKind::from_text("x", "# syntax=docker/dockerfile:1\nFROM a\n"),
            df
        );
        assert_eq!(
            FileKind::from_text("x", "# a comment\n\nARG PY=3.12\nFROM python:${PY}\n"),
            df
        );
        assert_eq!(FileKind::from_text("x", "from python:3.12-slim\n"), df);
        assert_eq!(
            FileKind::from_text("x.py", "from django.conf import settings\n"),
            None
        );
        assert_eq!(FileKind::from_text("x", "#!/bin/sh\nARG=1\n"), None);
        assert_eq!(FileKind::from_text("x", "RUN true\nFROM a\n"), None);
        assert_eq!(
            FileKind::from_text(
                "deploy/stack.yml",
                "x-common: &c {}\nservices:\n  web: {}\n"
            ),
            Some(FileKind::Compose)
        );
        assert_eq!(FileKind::from_text("ci.yml", "jobs:\n  services:\n"), None);
    }
}

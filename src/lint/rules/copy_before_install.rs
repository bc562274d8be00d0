use super::{commands, run_text};
use crate::dockerfile::{Dockerfile, Instruction};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL003",
    name: "copy-before-install",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`COPY . .` comes before the dependency install",
    doc: "### What it does\nFinds a stage that copies the whole build context (`COPY . .`, `ADD . /app`), or the\nDjango project's folder (`COPY backend/ /app` when manage.py is in `backend/`), before it\ninstalls the Python dependencies.\n\nThe question is whether the dependencies were installed from the dependency files\nalone, before the code came in. Installing the project itself after the copy is\nright, because that needs the code:\n- `pip install .`, `pip install -e .` (or the folder the code was copied to) after\n  `pip install -r requirements.txt`;\n- uv's two-step install: `uv sync --locked --no-install-project` (or\n  `--no-install-workspace`, `--no-install-package`) from `pyproject.toml` and `uv.lock`\n  copied or bind-mounted first, then `uv sync --locked` after the copy;\n- `poetry install --no-root`, `pdm install --no-self`, `pipenv install --deploy` from\n  their manifest and lock file, followed by a second install of the same tool.\n\nInstalling a packaging tool (`pip install pipenv`, `pip install --upgrade pip`) is not\na dependency install.\n### Why is this bad?\nAny change to any file invalidates the `COPY .` layer and every layer after it, so\nevery code change reinstalls every package: slow builds, no layer caching.\n### Example\n```dockerfile\nCOPY . .\nRUN pip install -r requirements.txt\n```\n### Fix\nCopy the dependency files first, install, then copy the code:\n```dockerfile\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n```\nWith uv:\n```dockerfile\nRUN --mount=type=bind,source=uv.lock,target=uv.lock \\\n    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n    uv sync --locked --no-install-project\nCOPY . .\nRUN uv sync --locked\n```",
    fixable: false,
    check,
};

/// The installer a command runs; a second install by the same tool after the copy only
/// adds the project (its dependencies are installed already).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    /// pip, pip3, `python -m pip`, `uv pip`.
    Pip,
    /// A dependency manager's own command (`poetry install`), by the manager's name.
    Manager(&'static str),
}

/// One install command of a RUN.
#[derive(Debug, Clone, PartialEq)]
struct Install {
    tool: Tool,
    /// Dependency files it reads: `-r requirements.txt`, or the tool's own manifest
    /// (`uv sync`, `poetry install`, ...), by file name.
    manifests: Vec<String>,
    /// Packages named on the command line, and paths that are not the project.
    named: Vec<String>,
    /// It installs the project itself (`.`, `-e .`, the folder the code is in).
    project: bool,
}

/// Packaging tools besides the dependency managers' own (whose commands are their package
/// names): installing them is not installing the project's dependencies.
const TOOLS: &[&str] = &["pip", "setuptools", "wheel", "virtualenv", "pip-tools"];

fn is_packaging_tool(pkg: &str) -> bool {
    TOOLS.contains(&pkg) || crate::detect::deps::by_command(pkg).is_some()
}

/// pip options that take a value (the next word, unless written `--opt=value`).
const PIP_VALUE_OPTS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--src",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--python",
    "-p",
    "-C",
    "--config-settings",
    "--upgrade-strategy",
    "--group",
    "--extra",
];

fn base_name(p: &str) -> String {
    p.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(p)
        .to_string()
}

/// The install commands of a RUN. `project_dirs` are the paths that mean the project
/// itself (`.`, the WORKDIR, where the code was copied).
fn installs(text: &str, project_dirs: &[String]) -> Vec<Install> {
    let mut out = Vec::new();
    for c in commands(text) {
        let w: Vec<&str> = c.iter().map(String::as_str).collect();
        let name = |i: usize| w.get(i).map(|s| s.rsplit('/').next().unwrap_or(s));
        for (k, _) in w.iter().enumerate() {
            let cmd = name(k).unwrap_or("");
            let sub = w.get(k + 1).copied().unwrap_or("");
            let is_pip = cmd == "pip"
                || cmd.strip_prefix("pip").is_some_and(|v| {
                    !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.')
                });
            if is_pip && sub == "install" || cmd == "uv" && sub == "pip" {
                let start = if cmd == "uv" {
                    if !matches!(w.get(k + 2).copied(), Some("install" | "sync")) {
                        break;
                    }
                    k + 3
                } else {
                    k + 2
                };
                let sync = cmd == "uv" && w.get(k + 2) == Some(&"sync");
                out.push(pip_install(&w[start..], sync, project_dirs));
                break;
            }
            let Some(manager) = crate::detect::deps::by_command(cmd) else {
                continue;
            };
            let lint = &manager.lint;
            if !lint.install_subcommands.contains(&sub) {
                break;
            }
            let args = &w[k + 2..];
            let deps_only = args.iter().any(|a| {
                lint.dependencies_only_flags
                    .iter()
                    .any(|f| a.split('=').next() == Some(f))
            });
            let only_root = args.contains(&"--only-root");
            // `pipenv install NAME` adds a package; the others take no package names.
            let named: Vec<String> = if lint.takes_package_names {
                args.iter()
                    .filter(|a| !a.starts_with('-'))
                    .map(|a| a.to_string())
                    .collect()
            } else {
                Vec::new()
            };
            let manifests = if only_root || !named.is_empty() {
                Vec::new()
            } else {
                vec![lint.manifest.to_string()]
            };
            out.push(Install {
                tool: Tool::Manager(manager.name),
                manifests,
                named,
                project: lint.installs_project && !deps_only,
            });
            break;
        }
    }
    out
}

/// `pip install ARGS` (or `uv pip install`/`uv pip sync`).
fn pip_install(args: &[&str], sync: bool, project_dirs: &[String]) -> Install {
    let mut i = Install {
        tool: Tool::Pip,
        manifests: Vec::new(),
        named: Vec::new(),
        project: false,
    };
    let is_project = |p: &str| {
        let p = p.split('[').next().unwrap_or(p);
        let p = p.trim_end_matches('/');
        p.is_empty() || p == "." || project_dirs.iter().any(|d| d.trim_end_matches('/') == p)
    };
    let mut n = 0;
    while n < args.len() {
        let a = args[n];
        let (opt, value) = match a.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ if a.len() > 2
                && (a.starts_with("-r") || a.starts_with("-e"))
                && !a.starts_with("--") =>
            {
                (&a[..2], Some(a[2..].to_string()))
            }
            _ => (a, None),
        };
        if PIP_VALUE_OPTS.contains(&opt) {
            let v = match value {
                Some(v) => v,
                None => {
                    n += 1;
                    args.get(n).map(|s| s.to_string()).unwrap_or_default()
                }
            };
            match opt {
                "-r" | "--requirement" => i.manifests.push(base_name(&v)),
                "-e" | "--editable" => {
                    if is_project(&v) {
                        i.project = true;
                    } else {
                        i.named.push(v);
                    }
                }
                _ => {}
            }
        } else if a.starts_with('-') {
            // A flag without a value.
        } else if sync {
            // `uv pip sync requirements.txt`
            i.manifests.push(base_name(a));
        } else if is_project(a) {
            i.project = true;
        } else {
            let pkg = a
                .split(['=', '<', '>', '!', '~', '[', ';', ' '])
                .next()
                .unwrap_or(a)
                .to_ascii_lowercase();
            if !is_packaging_tool(&pkg) {
                i.named.push(a.to_string());
            }
        }
        n += 1;
    }
    i
}

/// Absolute path of `p` against a working directory.
fn resolve(workdir: &str, p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        let p = p.trim_start_matches("./");
        format!("{}/{}", workdir.trim_end_matches('/'), p)
            .trim_end_matches("/.")
            .to_string()
    }
}

/// What each stage of the chain installed before its whole-context copy, and the first
/// install after it that does not only add the project. `tree_copies` are the lines of
/// COPY/ADD instructions that copy the Django project's folder by name (`COPY backend .`).
fn check_stage<'a>(
    df: &'a Dockerfile,
    s: usize,
    tree_copies: &[u32],
) -> Option<(&'a Instruction, &'a Instruction)> {
    let chain = df.stage_chain(s);
    // Dependency files installed before the code came in: by the parent stages (all of
    // their installs come first), then by this stage before its copy.
    let mut before: Vec<(Tool, String)> = Vec::new();
    let mut workdir = String::from("/");
    for &p in chain.iter().skip(1).rev() {
        for (n, i) in df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.stage == p)
        {
            if i.keyword == "WORKDIR" {
                workdir = resolve(&workdir, &df.expand(n, i.args.trim()));
            }
            if i.keyword == "RUN" {
                for x in installs(&run_text(i), &[workdir.clone()]) {
                    before.extend(x.manifests.iter().map(|m| (x.tool, m.clone())));
                }
            }
        }
    }
    let mut copied_all: Option<&Instruction> = None;
    let mut project_dirs = vec![workdir.clone()];
    for (n, i) in df
        .instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.stage == s)
    {
        match i.keyword.as_str() {
            "WORKDIR" => {
                workdir = resolve(&workdir, &df.expand(n, i.args.trim()));
                project_dirs.push(workdir.clone());
            }
            "COPY" | "ADD"
                if i.copies_context()
                    || i.flag("from").is_none() && tree_copies.contains(&i.line) =>
            {
                if let Some(dest) = i.words().last() {
                    project_dirs.push(resolve(&workdir, &df.expand(n, dest)));
                }
                copied_all.get_or_insert(i);
            }
            "RUN" => {
                for x in installs(&run_text(i), &project_dirs) {
                    let Some(copy) = copied_all else {
                        before.extend(x.manifests.iter().map(|m| (x.tool, m.clone())));
                        continue;
                    };
                    // After the copy: fine when it adds only the project, or reads only
                    // dependency files the same tool installed before the copy.
                    let deps_done = x.manifests.iter().all(|m| {
                        before
                            .iter()
                            .any(|(t, b)| *t == x.tool && (x.tool != Tool::Pip || b == m))
                    });
                    if !x.named.is_empty() || !deps_done {
                        return Some((copy, i));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let tree_copies: Vec<u32> = ctx
            .project_copies(file, df)
            .iter()
            .filter(|c| !c.whole)
            .map(|c| c.line)
            .collect();
        for s in 0..df.stages.len() {
            if let Some((copy, install)) = check_stage(df, s, &tree_copies) {
                let what = if copy.copies_context() {
                    format!("`{} .`", copy.keyword)
                } else {
                    format!(
                        "`{} {}` (the Django project's folder)",
                        copy.keyword,
                        copy.sources().join(" ")
                    )
                };
                out.push(Hit::new(
                    file,
                    ctx.src(file).line_span(copy.line),
                    format!(
                        "{what} comes before the dependency install at line {}",
                        install.line
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Install {
        installs(text, &["/app".into()]).remove(0)
    }

    #[test]
    fn install_commands_are_read_by_what_they_install() {
        let i = first("pip install --no-cache-dir -r requirements/prod.txt");
        assert_eq!(
            (i.tool, i.manifests, i.project),
            (Tool::Pip, vec!["prod.txt".to_string()], false)
        );
        let i = first("python -m pip install --no-deps -e .");
        assert!(i.project && i.named.is_empty() && i.manifests.is_empty());
        assert!(first("pip install /app/").project);
        assert!(first("pip3 install '.[prod]'").project);
        assert_eq!(
            first("pip install gunicorn==23.0 -i https://x").named,
            ["gunicorn==23.0"]
        );
        assert!(first("pip install --upgrade pip setuptools pipenv")
            .named
            .is_empty());
        let i = first("uv sync --locked --no-install-project --no-dev");
        assert_eq!((i.tool, i.project), (Tool::Manager("uv"), false));
        assert!(first("uv sync --frozen").project);
        assert!(!first("poetry install --no-root --only main").project);
        assert!(!first("pdm install --prod --no-self").project);
        assert_eq!(
            first("uv pip sync requirements.lock").manifests,
            ["requirements.lock"]
        );
        assert_eq!(first("pipenv install requests").named, ["requests"]);
        assert!(installs("uv lock && poetry lock && pip download x", &[]).is_empty());
    }
}

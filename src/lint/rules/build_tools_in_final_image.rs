use super::{commands, run_text};
use crate::dockerfile::{shell_words, substitute, Dockerfile};
use crate::lint::{Context, Hit, Rule, Severity};
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJL030",
    name: "build-tools-in-final-image",
    buildkit: None,
    severity: Severity::Warning,
    summary: "the final image keeps compilers, headers or a packaging tool",
    doc: "### What it does\nFinds the final stage (or a stage it is built `FROM`) installing build tools\n(`build-essential`, `gcc`, `build-base`, `-dev` header packages) with apt-get or apk, or a\npackaging tool (pipenv, poetry, pdm) with pip, unless the same RUN removes them again.\n\nA removal counts when it names them: `apt-get purge -y --auto-remove gcc libpq-dev`\n(shell variables such as `$BUILD_DEPS` are expanded), `apk del .build-deps` after\n`apk add --virtual .build-deps ...`, `pip uninstall -y pipenv`, or an auto-remove after\n`apt-mark auto` marked them. `apt-get purge -y --auto-remove` or `apt-get autoremove`\nwithout package names removes only packages that were installed automatically, never\nthe ones `apt-get install` named: those stay in the image.\n### Why is this bad?\nThey are needed to build wheels, never to run the app: hundreds of MB per image (seed\n001's image is 843 MB where about 500 MB does), and a compiler in the image helps an\nattacker. Removing them in a later RUN does not help: the layer that installed them\nis still part of the image.\n### Example\n```dockerfile\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \\\n && pip install --no-cache-dir -r requirements.txt \\\n && apt-get purge -y --auto-remove && rm -rf /var/lib/apt/lists/*\n```\n### Fix\nBuild in a first stage (install the tools there, build a virtualenv or wheels), then\ncopy only the result into a slim final stage with the runtime libraries (`libpq5`). Or\nremove them by name in the same RUN:\n`apt-get purge -y --auto-remove build-essential libpq-dev`.",
    fixable: false,
    check,
};

fn is_build_package(p: &str) -> bool {
    let p = package_name(p);
    matches!(
        p,
        "build-essential"
            | "gcc"
            | "g++"
            | "make"
            | "build-base"
            | "musl-dev"
            | "clang"
            | "cmake"
            | "pkg-config"
            | "pkgconf"
            | "linux-headers"
            | "rust"
            | "rustc"
            | "cargo"
    ) || p.ends_with("-dev") && !p.starts_with('-')
}

/// `gcc=4:12.2.0-3` or `gcc:amd64` → `gcc`.
fn package_name(p: &str) -> &str {
    p.split(['=', ':']).next().unwrap_or(p)
}

/// Options of apt-get and apk that take a value in the next word.
const VALUE_OPTS: &[&str] = &[
    "-o",
    "--option",
    "-c",
    "--config-file",
    "-t",
    "--target-release",
    "--virtual",
    "-X",
    "--repository",
    "-p",
    "--root",
    "--arch",
];

/// A package-manager command: the subcommand and its operands (options and their
/// values removed), and the `--virtual` name of an `apk add`.
struct PkgCommand<'a> {
    tool: &'a str,
    sub: &'a str,
    operands: Vec<&'a str>,
    flags: Vec<&'a str>,
    virtual_name: Option<&'a str>,
}

fn pkg_command(c: &[String]) -> Option<PkgCommand<'_>> {
    let t = c.iter().position(|w| {
        matches!(
            w.rsplit('/').next().unwrap_or(w),
            "apt-get" | "apt" | "apk" | "apt-mark" | "pip" | "pip3" | "pipx"
        )
    })?;
    let tool = c[t].rsplit('/').next().unwrap_or(&c[t]);
    let mut sub = None;
    let mut operands = Vec::new();
    let mut flags = Vec::new();
    let mut virtual_name = None;
    let mut k = t + 1;
    while k < c.len() {
        let w = c[k].as_str();
        if let Some(v) = w.strip_prefix("--virtual=") {
            virtual_name = Some(v);
        } else if VALUE_OPTS.contains(&w) {
            if matches!(w, "--virtual" | "-t") && tool == "apk" {
                virtual_name = c.get(k + 1).map(String::as_str);
            }
            k += 1;
        } else if w.starts_with('-') {
            flags.push(w);
        } else if sub.is_none() {
            sub = Some(w);
        } else {
            operands.push(w);
        }
        k += 1;
    }
    Some(PkgCommand {
        tool,
        sub: sub?,
        operands,
        flags,
        virtual_name,
    })
}

/// What one RUN leaves installed: build packages installed and not removed by name in
/// the same RUN, and whether it ran an auto-remove that named nothing.
struct RunResult {
    left: Vec<String>,
    bare_autoremove: bool,
}

/// Read a RUN's commands in order: installs add build packages, removals that name them
/// (directly, through a shell variable, an apk virtual package or `apt-mark auto`) take
/// them out again.
/// `installed` are build packages already there (from earlier RUNs).
fn run_packages(df: &Dockerfile, at: usize, text: &str, installed: &[String]) -> RunResult {
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    // Installed build packages, in order, with whether apt-mark made them automatic.
    let mut left: Vec<(String, bool)> = installed.iter().map(|p| (p.clone(), false)).collect();
    let mut virtuals: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut bare_autoremove = false;
    for raw in commands(text) {
        // Shell assignments (`BUILD_DEPS="gcc libpq-dev"`, `export X=...`) before a command.
        let mut words: Vec<String> = Vec::new();
        let mut assigning = true;
        for w in raw {
            if assigning && w == "export" {
                continue;
            }
            if assigning {
                if let Some((k, v)) = w.split_once('=') {
                    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        let v = expand(df, at, &vars, v);
                        vars.insert(k.to_string(), v);
                        continue;
                    }
                }
            }
            assigning = false;
            // Expanded words split again, as an unquoted `$BUILD_DEPS` does.
            words.extend(shell_words(&expand(df, at, &vars, &w)));
        }
        let Some(p) = pkg_command(&words) else {
            continue;
        };
        // A name djship cannot resolve (`$(cat build-deps)`) may be any package.
        let unresolved = |o: &str| o.contains('$') || o.contains('`');
        let remove = |left: &mut Vec<(String, bool)>, name: &str| {
            left.retain(|(x, _)| !unresolved(name) && package_name(x) != package_name(name))
        };
        let auto_remove = p
            .flags
            .iter()
            .any(|f| matches!(*f, "--auto-remove" | "--autoremove"))
            || p.sub == "autoremove";
        match (p.tool, p.sub) {
            ("apt-get" | "apt", "install") => {
                for o in p.operands.iter().filter(|o| is_build_package(o)) {
                    left.push((o.to_string(), false));
                }
            }
            ("apk", "add") => {
                let build: Vec<String> = p
                    .operands
                    .iter()
                    .filter(|o| is_build_package(o))
                    .map(|o| o.to_string())
                    .collect();
                if let Some(v) = p.virtual_name {
                    virtuals
                        .entry(v.to_string())
                        .or_default()
                        .extend(build.clone());
                }
                left.extend(build.into_iter().map(|b| (b, false)));
            }
            ("apk", "del") => {
                for o in &p.operands {
                    for member in virtuals.remove(*o).unwrap_or_default() {
                        remove(&mut left, &member);
                    }
                    remove(&mut left, o);
                }
            }
            ("apt-mark", "auto") => {
                for o in &p.operands {
                    let all = o.contains('*') || unresolved(o);
                    for (x, auto) in left.iter_mut() {
                        if all || package_name(x) == package_name(o) {
                            *auto = true;
                        }
                    }
                }
            }
            ("apt-mark", "manual") => {
                for o in &p.operands {
                    for (x, auto) in left.iter_mut() {
                        if package_name(x) == package_name(o) {
                            *auto = false;
                        }
                    }
                }
            }
            ("apt-get" | "apt", "purge" | "remove" | "autoremove") => {
                for o in &p.operands {
                    remove(&mut left, o);
                }
                if auto_remove {
                    left.retain(|(_, auto)| !auto);
                    if p.operands.is_empty() {
                        bare_autoremove = true;
                    }
                }
            }
            ("pip" | "pip3" | "pipx", "install") => {
                for o in &p.operands {
                    let name = o.split(['=', '<', '>', '~', '!', '[']).next().unwrap_or(o);
                    if crate::detect::deps::by_command(name).is_some_and(|m| m.lint.build_only_tool)
                    {
                        left.push((o.to_string(), false));
                    }
                }
            }
            ("pip" | "pip3" | "pipx", "uninstall") => {
                for o in &p.operands {
                    remove(&mut left, o);
                }
            }
            _ => {}
        }
    }
    RunResult {
        left: left.into_iter().map(|(x, _)| x).collect(),
        bare_autoremove,
    }
}

/// `$NAME`/`${NAME}` from the RUN's shell variables, then ARG/ENV as the builder sees them.
fn expand(df: &Dockerfile, at: usize, vars: &BTreeMap<String, String>, w: &str) -> String {
    if !w.contains('$') {
        return w.to_string();
    }
    let w = substitute(w, |name| vars.get(name).cloned());
    df.expand(at, &w)
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        let chain = df.stage_chain(df.final_stage());
        let runs: Vec<(usize, &crate::dockerfile::Instruction)> = df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| chain.contains(&i.stage) && i.keyword == "RUN")
            .collect();
        for (pos, (n, i)) in runs.iter().enumerate() {
            let r = run_packages(df, *n, &run_text(i), &[]);
            let Some(first) = r.left.first() else {
                continue;
            };
            // Removed by name in a later RUN: gone from the file system, not from the image.
            let later = runs[pos + 1..].iter().find(|(m, j)| {
                run_packages(df, *m, &run_text(j), &r.left).left.len() < r.left.len()
            });
            let mut msg = format!(
                "the final image keeps {}: needed to build, not to run",
                r.left.join(", ")
            );
            if let Some((_, j)) = later {
                msg.push_str(&format!(
                    "; removing them at line {} does not shrink the image, the layer that installed them stays",
                    j.line
                ));
            } else if r.bare_autoremove {
                msg.push_str(
                    "; an auto-remove that names no package removes only automatically installed packages, not these",
                );
            }
            out.push(Hit::new(
                file,
                ctx.src(file).find(i.line, i.end_line, first),
                msg,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse;

    fn left(run: &str) -> Vec<String> {
        let df = parse(&format!(
            "FROM python:3.12-slim\nARG BUILD=\"gcc make\"\nRUN {run}\n"
        ));
        run_packages(&df, 2, &run_text(&df.instructions[2]), &[]).left
    }

    #[test]
    fn removals_that_name_the_packages_remove_them() {
        assert_eq!(
            left("apt-get install -y gcc libpq-dev && pip install -r r.txt && apt-get purge -y --auto-remove && rm -rf /var/lib/apt/lists/*"),
            ["gcc", "libpq-dev"]
        );
        assert!(left(
            "apt-get install -y gcc libpq-dev && apt-get purge -y --auto-remove gcc libpq-dev"
        )
        .is_empty());
        assert!(left("DEPS=\"gcc libpq-dev\" && apt-get install -y $DEPS && apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false $DEPS").is_empty());
        assert!(left("apt-get install -y $BUILD && apt-get -y remove ${BUILD}").is_empty());
        assert!(left("apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev && pip install x && apk --purge del .build-deps").is_empty());
        assert_eq!(
            left("apk add -t .b gcc && apk add musl-dev && apk del .b"),
            ["musl-dev"]
        );
        assert!(left("apt-get install -y gcc; apt-mark auto '.*' > /dev/null; apt-mark manual $saved; apt-get purge -y --auto-remove").is_empty());
        assert_eq!(
            left("apt-get install -y gcc=4:12 make && apt-get autoremove -y"),
            ["gcc=4:12", "make"]
        );
        assert!(
            left("pip install pipenv && pipenv install --system && pip uninstall -y pipenv")
                .is_empty()
        );
        assert_eq!(left("apt-get install -y libpq5 curl"), Vec::<String>::new());
        assert!(left("apt-get install -y gcc && apt-get purge -y $(cat /build-deps)").is_empty());
    }
}

//! The Node stage that builds the frontend in the image, from the frontend facts.

use super::{FrontendStage, StageCopy};
use crate::detect::frontend::{Frontend, NodeManager, OutputKind, OutputState};
use crate::shell::quote as shell_quote;

const NPM_CACHE: &str = "/root/.npm";
const YARN_CACHE: &str = "/root/.cache/yarn";
const YARN_BERRY_CACHE: &str = "/root/.yarn/berry/cache";
const PNPM_STORE: &str = "/root/.local/share/pnpm/store";
/// Yarn 1, installed when the Node image has no yarn (the official images have it).
const YARN_CLASSIC: &str = "yarn@1.22.22";

/// The Node stage for a frontend that must be built in the image (or whose node_modules
/// the settings serve); `None` when the image needs no Node, with a note saying why.
pub(super) fn stage(f: &Frontend, notes: &mut Vec<String>) -> Option<FrontendStage> {
    for d in &f.from_dockerfile {
        notes.push(format!("taken from the project's Dockerfile: {d}"));
    }
    if !f.build_in_image {
        notes.push(format!("frontend ({}): {}", f.package_json.file, f.reason));
        return None;
    }
    let app = |p: &str| {
        if p.is_empty() {
            "/app".to_string()
        } else {
            format!("/app/{p}")
        }
    };
    let workdir = app(&f.dir);
    let mut copy = vec![f.package_json.file.clone()];
    copy.extend(f.lockfile.clone());
    copy.extend(f.install_files.iter().cloned());
    copy.extend(f.yarn_path.clone());
    let mut env = vec![(
        "HUSKY".to_string(),
        "0".to_string(), // git hooks installers (husky) have no repository to hook into
    )];
    let locked = f.lockfile.is_some();
    let (install, run, cache): (Vec<String>, String, Vec<&str>) = match f.manager {
        NodeManager::Npm => (
            vec![if locked {
                "npm ci --no-audit --no-fund".into()
            } else {
                "npm install --no-audit --no-fund".into()
            }],
            "npm run".into(),
            vec![NPM_CACHE],
        ),
        NodeManager::Yarn => {
            env.push(("YARN_CACHE_FOLDER".into(), YARN_CACHE.into()));
            (
                vec![
                    format!("(command -v yarn >/dev/null || npm install -g {YARN_CLASSIC})"),
                    if locked {
                        "yarn install --frozen-lockfile --non-interactive".into()
                    } else {
                        "yarn install --non-interactive".into()
                    },
                ],
                "yarn run".into(),
                vec![NPM_CACHE, YARN_CACHE],
            )
        }
        NodeManager::YarnBerry => {
            let flag = if locked { " --immutable" } else { "" };
            match &f.yarn_path {
                Some(p) => (
                    vec![format!("node /app/{p} install{flag}")],
                    format!("node /app/{p} run"),
                    vec![YARN_BERRY_CACHE],
                ),
                None => {
                    env.push(("COREPACK_ENABLE_DOWNLOAD_PROMPT".into(), "0".into()));
                    (
                        vec!["corepack enable".into(), format!("yarn install{flag}")],
                        "yarn run".into(),
                        vec![YARN_BERRY_CACHE],
                    )
                }
            }
        }
        NodeManager::Pnpm => {
            let v = f.manager_version.clone().unwrap_or_else(|| "9".into());
            let flag = if locked { " --frozen-lockfile" } else { "" };
            (
                vec![
                    format!(
                        "npm install -g --no-audit --no-fund pnpm@{}",
                        shell_quote(&v)
                    ),
                    format!("pnpm install{flag} --store-dir {PNPM_STORE}"),
                ],
                "pnpm run".into(),
                vec![NPM_CACHE, PNPM_STORE],
            )
        }
    };
    let mut build: Vec<String> = f
        .build_scripts
        .iter()
        .map(|s| format!("{run} {}", shell_quote(s)))
        .collect();
    if let (Some(last), Some(args)) = (build.last_mut(), &f.build_args) {
        // npm passes arguments to the script after `--`; yarn and pnpm pass them as they are.
        if f.manager == NodeManager::Npm {
            last.push_str(" --");
        }
        last.push(' ');
        last.push_str(args);
    }

    // What the runtime takes: the outputs the project does not commit, and the
    // node_modules folders the settings serve. Nested paths go with their parent.
    let mut wanted: Vec<(&str, bool, String)> = Vec::new();
    for o in &f.outputs {
        if o.state == OutputState::Outside {
            notes.push(format!(
                "{} ({}) is outside the project folder: the image cannot hold it",
                o.path, o.evidence
            ));
            continue;
        }
        let why = match o.kind {
            OutputKind::NodeModules => {
                format!("served from node_modules by the settings ({})", o.evidence)
            }
            OutputKind::StaticfilesDir => format!("in STATICFILES_DIRS ({})", o.evidence),
            OutputKind::WebpackStats => {
                format!("the STATS_FILE of WEBPACK_LOADER ({})", o.evidence)
            }
            OutputKind::ViteManifest => format!("the manifest of DJANGO_VITE ({})", o.evidence),
            OutputKind::ViteAssets => format!("the assets folder of django-vite ({})", o.evidence),
            OutputKind::BuildConfig => format!(
                "the output folder of the build configuration ({})",
                o.evidence
            ),
            OutputKind::BuildScript => format!("written by the build script ({})", o.evidence),
        };
        if o.kind == OutputKind::NodeModules
            || (!build.is_empty() && o.state != OutputState::Committed)
        {
            wanted.push((o.path.as_str(), o.file, why));
        }
    }
    let under = |p: &str, q: &str| p == q || p.starts_with(&format!("{q}/"));
    let kept: Vec<&(&str, bool, String)> = wanted
        .iter()
        .filter(|(p, _, _)| !wanted.iter().any(|(q, _, _)| q != p && under(p, q)))
        .collect();
    let whole_tree = !build.is_empty()
        && !kept
            .iter()
            .any(|(p, _, _)| !p.split('/').any(|c| c == "node_modules"));
    let modules = format!("{}/node_modules", workdir);
    let mut copies = Vec::new();
    let mut module_paths: Vec<String> = Vec::new();
    for (p, file, why) in &kept {
        let to = app(p);
        let is_modules = p.split('/').any(|c| c == "node_modules");
        // With the whole tree taken, node_modules is moved out of /app first.
        let from = if whole_tree && is_modules {
            to.replacen(&modules, "/node_modules", 1)
        } else {
            to.clone()
        };
        // A missing folder is what Django tolerates (a warning): left empty, said in the
        // build log. A missing file (a manifest the templates read) fails the build.
        if is_modules {
            module_paths.push(to.clone());
        } else if *file {
            build.push(format!(
                "if [ ! -f {to} ]; then echo {} >&2; exit 1; fi",
                shell_quote(&format!("djship: the build wrote no {p}, {why}"))
            ));
        } else {
            build.push(format!(
                "if [ ! -d {to} ]; then echo {} >&2; mkdir -p {to}; fi",
                shell_quote(&format!(
                    "djship: warning: the build wrote no {p}, {why}; it is left empty"
                ))
            ));
        }
        copies.push(StageCopy {
            from,
            to,
            why: why.clone(),
        });
    }
    // One loop over the served folders (a plain test for one: a loop of one is a smell).
    let missing = "djship: warning: $d is not installed, though the settings serve it; it is left empty: add its package to package.json";
    let test = format!("if [ ! -e \"$d\" ]; then echo \"{missing}\" >&2; mkdir -p \"$d\"; fi");
    match module_paths.as_slice() {
        [] => {}
        [one] => build.push(test.replace("\"$d\"", one).replace("$d", one)),
        many => build.push(format!("for d in {}; do {test}; done", many.join(" "))),
    }
    if whole_tree {
        // Yarn's Plug'n'Play installs no node_modules.
        build.push(format!(
            "if [ -d {modules} ]; then mv {modules} /node_modules; fi"
        ));
    }
    let dockerignore: Vec<String> = f
        .outputs
        .iter()
        .filter(|o| o.ignored && o.kind != OutputKind::NodeModules && !o.path.is_empty())
        .map(|o| o.path.clone())
        .collect();
    if !f.build_scripts.is_empty() {
        notes.push(format!(
            "the frontend is built in a Node stage ({}): {}; the development setup uses the project folder as it is: run the build there first",
            f.build_reason, f.reason
        ));
    } else {
        notes.push(format!(
            "a Node stage installs the frontend's packages: {}",
            f.reason
        ));
    }
    if whole_tree {
        notes.push("the frontend build's outputs are not known: the image takes the project as the Node stage leaves it (node_modules moved out)".into());
    }
    // With an install-only stage, the checks run as part of the install step.
    let (install, build) = if f.build_scripts.is_empty() {
        let mut i = install;
        i.extend(build);
        (i, Vec::new())
    } else {
        (install, build)
    };
    Some(FrontendStage {
        workdir,
        copy,
        cache: cache.into_iter().map(String::from).collect(),
        env,
        install,
        build,
        copies,
        whole_tree,
        dockerignore,
        why: format!(
            "{} from {}; Node {}: {}",
            f.manager.name(),
            f.manager_reason,
            f.node.version,
            f.node.source
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::frontend::NODE_LTS;
    use crate::options::{Flags, ImageChoice, Options};
    use crate::plan::{build, Plan};

    type Files<'a> = &'a [(&'a str, &'a str)];

    const SETTINGS: &str = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\n";

    /// The plan of a minimal project with these extra files and settings lines.
    fn plan_of(files: &[(&str, &str)], settings: &str, o: &ImageChoice) -> Plan {
        let d = tempfile::tempdir().unwrap();
        let mut all: Vec<(String, String)> = vec![
            (
                "manage.py".into(),
                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
                    .into(),
            ),
            ("site/__init__.py".into(), String::new()),
            ("site/settings.py".into(), format!("{SETTINGS}{settings}")),
            ("requirements.txt".into(), "Django==5.2.*\n".into()),
        ];
        all.extend(files.iter().map(|(a, b)| (a.to_string(), b.to_string())));
        for (p, text) in &all {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let flags = Flags {
            images: o.clone(),
            ..Flags::at(d.path(), None)
        };
        let o = Options::resolve(&flags).unwrap();
        let facts =
            crate::detect::detect(d.path(), &o.config, &crate::detect::Options::default()).unwrap();
        build(&facts, &o, false, None)
    }

    const BUILD: &str = r#"{"scripts": {"build": "node build.js"}}"#;
    const DIST: &str = "STATICFILES_DIRS = [BASE_DIR / 'assets' / 'dist']\n";

    #[test]
    fn each_manager_installs_from_its_lockfile_with_its_cache() {
        let cases: &[(Files, &[&str], &str, &[&str])] = &[
            (
                &[("package-lock.json", "{}")],
                &["npm ci --no-audit --no-fund"],
                "npm run build",
                &[NPM_CACHE],
            ),
            (
                &[],
                &["npm install --no-audit --no-fund"],
                "npm run build",
                &[NPM_CACHE],
            ),
            (
                &[("yarn.lock", "# yarn lockfile v1\n")],
                &[
                    "(command -v yarn >/dev/null || npm install -g yarn@1.22.22)",
                    "yarn install --frozen-lockfile --non-interactive",
                ],
                "yarn run build",
                &[NPM_CACHE, YARN_CACHE],
            ),
            (
                &[
                    ("yarn.lock", "__metadata:\n"),
                    (".yarnrc.yml", "yarnPath: .yarn/releases/yarn-4.5.0.cjs\n"),
                    (".yarn/releases/yarn-4.5.0.cjs", "//\n"),
                ],
                &["node /app/.yarn/releases/yarn-4.5.0.cjs install --immutable"],
                "node /app/.yarn/releases/yarn-4.5.0.cjs run build",
                &[YARN_BERRY_CACHE],
            ),
            (
                &[("pnpm-lock.yaml", "lockfileVersion: '6.0'\n")],
                &[
                    "npm install -g --no-audit --no-fund pnpm@8",
                    "pnpm install --frozen-lockfile --store-dir /root/.local/share/pnpm/store",
                ],
                "pnpm run build",
                &[NPM_CACHE, PNPM_STORE],
            ),
        ];
        for (files, install, build, cache) in cases {
            let mut all = vec![("package.json", BUILD)];
            all.extend_from_slice(files);
            let p = plan_of(&all, DIST, &ImageChoice::default());
            let f = p.frontend.unwrap_or_else(|| panic!("{files:?}: no stage"));
            assert_eq!(f.install, *install, "{files:?}");
            assert_eq!(f.build[0], *build, "{files:?}");
            assert_eq!(f.cache, *cache, "{files:?}");
            assert_eq!(f.copy[0], "package.json");
            assert_eq!(f.workdir, "/app");
        }
    }

    #[test]
    fn outputs_are_copied_checked_and_kept_out_of_the_context() {
        let p = plan_of(
            &[
                ("package.json", BUILD),
                ("package-lock.json", "{}"),
                (".gitignore", "/assets/dist/\n"),
                ("assets/dist/old.css", "stale"),
            ],
            &format!("{DIST}WEBPACK_LOADER = {{'DEFAULT': {{'STATS_FILE': BASE_DIR / 'webpack-stats.json'}}}}\n"),
            &ImageChoice::default(),
        );
        let f = p.frontend.unwrap();
        let to: Vec<&str> = f.copies.iter().map(|c| c.to.as_str()).collect();
        assert_eq!(to, ["/app/assets/dist", "/app/webpack-stats.json"]);
        assert!(!f.whole_tree);
        assert_eq!(f.dockerignore, ["assets/dist"]);
        // A missing folder is left empty with a warning; a missing manifest fails the build.
        assert!(
            f.build[1].starts_with("if [ ! -d /app/assets/dist ]")
                && f.build[1].contains("mkdir -p")
        );
        assert!(
            f.build[2].starts_with("if [ ! -f /app/webpack-stats.json ]")
                && f.build[2].contains("exit 1")
        );
        assert_eq!(p.images.node, format!("node:{NODE_LTS}-slim"));
    }

    #[test]
    fn build_arguments_follow_the_manager() {
        let ws = r#"{"projects": {"a": {"architect": {"build": {"options": {"outputPath": "dist/a"}, "configurations": {"production": {}}}}}}}"#;
        for (lock, want) in [
            (
                ("package-lock.json", "{}"),
                "npm run build -- --configuration production",
            ),
            (
                ("yarn.lock", ""),
                "yarn run build --configuration production",
            ),
        ] {
            let p = plan_of(
                &[
                    ("package.json", r#"{"scripts": {"build": "ng build"}}"#),
                    ("angular.json", ws),
                    lock,
                ],
                "",
                &ImageChoice::default(),
            );
            assert_eq!(p.frontend.unwrap().build[0], want);
        }
    }

    #[test]
    fn unknown_outputs_keep_the_whole_tree() {
        let p = plan_of(
            &[("package.json", BUILD), ("package-lock.json", "{}")],
            "",
            &ImageChoice::default(),
        );
        let f = p.frontend.unwrap();
        assert!(f.whole_tree && f.copies.is_empty());
        assert_eq!(
            f.build.last().unwrap(),
            "if [ -d /app/node_modules ]; then mv /app/node_modules /node_modules; fi"
        );
        assert!(
            p.notes.iter().any(|n| n.contains("outputs are not known")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn served_node_modules_without_build_install_only() {
        let p = plan_of(
            &[
                ("package.json", r#"{"dependencies": {"htmx.org": "2.0.4"}}"#),
                ("package-lock.json", "{}"),
            ],
            "STATICFILES_DIRS = [('htmx', BASE_DIR / 'node_modules' / 'htmx.org' / 'dist'), BASE_DIR / 'static']\n",
            &ImageChoice::default(),
        );
        let f = p.frontend.unwrap();
        assert!(f.build.is_empty());
        assert_eq!(f.install[0], "npm ci --no-audit --no-fund");
        assert!(
            f.install[1].starts_with("if [ ! -e /app/node_modules/htmx.org/dist ]; then echo \"djship: warning: /app/node_modules/htmx.org/dist is not installed"),
            "{}",
            f.install[1]
        );
        let to: Vec<&str> = f.copies.iter().map(|c| c.to.as_str()).collect();
        // static/ is not the frontend's: without a build it comes with the code.
        assert_eq!(to, ["/app/node_modules/htmx.org/dist"]);
    }

    #[test]
    fn committed_outputs_need_no_node_and_say_so() {
        let p = plan_of(
            &[
                (
                    "package.json",
                    r#"{"scripts": {"build": "tailwindcss -i src/in.css -o assets/dist/site.css"}}"#,
                ),
                ("package-lock.json", "{}"),
                ("assets/dist/site.css", "body{}"),
            ],
            DIST,
            &ImageChoice::default(),
        );
        assert!(p.frontend.is_none());
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("committed") && n.contains("assets/dist/site.css")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn node_image_from_the_version_or_overridden() {
        let files = [
            ("package.json", BUILD),
            ("package-lock.json", "{}"),
            (".nvmrc", "20.11.1\n"),
        ];
        let p = plan_of(&files, DIST, &ImageChoice::default());
        assert_eq!(p.images.node, "node:20.11.1-slim");
        let o = ImageChoice {
            node: Some("registry.example.com/node:20".into()),
            ..Default::default()
        };
        assert_eq!(
            plan_of(&files, DIST, &o).images.node,
            "registry.example.com/node:20"
        );
    }
}

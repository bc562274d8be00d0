//! The frontend detection on small projects of our own.

use super::*;
use crate::detect::settings::FileCache;

type Files<'a> = &'a [(&'a str, &'a str)];

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let path = d.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    d
}

const SETTINGS: &str = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nINSTALLED_APPS = []\n";

fn detect_in(files: &[(&str, &str)], extra_settings: &str) -> (Option<Frontend>, Vec<Warning>) {
    let mut all: Vec<(&str, String)> = files.iter().map(|(a, b)| (*a, b.to_string())).collect();
    all.push(("site/settings.py", format!("{SETTINGS}{extra_settings}")));
    all.push((
        "manage.py",
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n".into(),
    ));
    let refs: Vec<(&str, &str)> = all.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let d = project(&refs);
    let mut cache = FileCache::with_overlay(d.path(), "", Default::default());
    let prod = crate::detect::settings::evaluate(&mut cache, "site/settings.py");
    let mut w = Vec::new();
    let f = detect(d.path(), "", &prod, &mut w);
    (f, w)
}

const PKG: &str = r#"{"name": "x", "scripts": {"build": "node build.js", "dev": "node watch.js"}}"#;

#[test]
fn no_package_json_no_frontend() {
    let (f, w) = detect_in(
        &[("static/app.css", "body{}")],
        "STATICFILES_DIRS = [BASE_DIR / 'static']\n",
    );
    assert!(f.is_none());
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn each_lockfile_gives_its_manager() {
    let cases: &[(Files, NodeManager, Option<&str>)] = &[
        (
            &[("package-lock.json", "{}")],
            NodeManager::Npm,
            Some("package-lock.json"),
        ),
        (
            &[("npm-shrinkwrap.json", "{}")],
            NodeManager::Npm,
            Some("npm-shrinkwrap.json"),
        ),
        (
            &[("yarn.lock", "# yarn lockfile v1\n")],
            NodeManager::Yarn,
            Some("yarn.lock"),
        ),
        (
            &[("yarn.lock", "__metadata:\n  version: 8\n")],
            NodeManager::YarnBerry,
            Some("yarn.lock"),
        ),
        (
            &[
                ("yarn.lock", "# yarn lockfile v1\n"),
                (".yarnrc.yml", "nodeLinker: node-modules\n"),
            ],
            NodeManager::YarnBerry,
            Some("yarn.lock"),
        ),
        (
            &[("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")],
            NodeManager::Pnpm,
            Some("pnpm-lock.yaml"),
        ),
        (&[], NodeManager::Npm, None),
    ];
    for (files, want, lock) in cases {
        let mut all = vec![("package.json", PKG)];
        all.extend_from_slice(files);
        let (f, w) = detect_in(&all, "");
        let f = f.unwrap();
        assert_eq!(f.manager, *want, "{files:?}");
        assert_eq!(f.lockfile.as_deref(), *lock, "{files:?}");
        // No lockfile: a warning that versions are resolved at build time.
        assert_eq!(
            w.iter().any(|w| w.message.contains("no lockfile")),
            lock.is_none(),
            "{w:?}"
        );
    }
}

#[test]
fn pnpm_version_from_lockfile_format_or_package_manager() {
    let (f, _) = detect_in(
        &[
            ("package.json", PKG),
            ("pnpm-lock.yaml", "lockfileVersion: '6.0'\n"),
        ],
        "",
    );
    assert_eq!(f.unwrap().manager_version.as_deref(), Some("8"));
    let pkg = r#"{"packageManager": "pnpm@9.12.1+sha512.abc", "scripts": {"build": "vite build"}}"#;
    let (f, _) = detect_in(
        &[
            ("package.json", pkg),
            ("pnpm-lock.yaml", "lockfileVersion: '6.0'\n"),
        ],
        "",
    );
    assert_eq!(f.unwrap().manager_version.as_deref(), Some("9.12.1"));
}

#[test]
fn several_lockfiles_warn_and_package_manager_decides() {
    let pkg = r#"{"packageManager": "npm@10.2.0", "scripts": {"build": "x"}}"#;
    let (f, w) = detect_in(
        &[
            ("package.json", pkg),
            ("package-lock.json", "{}"),
            ("yarn.lock", ""),
        ],
        "",
    );
    assert_eq!(f.unwrap().manager, NodeManager::Npm);
    assert!(
        w.iter().any(|w| w.message.contains("several lockfiles")),
        "{w:?}"
    );
    let (f, _) = detect_in(
        &[
            ("package.json", PKG),
            ("package-lock.json", "{}"),
            ("yarn.lock", ""),
        ],
        "",
    );
    assert_eq!(f.unwrap().manager, NodeManager::Yarn);
}

#[test]
fn yarn_path_of_yarnrc_yml() {
    let (f, _) = detect_in(
        &[
            ("package.json", PKG),
            ("yarn.lock", "__metadata:\n"),
            (".yarnrc.yml", "yarnPath: .yarn/releases/yarn-4.1.0.cjs\n"),
            (".yarn/releases/yarn-4.1.0.cjs", "// yarn"),
        ],
        "",
    );
    let f = f.unwrap();
    assert_eq!(
        f.yarn_path.as_deref(),
        Some(".yarn/releases/yarn-4.1.0.cjs")
    );
    assert!(f.install_files.contains(&".yarnrc.yml".to_string()));
}

#[test]
fn each_node_version_source() {
    let lock = ("package-lock.json", "{}");
    let cases: &[(Files, &str, &str)] = &[
        (&[(".nvmrc", "v18.17.0\n")], "18.17.0", ".nvmrc"),
        (&[(".nvmrc", "lts/iron\n")], "20", ".nvmrc"),
        (&[(".nvmrc", "lts/*\n")], NODE_LTS, "current Node LTS"),
        (&[(".node-version", "20.11\n")], "20.11", ".node-version"),
        (
            &[(".tool-versions", "python 3.12.1\nnodejs 22.3.0\n")],
            "22.3.0",
            ".tool-versions",
        ),
        (
            &[(".nvmrc", "16\n"), (".node-version", "20\n")],
            "16",
            ".nvmrc",
        ),
        (
            &[("Dockerfile", "FROM node:20-alpine AS assets\nRUN npm ci\n")],
            "20",
            "Dockerfile",
        ),
        (&[], NODE_LTS, "current Node LTS"),
    ];
    for (files, want, source) in cases {
        let mut all = vec![("package.json", PKG), lock];
        all.extend_from_slice(files);
        let (f, _) = detect_in(&all, "");
        let n = f.unwrap().node;
        assert_eq!(n.version, *want, "{files:?}");
        assert!(n.source.contains(source), "{files:?}: {}", n.source);
    }
}

#[test]
fn engines_ranges_pick_the_newest_lts_they_allow() {
    for (range, want) in [
        (">=18", "24"),
        ("^18 || ^20", "20"),
        ("18.x", "18"),
        ("~16.14", "16.14"),
        (">=14 <21", "20"),
        ("20.11.1", "20.11.1"),
        (">= 16.0.0", "24"),
        ("16 - 18", "18"),
        ("^21", "21"),
    ] {
        assert_eq!(pick_in_range(range).as_deref(), Some(want), "{range}");
    }
    assert_eq!(pick_in_range("banana"), None);
    // Huge numbers are not a crash.
    assert_eq!(
        pick_in_range("^18446744073709551615 || ~18446744073709551615.18446744073709551615"),
        None
    );
    assert_eq!(
        pick_in_range(">18446744073709551615.1.18446744073709551615"),
        None
    );
    let pkg = r#"{"engines": {"node": "^18.12 || ^20.9"}, "scripts": {"build": "x"}}"#;
    let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
    let n = f.unwrap().node;
    assert_eq!(n.version, "20");
    assert!(n.source.contains("engines.node"), "{}", n.source);
    // A Dockerfile's node:16 outside engines' range loses to engines.
    let (f, _) = detect_in(
        &[
            ("package.json", pkg),
            ("package-lock.json", "{}"),
            ("Dockerfile", "FROM node:16\n"),
        ],
        "",
    );
    assert_eq!(f.unwrap().node.version, "20");
    // An unreadable range: a warning and the LTS default.
    let pkg = r#"{"engines": {"node": "whatever"}, "scripts": {"build": "x"}}"#;
    let (f, w) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
    assert_eq!(f.unwrap().node.version, NODE_LTS);
    assert!(
        w.iter().any(|w| w.message.contains("engines.node")),
        "{w:?}"
    );
}

#[test]
fn build_script_choice_is_said() {
    let (f, _) = detect_in(&[("package.json", PKG), ("package-lock.json", "{}")], "");
    let f = f.unwrap();
    assert_eq!(f.build_scripts, ["build"]);
    let pkg = r#"{"scripts": {"build:dev": "x", "build:prod": "y", "start": "z"}}"#;
    let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
    let f = f.unwrap();
    assert_eq!(f.build_scripts, ["build:prod"]);
    assert!(
        f.build_reason.contains("no `build` script"),
        "{}",
        f.build_reason
    );
    let pkg = r#"{"scripts": {"build:css": "x", "build:js": "y", "build:watch": "z"}}"#;
    let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
    assert_eq!(f.unwrap().build_scripts, ["build:css", "build:js"]);
    // A "build" that builds the container is not the frontend's build.
    let pkg = r#"{"scripts": {"build": "docker compose build"}}"#;
    let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
    let f = f.unwrap();
    assert!(f.build_scripts.is_empty() && !f.build_in_image);
    assert!(f.reason.contains("no build script"), "{}", f.reason);
}

#[test]
fn the_project_dockerfile_names_folder_script_and_node() {
    let (f, _) = detect_in(
        &[
            ("assets/package.json", r#"{"scripts": {"build": "a", "build:prod": "b"}}"#),
            ("assets/package-lock.json", "{}"),
            (
                "docker/Dockerfile",
                "FROM node:18.19-bookworm AS front\nWORKDIR /srv/app\nCOPY . .\nRUN npm ci --prefix assets && npm run build:prod --prefix assets\n",
            ),
        ],
        "",
    );
    let f = f.unwrap();
    assert_eq!(f.dir, "assets");
    assert_eq!(f.build_scripts, ["build:prod"]);
    assert_eq!(f.node.version, "18.19");
    assert_eq!(f.from_dockerfile.len(), 3, "{:?}", f.from_dockerfile);
    // The same with `cd` and WORKDIR.
    let (f, _) = detect_in(
        &[
            (
                "client/package.json",
                r#"{"scripts": {"build": "a", "dist": "b"}}"#,
            ),
            (
                "Dockerfile",
                "FROM python:3.12\nWORKDIR /app\nRUN cd client && yarn install && yarn dist\n",
            ),
        ],
        "",
    );
    let f = f.unwrap();
    assert_eq!(f.dir, "client");
    assert_eq!(f.build_scripts, ["dist"]);
}

#[test]
fn outputs_built_committed_or_absent() {
    let settings = "STATICFILES_DIRS = [BASE_DIR / 'frontend' / 'dist']\n";
    let base: &[(&str, &str)] = &[
        ("frontend/package.json", PKG),
        ("frontend/package-lock.json", "{}"),
    ];
    // Not there: the image builds it.
    let (f, _) = detect_in(base, settings);
    let f = f.unwrap();
    assert_eq!(f.dir, "frontend");
    assert_eq!(f.outputs[0].path, "frontend/dist");
    assert_eq!(f.outputs[0].state, OutputState::Absent);
    assert!(f.build_in_image, "{}", f.reason);
    // Built locally and ignored by .gitignore: still built in the image.
    let mut files = base.to_vec();
    files.extend([
        ("frontend/dist/app.js", "x"),
        (".gitignore", "node_modules/\ndist/\n"),
    ]);
    let (f, _) = detect_in(&files, settings);
    let f = f.unwrap();
    assert_eq!(f.outputs[0].state, OutputState::Built);
    assert!(f.outputs[0].ignored);
    assert!(f.build_in_image);
    // Committed, and the build configuration writes there: no Node stage.
    let mut files = base.to_vec();
    files.extend([
        ("frontend/dist/app.js", "x"),
        ("frontend/webpack.config.js", "module.exports = {\n  output: {\n    path: path.resolve(__dirname, 'dist'),\n  },\n};\n"),
    ]);
    let (f, _) = detect_in(&files, settings);
    let f = f.unwrap();
    assert!(f
        .outputs
        .iter()
        .any(|o| o.kind == OutputKind::BuildConfig && o.path == "frontend/dist"));
    assert!(!f.build_in_image, "{}", f.reason);
    assert!(f.reason.contains("committed"), "{}", f.reason);
    // Committed folder, nothing says where the build writes: built anyway, and said.
    let mut files = base.to_vec();
    files.push(("frontend/dist/app.js", "x"));
    let (f, _) = detect_in(&files, settings);
    let f = f.unwrap();
    assert!(f.build_in_image);
    assert!(f.reason.contains("could not tell"), "{}", f.reason);
}

#[test]
fn tool_caches_gitignore_does_not_hide_a_committed_output() {
    // pytest, mypy and ruff write a `.gitignore` of `*` into their caches: it ignores
    // the cache, not the project, so the committed bundle stays committed.
    let settings = "STATICFILES_DIRS = [BASE_DIR / 'frontend' / 'dist']\n";
    let config =
        "module.exports = {\n  output: {\n    path: path.resolve(__dirname, 'dist'),\n  },\n};\n";
    let files: &[(&str, &str)] = &[
        ("frontend/package.json", PKG),
        ("frontend/package-lock.json", "{}"),
        ("frontend/webpack.config.js", config),
        ("frontend/dist/app.js", "x"),
        (
            ".pytest_cache/.gitignore",
            "# Created by pytest automatically.\n*\n",
        ),
        (".venv/.gitignore", "*\n"),
    ];
    let (f, _) = detect_in(files, settings);
    let f = f.unwrap();
    assert_eq!(f.outputs[0].state, OutputState::Committed);
    assert!(!f.build_in_image, "{}", f.reason);
    // Near miss: a `.gitignore` the bundler wrote into its output folder is read (the
    // walk enters build outputs), so that output is built, not committed.
    let mut files = files.to_vec();
    files.push(("frontend/dist/.gitignore", "*\n"));
    let (f, _) = detect_in(&files, settings);
    let f = f.unwrap();
    assert_eq!(f.outputs[0].state, OutputState::Built);
    assert!(f.build_in_image, "{}", f.reason);
}

#[test]
fn node_modules_served_through_staticfiles_dirs() {
    let pkg = r#"{"dependencies": {"bootstrap": "5.3.3"}}"#;
    let (f, w) = detect_in(
        &[("package.json", pkg), ("package-lock.json", "{}")],
        "import os\nSTATICFILES_DIRS = [('vendor', os.path.join(BASE_DIR, 'node_modules', 'bootstrap', 'dist'))]\n",
    );
    let f = f.unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert!(f.build_scripts.is_empty());
    assert!(f.build_in_image, "{}", f.reason);
    assert_eq!(f.outputs[0].kind, OutputKind::NodeModules);
    assert_eq!(f.outputs[0].path, "node_modules/bootstrap/dist");
    // No build script, nothing from node_modules: no Node stage.
    let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
    assert!(!f.unwrap().build_in_image);
}

/// django-npm's finder: node_modules of NPM_ROOT_PATH (relative to manage.py's folder,
/// the working directory), one folder per NPM_FILE_PATTERNS package; without patterns,
/// all of node_modules. Without the finder, the same settings serve nothing.
#[test]
fn django_npm_finder_serves_node_modules() {
    let pkg = r#"{"dependencies": {"a17t": "0.5.1"}}"#;
    let d = project(&[
        ("package.json", pkg),
        ("package-lock.json", "{}"),
        ("app/manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"),
        (
            "app/site/settings.py",
            "STATICFILES_FINDERS = ['npm.finders.NpmFinder', 'django.contrib.staticfiles.finders.FileSystemFinder']\nNPM_ROOT_PATH = '../'\nNPM_FILE_PATTERNS = {'a17t': ['dist/a17t.css'], '@fortawesome': ['fontawesome-free/js/all.min.js']}\n",
        ),
    ]);
    let run = |settings: &str| {
        std::fs::write(d.path().join("app/site/settings.py"), settings).unwrap();
        let mut cache = FileCache::with_overlay(d.path(), "app", Default::default());
        let prod = crate::detect::settings::evaluate(&mut cache, "app/site/settings.py");
        detect(d.path(), "app", &prod, &mut Vec::new()).unwrap()
    };
    let text = std::fs::read_to_string(d.path().join("app/site/settings.py")).unwrap();
    let f = run(&text);
    let paths: Vec<(&str, OutputKind)> = f
        .outputs
        .iter()
        .map(|o| (o.path.as_str(), o.kind))
        .collect();
    assert_eq!(
        paths,
        [
            ("node_modules/a17t", OutputKind::NodeModules),
            ("node_modules/@fortawesome", OutputKind::NodeModules)
        ]
    );
    assert!(f.build_in_image, "{}", f.reason);
    // No NPM_ROOT_PATH: manage.py's folder; no patterns: all of node_modules.
    let f = run("STATICFILES_FINDERS = ['npm.finders.NpmFinder']\n");
    assert_eq!(f.outputs[0].path, "app/node_modules");
    // The patterns alone, without the finder, serve nothing.
    let f = run("NPM_FILE_PATTERNS = {'a17t': ['dist/a17t.css']}\n");
    assert!(f.outputs.is_empty() && !f.build_in_image);
}

#[test]
fn manifest_settings_and_script_flags_are_outputs() {
    let pkg = r#"{"scripts": {"build": "npm run css && vite build", "css": "tailwindcss -i src/in.css -o ../static/css/out.css --minify"}}"#;
    let (f, _) = detect_in(
        &[("frontend/package.json", pkg), ("frontend/package-lock.json", "{}"), ("frontend/vite.config.ts", "export default {\n  build: {\n    outDir: '../static/dist',\n    manifest: true,\n  },\n}\n")],
        "WEBPACK_LOADER = {'DEFAULT': {'STATS_FILE': BASE_DIR / 'webpack-stats.json'}}\nDJANGO_VITE = {'default': {'manifest_path': BASE_DIR / 'static' / 'dist' / 'manifest.json'}}\n",
    );
    let f = f.unwrap();
    let got: Vec<(&str, OutputKind, bool)> = f
        .outputs
        .iter()
        .map(|o| (o.path.as_str(), o.kind, o.file))
        .collect();
    assert!(
        got.contains(&("webpack-stats.json", OutputKind::WebpackStats, true)),
        "{got:?}"
    );
    assert!(
        got.contains(&("static/dist/manifest.json", OutputKind::ViteManifest, true)),
        "{got:?}"
    );
    assert!(
        got.contains(&("static/css/out.css", OutputKind::BuildScript, true)),
        "{got:?}"
    );
    assert!(
        got.contains(&("static/dist", OutputKind::BuildConfig, false)),
        "{got:?}"
    );
}

/// A package.json in any folder below the root: the one whose build writes what the
/// settings read wins over another with a build script (docs/ here).
#[test]
fn the_package_whose_build_writes_a_settings_path_wins() {
    let (f, _) = detect_in(
        &[
            ("docs/package.json", r#"{"scripts": {"build": "vitepress build"}}"#),
            ("docs/package-lock.json", "{}"),
            ("ui/package.json", r#"{"scripts": {"build": "vite build"}}"#),
            ("ui/yarn.lock", ""),
            ("ui/vite.config.ts", "export default { build: { outDir: '../app/static/ui/' } }\n"),
        ],
        "DJANGO_VITE = {'default': {'manifest_path': BASE_DIR / 'app' / 'static' / 'ui' / 'manifest.json'}}\n",
    );
    let f = f.unwrap();
    assert_eq!(f.dir, "ui");
    assert_eq!(f.also_found, ["docs/package.json"]);
    assert!(f
        .outputs
        .iter()
        .any(|o| o.path == "app/static/ui" && o.kind == OutputKind::BuildConfig));
    // Near miss: folders one level down whose builds write nothing the settings read
    // are not the frontend (a docs site): no Node stage, and said.
    let (f, w) = detect_in(
        &[
            (
                "docs/package.json",
                r#"{"scripts": {"build": "vitepress build"}}"#,
            ),
            ("ui/package.json", r#"{"scripts": {"build": "vite build"}}"#),
        ],
        "STATICFILES_DIRS = [BASE_DIR / 'static']\n",
    );
    assert!(f.is_none());
    assert_eq!(
        w.iter()
            .filter(|w| w.message.contains("nothing says the settings read"))
            .count(),
        2,
        "{w:?}"
    );
    // The same package.json in frontend/ is the frontend.
    let (f, _) = detect_in(
        &[(
            "frontend/package.json",
            r#"{"scripts": {"build": "vite build"}}"#,
        )],
        "",
    );
    assert_eq!(f.unwrap().dir, "frontend");
}

/// Angular: a bare `ng build` whose workspace has a production configuration that is not
/// the default gets `--configuration production`, and its outputPath is the output.
#[test]
fn angular_production_configuration_and_output_path() {
    let ws = r#"{"projects": {"ui": {"architect": {"build": {
        "options": {"outputPath": {"base": "dist/ui"}},
        "configurations": {"production": {"outputPath": {"base": "../shop/static/ui/", "browser": ""}}},
        "defaultConfiguration": ""}}}}}"#;
    let files = |script: &'static str| {
        vec![
            ("frontend/package.json", script),
            ("frontend/package-lock.json", "{}"),
            ("frontend/angular.json", ws),
        ]
    };
    let (f, _) = detect_in(&files(r#"{"scripts": {"build": "ng build"}}"#), "");
    let f = f.unwrap();
    assert_eq!(f.build_args.as_deref(), Some("--configuration production"));
    assert!(
        f.build_reason.contains("--configuration production"),
        "{}",
        f.build_reason
    );
    assert_eq!(f.outputs[0].path, "shop/static/ui");
    // A script that chooses its configuration is left as it is.
    let (f, _) = detect_in(
        &files(r#"{"scripts": {"build": "ng build -c staging"}}"#),
        "",
    );
    let f = f.unwrap();
    assert_eq!(f.build_args, None);
    assert_eq!(f.outputs[0].path, "frontend/dist/ui");
}

#[test]
fn a_package_json_without_build_loses_to_one_with() {
    let (f, _) = detect_in(
        &[
            ("package.json", r#"{"scripts": {"lint": "eslint ."}}"#),
            ("frontend/package.json", PKG),
            ("frontend/package-lock.json", "{}"),
        ],
        "",
    );
    let f = f.unwrap();
    assert_eq!(f.dir, "frontend");
    assert_eq!(f.also_found, ["package.json"]);
}

#[test]
fn broken_package_json_is_a_warning() {
    let (f, w) = detect_in(&[("package.json", "{ not json")], "");
    assert!(f.is_none());
    assert!(
        w.iter()
            .any(|w| w.evidence.file == "package.json" && w.message.contains("cannot read")),
        "{w:?}"
    );
}

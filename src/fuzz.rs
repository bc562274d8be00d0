//! Entry points for the fuzz targets (`fuzz/`) and the property tests (`tests/no_panic.rs`):
//! each feeds arbitrary bytes to one parser. None may panic.

use crate::detect::python::{Interp, Loader, PyFile};
use crate::evidence::Evidence;
use std::rc::Rc;

struct NoImports;
impl Loader for NoImports {
    fn load(&mut self, _: &str, _: u32, _: &str) -> Option<Rc<PyFile>> {
        None
    }
}

/// Parse and interpret a settings module.
pub fn settings(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = Rc::new(PyFile::parse("settings.py", text));
    let mut loader = NoImports;
    let mut interp = Interp::new(&mut loader);
    interp.exec_file(&file);
    let _ = crate::detect::python::settings_module_default(&file);
}

pub fn requirement_line(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::detect::deps::parse_requirement_line(&text, Evidence::file("requirements.txt"));
    let _ = crate::detect::deps::poetry_to_pep440(&text);
    let _ = crate::detect::deps::lower_bound(&text);
}

/// The error djship reports for one requirement line, if it reports one.
pub fn requirement_error(line: &str) -> Option<String> {
    crate::detect::deps::parse_requirement_line(line, Evidence::file("requirements.txt")).err()
}

/// The same bytes as every dependency file at once (and the Dockerfile, whose FROM line tells
/// the Python version), then the whole detection.
pub fn dependency_files(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    for name in [
        "requirements.txt",
        "pyproject.toml",
        "Pipfile",
        "Pipfile.lock",
        "uv.lock",
        "poetry.lock",
        "pdm.lock",
        ".python-version",
        "runtime.txt",
        "djship.toml",
        "Dockerfile",
    ] {
        let _ = std::fs::write(dir.path().join(name), data);
    }
    let _ = std::fs::write(dir.path().join("manage.py"), data);
    let mut warnings = Vec::new();
    let deps = crate::detect::deps::detect(dir.path(), &mut warnings);
    let _ = crate::detect::pyversion::detect(
        dir.path(),
        &[""],
        &deps,
        None,
        &mut |m: &[u8]| crate::detect::wheels::Knowledge::from_table(&deps, m),
        &mut warnings,
    );
    let config = crate::config::Config::load(dir.path(), &mut warnings);
    let _ = crate::detect::detect(dir.path(), &config, &crate::detect::Options::default());
}

/// The same bytes as every file the frontend detection reads (package.json, the lockfiles,
/// the bundlers' configs, .nvmrc, a Dockerfile), at the root and in `frontend/`, in an
/// otherwise plain Django project whose settings point at a build; then the frontend
/// detection. The folder is made and its settings read once per thread: each run rewrites
/// the fuzzed files only (with a new folder and the whole detection each run, the target
/// managed about 110 runs a second).
pub fn frontend(data: &[u8]) {
    use crate::detect::settings::{evaluate, Evaluated, FileCache};
    thread_local! {
        static PROJECT: Option<(tempfile::TempDir, Evaluated)> = tempfile::tempdir().ok().map(|d| {
            frontend_project(d.path());
            let prod = evaluate(&mut FileCache::new(d.path(), ""), "site/settings.py");
            (d, prod)
        });
    }
    PROJECT.with(|project| {
        if let Some((dir, prod)) = project {
            frontend_run(dir.path(), data);
            let _ = crate::detect::frontend::detect(dir.path(), "", prod, &mut Vec::new());
        }
    });
}

fn frontend_project(root: &std::path::Path) {
    let _ = std::fs::create_dir_all(root.join("site"));
    let _ = std::fs::create_dir_all(root.join("frontend"));
    let project = [
        (
            "manage.py",
            "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings\")\n",
        ),
        ("site/__init__.py", ""),
        (
            "site/settings.py",
            "INSTALLED_APPS = ['django.contrib.staticfiles', 'webpack_loader']\nSTATIC_URL = '/static/'\nSTATIC_ROOT = '/srv/static'\nSTATICFILES_DIRS = ['frontend/dist']\nWEBPACK_LOADER = {'DEFAULT': {'STATS_FILE': 'frontend/webpack-stats.json'}}\n",
        ),
    ];
    for (name, text) in project {
        let _ = std::fs::write(root.join(name), text);
    }
}

fn frontend_run(root: &std::path::Path, data: &[u8]) {
    for name in [
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        ".yarnrc.yml",
        "pnpm-lock.yaml",
        "pnpm-workspace.yaml",
        "bun.lock",
        ".nvmrc",
        ".node-version",
        "vite.config.js",
        "webpack.config.js",
        "angular.json",
    ] {
        let _ = std::fs::write(root.join(name), data);
        let _ = std::fs::write(root.join("frontend").join(name), data);
    }
    let _ = std::fs::write(root.join("Dockerfile"), data);
}

pub fn env_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::plan::secrets::parse_env(&text);
}

/// A Dockerfile through the lint parser and every rule.
pub fn dockerfile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    lint_all(&text, &text);
}

/// A compose file through the YAML parser and every rule.
pub fn compose(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    lint_all(
        "FROM python:3.12-slim\nCOPY . /app\nCMD gunicorn x\n",
        &text,
    );
}

/// Every rule over a Dockerfile, a .dockerignore and a compose file (in a folder that does
/// not exist, so nothing is read from disk), and the fixes applied to the result.
fn lint_all(dockerfile: &str, compose: &str) {
    let mut ctx = crate::lint::Context::empty(std::path::Path::new("/nonexistent/djship-fuzz"));
    for (name, text) in [
        ("Dockerfile", dockerfile),
        (".dockerignore", dockerfile),
        ("compose.prod.yaml", compose),
        ("docker/entrypoint.sh", compose),
    ] {
        ctx.add(name, text, crate::lint::FileKind::of(name));
    }
    let findings = crate::lint::run(&ctx);
    let originals = ctx
        .sources
        .iter()
        .map(|(k, v)| (k.clone(), v.text.clone()))
        .collect();
    let _ = crate::lint::fix::apply(&originals, &findings);
    let _ = crate::lint::output::sarif_results(&findings, &|f, l| {
        Some(ctx.src(f).line_text(l).to_string())
    });
    let _ = crate::lint::output::human(&ctx, &findings, false);
}

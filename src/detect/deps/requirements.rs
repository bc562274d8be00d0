//! pip's requirements files: `requirements.txt`, `requirements-prod.txt`,
//! `requirements/production.txt`... (read in [`super::requirements_file`]).

use super::{requirements_file, Dir, Lint, Manager};
use std::collections::BTreeSet;

pub const MANAGER: Manager = Manager {
    name: "requirements",
    doc: "pip requirements files: `requirements.txt` or `requirements-*.txt` at the root, and `*.txt` in a `requirements/` folder. The production file is the most specific one by name (`production` > `prod` > plain > `base` > `common` > `main`); files named `dev`, `devel`, `development`, `local`, `test` or `tests` are development-only. `-r` and `-c` includes are followed, `--no-binary` is honoured, and `-e .` means the project is itself a package. There is no lockfile, but files that pin (`==`) at least two thirds of their packages are read as one (`pip freeze`, `pipenv requirements`): they win over a Pipfile or a pyproject without its lock.",
    lockfile: None,
    present: |d| !d.requirements.0.is_empty(),
    configured: super::never,
    pins_like_a_lock: |d| requirements_file::mostly_pinned(d.root, &d.requirements.0),
    read,
    carries_build_constraints: false,
    install: |i, _| {
        let files: Vec<&String> = i
            .deps
            .install_files
            .iter()
            .filter(|f| f.ends_with(".txt"))
            .collect();
        let top = files
            .first()
            .map(|f| f.as_str())
            .unwrap_or("requirements.txt");
        vec![format!("{} -r {top}{}", i.uv_pip, i.extra_args)]
    },
    lint: Lint::PIP,
};

fn read(d: &Dir, deps: &mut super::Dependencies, warnings: &mut Vec<super::Warning>) {
    let (prod, dev) = d.requirements.clone();
    for f in &prod {
        requirements_file::read_file(d.root, f, false, deps, warnings, 0);
    }
    for f in &dev {
        requirements_file::read_file(d.root, f, true, deps, warnings, 0);
    }
    let mut seen = BTreeSet::new();
    deps.install_files.retain(|x| seen.insert(x.clone()));
    deps.dev_files = dev;
    deps.python = d.python_from_pyproject();
}

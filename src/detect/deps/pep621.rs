//! `[project] dependencies` of pyproject.toml (PEP 621), without a tool's lockfile.

use super::{pyproject, Dir, Lint, Manager};

pub const MANAGER: Manager = Manager {
    name: "pep621",
    doc: "The `[project] dependencies` of `pyproject.toml` (PEP 621) with no lockfile and no tool configured. Used when nothing else declares the dependencies; `[dependency-groups]` are development-only. The image installs them with `uv pip install -r pyproject.toml`.",
    lockfile: None,
    present: |d| {
        d.pyproject
            .and_then(|t| t.get("project"))
            .and_then(|p| p.get("dependencies"))
            .is_some()
    },
    configured: super::never,
    pins_like_a_lock: super::never,
    read: |d: &Dir, deps, warnings| {
        pyproject::read_declared(d, deps, warnings);
        pyproject::read_lock_and_finish(d, deps, warnings, !d.build_backend().is_empty());
    },
    carries_build_constraints: false,
    install: |i, _| {
        vec![format!(
            "{} -r {}pyproject.toml{}",
            i.uv_pip, i.deps.dir, i.extra_args
        )]
    },
    lint: Lint::PIP,
};

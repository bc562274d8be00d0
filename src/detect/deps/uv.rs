//! uv projects: `uv.lock`, `[tool.uv]`.

use super::{pyproject, Dir, Lint, Manager};

pub const MANAGER: Manager = Manager {
    name: "uv",
    doc: "uv projects: `uv.lock`, or a `[tool.uv]` table in `pyproject.toml`. The image runs `uv sync --frozen` from the lock, without the development dependencies and without installing the project itself (it runs from /app). uv's lock carries its own build constraints (`build-constraint-dependencies`), so djship adds none.",
    lockfile: Some("uv.lock"),
    present: |d| d.tool("uv"),
    configured: |d| d.tool("uv"),
    pins_like_a_lock: super::never,
    read: |d: &Dir, deps, warnings| {
        pyproject::read_declared(d, deps, warnings);
        pyproject::read_lock_and_finish(d, deps, warnings, !d.build_backend().is_empty());
    },
    carries_build_constraints: true,
    install: |i, _| {
        let mut commands = vec![format!(
            "uv sync --frozen --no-dev --no-install-project{}",
            i.project_flag()
        )];
        if !i.extra_args.is_empty() {
            commands.push(format!("{}{}", i.uv_pip, i.extra_args));
        }
        commands
    },
    lint: Lint {
        command: Some("uv"),
        install_subcommands: &["sync"],
        dependencies_only_flags: &[
            "--no-install-project",
            "--no-install-workspace",
            "--no-install-package",
        ],
        manifest: "uv.lock",
        installs_project: true,
        takes_package_names: false,
        venv_in_project: true,
        build_only_tool: false,
    },
};

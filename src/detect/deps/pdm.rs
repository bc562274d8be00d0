//! PDM projects: `pdm.lock`, `[tool.pdm]`, the pdm build backend.

use super::{pyproject, Dir, Lint, Manager};

/// 2.29.4 cannot be installed from every index yet (it needs certifi 2026.10.19); 2.29.3
/// installs and exports from a lock without network access.
pub const PDM: &str = "pdm==2.29.3";

pub const MANAGER: Manager = Manager {
    name: "pdm",
    doc: "PDM projects: `pdm.lock`, a `[tool.pdm]` table or the `pdm` build backend in `pyproject.toml`. The image exports the lock's production packages with PDM (run by uv, not installed in the image) and installs them with uv.",
    lockfile: Some("pdm.lock"),
    present: configured,
    configured,
    pins_like_a_lock: super::never,
    read: |d: &Dir, deps, warnings| {
        pyproject::read_declared(d, deps, warnings);
        pyproject::read_lock_and_finish(d, deps, warnings, !d.build_backend().is_empty());
    },
    carries_build_constraints: false,
    install: |i, _| {
        vec![
            format!(
                "uv tool run --from {PDM} pdm export{} --prod --output /tmp/requirements.txt",
                i.project_flag()
            ),
            format!("{} -r /tmp/requirements.txt{}", i.uv_pip, i.extra_args),
        ]
    },
    lint: Lint {
        command: Some("pdm"),
        install_subcommands: &["install", "sync"],
        dependencies_only_flags: &["--no-self"],
        manifest: "pdm.lock",
        installs_project: true,
        takes_package_names: false,
        venv_in_project: true,
        build_only_tool: true,
    },
};

fn configured(d: &Dir) -> bool {
    d.tool("pdm") || d.build_backend().starts_with("pdm")
}

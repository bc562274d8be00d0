//! What the frontend build writes: the settings' paths (STATICFILES_DIRS, webpack-loader,
//! django-vite, django-npm) and literal paths in build configurations (webpack, Vite,
//! Angular).

use super::*;

/// A path as a setting gives it, relative to the root; `Err` when outside the project.
pub(super) fn setting_path(v: &Value, manage_dir: &str) -> Option<Result<String, String>> {
    match v {
        Value::Path(p) => Some(if p.starts_with('/') || p.starts_with("..") {
            Err(p.clone())
        } else {
            Ok(p.clone())
        }),
        Value::Str(s) if s.starts_with('/') => Some(match s.strip_prefix("/app/") {
            Some(rest) => Ok(normalize(rest)),
            None => Err(s.clone()),
        }),
        Value::Str(s) if !s.is_empty() && !s.contains("://") => {
            let p = path_join(manage_dir, s);
            Some(if p.starts_with("..") { Err(p) } else { Ok(p) })
        }
        _ => None,
    }
}

pub(super) fn output(
    path: Result<String, String>,
    kind: OutputKind,
    file: bool,
    ev: &Evidence,
) -> Output {
    let (path, state) = match path {
        Ok(p) => (p, OutputState::Absent),
        Err(p) => (p, OutputState::Outside),
    };
    let kind = if kind == OutputKind::StaticfilesDir && path.split('/').any(|c| c == "node_modules")
    {
        OutputKind::NodeModules
    } else {
        kind
    };
    Output {
        path,
        kind,
        file,
        state,
        ignored: false,
        evidence: ev.clone(),
    }
}

/// What the settings say the frontend provides: STATICFILES_DIRS, django-webpack-loader's
/// STATS_FILE, django-vite's manifest and assets paths.
pub(super) fn settings_outputs(prod: &Evaluated, manage_dir: &str) -> Vec<Output> {
    let mut out = Vec::new();
    // django-npm's finder serves node_modules of NPM_ROOT_PATH (older: NPM_PREFIX_PATH;
    // default: the working directory, manage.py's folder), the packages NPM_FILE_PATTERNS
    // names, or all of them.
    if let Some(f) = prod.get("STATICFILES_FINDERS").filter(|f| {
        f.value
            .strings()
            .iter()
            .any(|s| s.starts_with("npm.finders."))
    }) {
        let root = ["NPM_ROOT_PATH", "NPM_PREFIX_PATH"]
            .iter()
            .find_map(|n| prod.value(n).and_then(|v| setting_path(v, manage_dir)))
            .unwrap_or_else(|| Ok(manage_dir.to_string()));
        let modules = root.map(|r| path_join(&r, "node_modules"));
        match prod.get("NPM_FILE_PATTERNS") {
            Some(p) if matches!(p.value, Value::Dict(_)) => {
                if let Value::Dict(items) = &p.value {
                    for (package, _) in items {
                        let path = match &modules {
                            Ok(m) => Ok(path_join(m, package)),
                            Err(m) => Err(format!("{m}/{package}")),
                        };
                        out.push(output(path, OutputKind::NodeModules, false, &p.evidence));
                    }
                }
            }
            _ => out.push(output(modules, OutputKind::NodeModules, false, &f.evidence)),
        }
    }
    let mut leaves = |v: &Value, kind: OutputKind, file: bool, ev: &Evidence| {
        v.walk(&mut |x| {
            if let Some(p) = setting_path(x, manage_dir) {
                out.push(output(p, kind, file, ev));
            }
        });
    };
    if let Some(b) = prod.get("STATICFILES_DIRS") {
        if let Value::List(items) = &b.value {
            for item in items {
                // ("prefix", path)
                let v = match item {
                    Value::List(pair) if pair.len() == 2 => &pair[1],
                    v => v,
                };
                leaves(v, OutputKind::StaticfilesDir, false, &b.evidence);
            }
        }
    }
    if let Some(b) = prod.get("WEBPACK_LOADER") {
        if let Value::Dict(configs) = &b.value {
            for (_, c) in configs {
                if let Some(v) = c.get("STATS_FILE") {
                    leaves(v, OutputKind::WebpackStats, true, &b.evidence);
                }
            }
        }
    }
    if let Some(b) = prod.get("DJANGO_VITE") {
        if let Value::Dict(configs) = &b.value {
            for (_, c) in configs {
                if let Some(v) = c.get("manifest_path") {
                    leaves(v, OutputKind::ViteManifest, true, &b.evidence);
                }
            }
        }
    }
    for (name, kind, file) in [
        ("DJANGO_VITE_MANIFEST_PATH", OutputKind::ViteManifest, true),
        ("DJANGO_VITE_ASSETS_PATH", OutputKind::ViteAssets, false),
    ] {
        if let Some(b) = prod.get(name) {
            leaves(&b.value, kind, file, &b.evidence);
        }
    }
    out
}

/// The first quoted literal in `s`.
pub(super) fn literal(s: &str) -> Option<&str> {
    let start = s.find(['"', '\'', '`'])?;
    let q = s[start..].chars().next()?;
    let rest = &s[start + 1..];
    let end = rest.find(q)?;
    let lit = &rest[..end];
    (!lit.contains("${")).then_some(lit)
}

/// Every quoted literal in an argument list: `path.resolve(__dirname, "a", 'b')`.
pub(super) fn literals(s: &str) -> Option<Vec<String>> {
    let open = s.find('(')?;
    let close = s[open..].find(')')? + open;
    let args = &s[open + 1..close];
    let mut out = Vec::new();
    for a in args.split(',') {
        let a = a.trim();
        if a == "__dirname" || a == "process.cwd()" {
            continue;
        }
        out.push(literal(a)?.to_string());
    }
    Some(out)
}

/// What the build configuration and the build scripts name as their output, read as text.
pub(super) fn config_outputs(root: &Path, dir: &str, pkg: &Json, build: &[String]) -> Vec<Output> {
    let mut out = Vec::new();
    let inside = |p: String| {
        if p.starts_with("..") || p.starts_with('/') {
            Err(p)
        } else {
            Ok(p)
        }
    };
    // Scripts the build runs, and the scripts they run in turn (`npm run css && npm run js`).
    let scripts = scripts_of(pkg);
    let mut queue: Vec<String> = build.to_vec();
    let mut seen: Vec<String> = Vec::new();
    let mut uses_vite = false;
    while let Some(name) = queue.pop() {
        if seen.contains(&name) || seen.len() > 20 {
            continue;
        }
        seen.push(name.clone());
        let Some((_, cmd)) = scripts.iter().find(|(k, _)| *k == name) else {
            continue;
        };
        let words = dockerfile::shell_words(cmd);
        for (i, w) in words.iter().enumerate() {
            if let Some(s) = scripts.iter().find(|(k, _)| k == w) {
                if i > 0
                    && matches!(
                        words[i - 1].as_str(),
                        "run" | "yarn" | "pnpm" | "run-s" | "run-p" | "npm-run-all"
                    )
                {
                    queue.push(s.0.clone());
                }
            }
            if w == "vite" && words.get(i + 1).is_some_and(|n| n == "build") {
                uses_vite = true;
            }
            let (flag, value) = match w.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (w.as_str(), words.get(i + 1).cloned()),
            };
            let file = match flag {
                "--outfile" | "--out-file" => Some(true),
                "--outdir" | "--out-dir" | "--dist-dir" | "--output-path" | "--output-dir" => {
                    Some(false)
                }
                "-o" | "--output" => value
                    .as_deref()
                    .map(|v| v.rsplit('/').next().unwrap_or("").contains('.')),
                _ => None,
            };
            let Some(file) = file else { continue };
            let Some(v) =
                value.filter(|v| !v.starts_with('-') && !v.contains('$') && !v.is_empty())
            else {
                continue;
            };
            out.push(output(
                inside(path_join(dir, &v)),
                OutputKind::BuildScript,
                file,
                &Evidence::file(path_join(dir, "package.json")),
            ));
        }
    }
    // Vite: `outDir: "..."`, else its default `dist`.
    let mut vite_config = false;
    for name in [
        "vite.config.js",
        "vite.config.ts",
        "vite.config.mjs",
        "vite.config.mts",
        "vite.config.cjs",
    ] {
        let rel = path_join(dir, name);
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        vite_config = true;
        for (i, line) in text.lines().enumerate() {
            if let Some(rest) = line.split("outDir").nth(1) {
                let rest = rest
                    .trim_start()
                    .trim_start_matches([':', '='])
                    .trim_start();
                let lit = if rest.starts_with("path.") || rest.starts_with("resolve(") {
                    literals(rest).map(|l| l.join("/"))
                } else {
                    literal(rest)
                        .filter(|_| rest.starts_with(['"', '\'', '`']))
                        .map(str::to_string)
                };
                if let Some(l) = lit {
                    out.push(output(
                        inside(path_join(dir, &l)),
                        OutputKind::BuildConfig,
                        false,
                        &Evidence::at(&rel, i as u32 + 1),
                    ));
                }
            }
        }
    }
    if (uses_vite || vite_config) && !out.iter().any(|o| o.kind == OutputKind::BuildConfig) {
        out.push(output(
            inside(path_join(dir, "dist")),
            OutputKind::BuildConfig,
            false,
            &Evidence::file(path_join(dir, "package.json")),
        ));
    }
    // webpack: `path: path.resolve(__dirname, "static/dist")` (output.path).
    for name in [
        "webpack.config.js",
        "webpack.config.cjs",
        "webpack.config.mjs",
        "webpack.config.ts",
        "webpack.prod.js",
        "webpack.production.js",
    ] {
        let rel = path_join(dir, name);
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            let Some(rest) = l.strip_prefix("path:").map(str::trim_start) else {
                continue;
            };
            let lits = if rest.starts_with("path.resolve(")
                || rest.starts_with("path.join(")
                || rest.starts_with("resolve(")
                || rest.starts_with("join(")
            {
                literals(rest)
            } else if rest.starts_with(['"', '\'']) {
                literal(rest).map(|l| vec![l.to_string()])
            } else {
                None
            };
            if let Some(parts) = lits.filter(|p| !p.is_empty()) {
                let joined = parts
                    .iter()
                    .fold(dir.to_string(), |acc, p| path_join(&acc, p));
                out.push(output(
                    inside(joined),
                    OutputKind::BuildConfig,
                    false,
                    &Evidence::at(&rel, i as u32 + 1),
                ));
            }
        }
    }
    out
}

pub(super) struct Angular {
    pub(super) args: Option<String>,
    pub(super) why: Option<String>,
    pub(super) outputs: Vec<Output>,
}

/// An Angular workspace: the `outputPath` of the configuration `ng build` uses. A build
/// script that runs a bare `ng build` where angular.json has a `production` configuration
/// that is not the default gets `--configuration production`, as Angular's own
/// deployment guide builds.
pub(super) fn angular_build(root: &Path, dir: &str, pkg: &Json, build: &[String]) -> Angular {
    let mut a = Angular {
        args: None,
        why: None,
        outputs: Vec::new(),
    };
    let rel = path_join(dir, "angular.json");
    let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
        return a;
    };
    let Ok(ws) = serde_json::from_str::<Json>(&text) else {
        return a;
    };
    let scripts = scripts_of(pkg);
    let Some(last) = build.last() else {
        return a;
    };
    let cmd = scripts
        .iter()
        .find(|(k, _)| k == last)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let words = dockerfile::shell_words(cmd);
    let runs_ng_build = words.windows(2).any(|w| w[0] == "ng" && w[1] == "build");
    if !runs_ng_build {
        return a;
    }
    let chooses = words.iter().any(|w| {
        w == "-c" || w == "--prod" || w.starts_with("--configuration") || w.starts_with("--c=")
    });
    let projects = ws.get("projects").and_then(Json::as_object);
    for (_, p) in projects.into_iter().flatten() {
        let Some(b) = p
            .get("architect")
            .or_else(|| p.get("targets"))
            .and_then(|t| t.get("build"))
        else {
            continue;
        };
        let default = b
            .get("defaultConfiguration")
            .and_then(Json::as_str)
            .unwrap_or("");
        let has_production = b
            .get("configurations")
            .and_then(|c| c.get("production"))
            .is_some();
        let config = if !chooses && has_production && default != "production" {
            a.args = Some("--configuration production".into());
            a.why = Some(format!(
                "`ng build` with `--configuration production`: angular.json's default configuration is {}",
                if default.is_empty() { "the development options".to_string() } else { format!("{default:?}") }
            ));
            "production"
        } else {
            default
        };
        let out = b
            .get("configurations")
            .and_then(|c| c.get(config))
            .and_then(|c| c.get("outputPath"))
            .or_else(|| b.get("options").and_then(|o| o.get("outputPath")));
        let path = out.and_then(|o| o.as_str().or_else(|| o.get("base").and_then(Json::as_str)));
        if let Some(p) = path {
            let line = text
                .lines()
                .position(|l| l.contains(p))
                .map(|i| Evidence::at(&rel, i as u32 + 1))
                .unwrap_or_else(|| Evidence::file(&rel));
            let joined = path_join(dir, p);
            let inside = if joined.starts_with("..") || joined.starts_with('/') {
                Err(joined)
            } else {
                Ok(joined)
            };
            a.outputs
                .push(output(inside, OutputKind::BuildConfig, false, &line));
        }
        break;
    }
    a
}

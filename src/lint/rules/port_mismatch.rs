use super::{dockerfile_of, final_command, is_built};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL021",
    name: "port-mismatch",
    buildkit: None,
    severity: Severity::Error,
    summary: "the server's bind address, EXPOSE and compose ports disagree",
    doc: "### What it does\nReads the port the app server listens on (gunicorn `--bind`/`-b`, uvicorn `--port`,\ndaphne `-p`, runserver's address) from the final CMD/ENTRYPOINT or the compose command,\nand compares it with the image's `EXPOSE`, the container side of the service's compose\n`ports:`, and its `expose:`. Also finds a server bound to 127.0.0.1 (gunicorn's default when neither `--bind`, `PORT`,\n`GUNICORN_CMD_ARGS` nor a gunicorn.conf.py sets one).\n### Why is this bad?\nRequests go to a port nothing listens on: `connection refused` or nginx's 502. A\nserver bound to 127.0.0.1 in a container is unreachable from every other container and\nfrom the host.\n### Example\n```dockerfile\nEXPOSE 8000\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8080\", \"mysite.wsgi\"]\n```\n### Fix\nUse one port everywhere, bound on 0.0.0.0: `--bind 0.0.0.0:8000`, `EXPOSE 8000`, and\n`ports: [\"8000:8000\"]`.",
    fixable: false,
    check,
};

/// (host, port) the server in a command listens on, when the command runs one. `env`
/// looks up the container's environment (gunicorn binds 0.0.0.0:$PORT when PORT is set,
/// and reads options from GUNICORN_CMD_ARGS); `has_config` says a gunicorn.conf.py may
/// set the bind, which makes it unknown.
pub fn bind(
    words: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    has_config: bool,
) -> Option<(String, u32)> {
    let server = words.iter().position(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        matches!(base, "gunicorn" | "uvicorn" | "daphne" | "runserver")
    })?;
    let kind = words[server].rsplit('/').next().unwrap_or("").to_string();
    let mut rest: Vec<String> = words[server + 1..].to_vec();
    if kind == "gunicorn" {
        if let Some(args) = env("GUNICORN_CMD_ARGS") {
            rest.extend(crate::dockerfile::shell_words(&args));
        }
    }
    let value = |names: &[&str]| -> Option<String> {
        rest.iter().enumerate().find_map(|(i, w)| {
            names.iter().find_map(|n| {
                if w == n {
                    rest.get(i + 1).cloned()
                } else {
                    w.strip_prefix(&format!("{n}=")).map(String::from)
                }
            })
        })
    };
    let split = |a: &str| -> Option<(String, u32)> {
        let (h, p) = a.rsplit_once(':')?;
        Some((h.trim_matches(['[', ']']).to_string(), p.parse().ok()?))
    };
    match kind.as_str() {
        "gunicorn" => match value(&["--bind", "-b"]) {
            Some(b) if b.starts_with("unix:") => None,
            // `HOST:PORT`, a bare port, or a bare host (gunicorn's port 8000).
            Some(b) => split(&b).or_else(|| match b.parse() {
                Ok(p) => Some(("0.0.0.0".into(), p)),
                Err(_) => Some((b.clone(), 8000)),
            }),
            None if has_config || rest.iter().any(|w| w == "-c" || w.starts_with("--config")) => {
                None
            }
            None => match env("PORT").and_then(|p| p.parse().ok()) {
                Some(p) => Some(("0.0.0.0".into(), p)),
                None => Some(("127.0.0.1".into(), 8000)),
            },
        },
        "uvicorn" | "daphne" => {
            let host = value(&["--host", "-b", "--bind"]).unwrap_or_else(|| "127.0.0.1".into());
            let port = value(&["--port", "-p"])
                .and_then(|p| p.parse().ok())
                .unwrap_or(8000);
            Some((host, port))
        }
        _ => match rest.first().filter(|w| !w.starts_with('-')) {
            Some(a) => split(a).or_else(|| a.parse().ok().map(|p| ("127.0.0.1".into(), p))),
            None => Some(("127.0.0.1".into(), 8000)),
        },
    }
}

/// The container port of a compose `ports:` entry (`"8000:8000"`, `8000`, `{target: 8000}`).
fn container_port(entry: &crate::lint::compose::Node) -> Option<u32> {
    if let Some(t) = entry.get("target") {
        return t.as_str()?.parse().ok();
    }
    let s = entry.as_str()?;
    let s = s.split('/').next()?;
    let last = s.rsplit(':').next()?;
    if last.contains('-') || last.contains('$') {
        return None;
    }
    last.parse().ok()
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    // gunicorn reads ./gunicorn.conf.py from its working directory by default.
    let has_config = ctx.root.join("gunicorn.conf.py").is_file()
        || ctx.facts.as_ref().is_some_and(|f| {
            !f.manage_dir.is_empty()
                && ctx
                    .root
                    .join(&f.manage_dir)
                    .join("gunicorn.conf.py")
                    .is_file()
        });
    // The image: its command's bind against its EXPOSE.
    for (file, df) in &ctx.dockerfiles {
        let (words, at) = final_command(df);
        let Some(at) = at else { continue };
        let env = |name: &str| {
            let v = df.expand(df.instructions.len(), &format!("${{{name}}}"));
            (!v.starts_with("${")).then_some(v)
        };
        let Some((host, port)) = bind(&words, &env, has_config) else {
            continue;
        };
        let src = ctx.src(file);
        if host == "127.0.0.1" || host == "localhost" {
            out.push(Hit::new(
                file,
                src.line_span(at.line),
                format!("the server listens on {host}:{port}, unreachable from outside the container; bind 0.0.0.0:{port}"),
            ));
        }
        let exposed: Vec<(u32, &crate::dockerfile::Instruction)> = df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == "EXPOSE" && i.stage == df.final_stage())
            .flat_map(|(n, i)| {
                i.args
                    .split_whitespace()
                    .filter_map(move |w| df.expand(n, w).split('/').next()?.parse().ok())
                    .map(move |p| (p, i))
            })
            .collect();
        if let Some((_, i)) = exposed.first() {
            if !exposed.iter().any(|(p, _)| *p == port) {
                out.push(Hit::new(
                    file,
                    src.line_span(i.line),
                    format!(
                        "EXPOSE does not list {port}, the port the server binds at line {}",
                        at.line
                    ),
                ));
            }
        }
    }
    // Compose: the container side of `ports:` against the service's bind.
    for (file, c) in &ctx.compose {
        for (name, _, svc) in c.services() {
            if !is_built(svc) {
                continue;
            }
            let from_cmd = svc.get("command").map(|cmd| {
                let words = match &cmd.value {
                    crate::lint::compose::Value::Seq(_) => cmd
                        .items()
                        .iter()
                        .filter_map(|n| n.as_str().map(String::from))
                        .collect(),
                    _ => crate::dockerfile::shell_words(&cmd.joined()),
                };
                // `sh -c "… && gunicorn …"`: look inside the script too.
                let flat: Vec<String> = words
                    .iter()
                    .flat_map(|w| crate::dockerfile::shell_words(w))
                    .collect();
                flat
            });
            // The service's environment, then its image's.
            let image = dockerfile_of(ctx, svc).map(|(_, df)| df);
            let pairs = svc
                .get("environment")
                .map(|e| e.env_pairs())
                .unwrap_or_default();
            let env = |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _, _)| k == name)
                    .and_then(|(_, v, _)| v.clone())
                    .or_else(|| {
                        let df = image?;
                        let v = df.expand(df.instructions.len(), &format!("${{{name}}}"));
                        (!v.starts_with("${")).then_some(v)
                    })
            };
            let bound = match from_cmd {
                Some(flat) => bind(&flat, &env, has_config),
                None => image.and_then(|df| bind(&final_command(df).0, &env, has_config)),
            };
            let Some((_, port)) = bound else { continue };
            let entries = ["ports", "expose"]
                .iter()
                .filter_map(|k| svc.get(k))
                .flat_map(|p| p.items());
            for entry in entries {
                if let Some(cp) = container_port(entry) {
                    if cp != port {
                        out.push(Hit::new(
                            file,
                            entry.span.clone(),
                            format!("service `{name}` publishes or exposes port {cp}, but its server listens on {port}"),
                        ));
                    }
                }
            }
        }
    }
    out
}

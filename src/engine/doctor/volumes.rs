//! The volumes check: the named volumes the app services write to are writable by the
//! app image's user (looked at from a throwaway container of the image).

use super::{app_services, output_text, run_timeout, Check, Compose, Finding, Lookup, Target};
use crate::engine::Engine;
use crate::evidence::Evidence;
use crate::lint::compose::{self as lc, Node};
use crate::shell::quote;
use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::time::Duration;

const VOLUME_PROBE: &str = r#"printf 'user\t%s\t%s\n' "$(id -u)" "$(id -g)"; for d in "$@"; do if [ -w "$d" ]; then w=writable; else w=read-only; fi; printf 'dir\t%s\t%s\t%s\n' "$d" "$(stat -c '%u:%g %a' "$d")" "$w"; done"#;

/// What the volume probe printed: the user (uid, gid) and each folder's owner, mode and
/// whether that user can write to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct VolumeProbe {
    pub uid: String,
    pub gid: String,
    /// (path, "uid:gid", mode, writable)
    pub dirs: Vec<(String, String, String, bool)>,
}

pub(super) fn parse_volume_probe(out: &str) -> VolumeProbe {
    let mut p = VolumeProbe::default();
    for line in out.lines() {
        let w: Vec<&str> = line.split('\t').collect();
        match w.as_slice() {
            ["user", uid, gid] => {
                p.uid = uid.to_string();
                p.gid = gid.to_string();
            }
            ["dir", path, stat, w] => {
                let (owner, mode) = stat.split_once(' ').unwrap_or((stat, ""));
                p.dirs.push((
                    path.to_string(),
                    owner.to_string(),
                    mode.to_string(),
                    *w == "writable",
                ));
            }
            _ => {}
        }
    }
    p
}

pub(super) fn volumes_check(
    t: &Target,
    engine: &Engine,
    compose: &Compose,
    lookup: &Lookup,
    image: &str,
    image_exists: bool,
) -> Check {
    let id = "volumes";
    if !image_exists {
        return Check::skipped(id, format!("the image {image} does not exist (see image)"));
    }
    // The stack's volumes on the engine, by their compose name.
    let listed = engine
        .docker(&[
            "volume",
            "ls",
            "--filter",
            &format!("label=com.docker.compose.project={}", t.project.name),
            "--format",
            "{{.Name}}\t{{.Label \"com.docker.compose.volume\"}}",
        ])
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let volumes: BTreeMap<String, String> = listed
        .lines()
        .filter_map(|l| {
            let (n, v) = l.split_once('\t')?;
            Some((v.to_string(), n.to_string()))
        })
        .collect();
    let mut findings = Vec::new();
    let mut checked = Vec::new();
    let mut missing = Vec::new();
    let mut jobs = Vec::new();
    for (name, svc) in app_services(compose, image, lookup) {
        let mounts: Vec<(String, String, Option<Evidence>)> = lc::mounts(svc)
            .into_iter()
            .filter(|m| !m.bind)
            .filter(|m| {
                let ro_short = m
                    .node
                    .as_str()
                    .is_some_and(|s| s.ends_with(":ro") || s.contains(":ro,"));
                let ro_long = m.node.get("read_only").and_then(Node::as_str) == Some("true");
                !ro_short && !ro_long
            })
            .filter_map(|m| {
                let v = m.source.clone()?;
                Some((v, m.target.clone(), compose.line(m.node)))
            })
            .collect();
        let mut present = Vec::new();
        for (v, target, at) in mounts {
            match volumes.get(&v) {
                Some(real) => present.push((v, real.clone(), target, at)),
                None => missing.push(v),
            }
        }
        if present.is_empty() {
            continue;
        }
        let user = svc.get("user").and_then(Node::as_str).map(String::from);
        let mut args: Vec<String> = vec![
            "run".into(),
            "--rm".into(),
            "--network".into(),
            "none".into(),
            "--entrypoint".into(),
            "sh".into(),
        ];
        if let Some(u) = &user {
            args.extend(["-u".into(), u.clone()]);
        }
        for (_, real, target, _) in &present {
            // nocopy: an empty volume is not filled from the image (nor re-owned) by this look.
            args.extend(["-v".into(), format!("{real}:{target}:nocopy")]);
        }
        args.extend([
            image.to_string(),
            "-c".into(),
            VOLUME_PROBE.into(),
            "sh".into(),
        ]);
        args.extend(present.iter().map(|p| p.2.clone()));
        jobs.push((name, present, args));
    }
    // One throwaway container per service, side by side.
    let outs: Vec<Result<Output, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(_, _, args)| {
                scope.spawn(move || {
                    let mut cmd = Command::new(&engine.docker);
                    cmd.args(args);
                    run_timeout(cmd, None, Duration::from_secs(60))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("the look failed".into())))
            .collect()
    });
    for ((name, present, _), out) in jobs.iter().zip(outs) {
        let out = match out {
            Ok(o) if o.status.success() => o,
            Ok(o) => {
                findings.push(
                    Finding::warning(
                        format!("cannot look into {name}'s volumes with the image {image}"),
                        "see the engine's output below",
                    )
                    .with_detail(output_text(&o).lines().map(String::from).collect()),
                );
                continue;
            }
            Err(e) => {
                findings.push(Finding::warning(
                    format!("cannot look into {name}'s volumes with the image {image}: {e}"),
                    "check that the engine answers (`docker info`)",
                ));
                continue;
            }
        };
        let probe = parse_volume_probe(&String::from_utf8_lossy(&out.stdout));
        for (_, real, target, at) in present {
            let Some((_, owner, mode, writable)) = probe.dirs.iter().find(|d| &d.0 == target)
            else {
                continue;
            };
            checked.push(format!("{target} ({real}, owner {owner}, mode {mode})"));
            if *writable {
                continue;
            }
            let what = if target == &t.plan.paths.media_root {
                "uploads fail with PermissionError"
            } else if target.contains("static") {
                "copying the static files there fails"
            } else {
                "the app cannot write there"
            };
            findings.push(
                Finding::error(
                    format!(
                        "{target} (volume {real}, mounted by {name}) belongs to {owner} with mode \
                         {mode}: {name} runs as uid {} and cannot write to it ({what})",
                        probe.uid
                    ),
                    format!(
                        "give it to the app's user: `{} run --rm -u 0 -v {real}:/v --entrypoint chown {image} -R {}:{} /v`",
                        quote(&engine.docker.display().to_string()),
                        probe.uid,
                        probe.gid
                    ),
                )
                .at(at.clone()),
            );
        }
    }
    if checked.is_empty() && findings.is_empty() {
        return Check::skipped(
            id,
            if missing.is_empty() {
                "the app services mount no named volume they write to".to_string()
            } else {
                format!(
                    "the volumes {} do not exist yet (`{}` creates them)",
                    missing.join(", "),
                    t.djship("up")
                )
            },
        );
    }
    Check::done(
        id,
        format!(
            "the volumes the app writes to, as its user: {}",
            checked.join(", ")
        ),
        findings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_owners() {
        let out = "user\t10001\t10001\ndir\t/app/media\t0:0 755\tread-only\ndir\t/srv/static\t10001:10001 755\twritable\n";
        let p = parse_volume_probe(out);
        assert_eq!((p.uid.as_str(), p.gid.as_str()), ("10001", "10001"));
        assert_eq!(
            p.dirs,
            [
                ("/app/media".into(), "0:0".into(), "755".into(), false),
                (
                    "/srv/static".into(),
                    "10001:10001".into(),
                    "755".into(),
                    true
                )
            ]
        );
    }
}

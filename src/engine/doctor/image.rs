//! The image check: the app image exists, is not older than the files its dependency
//! layers are built from, and the running app containers are on its latest build.

use super::{app_services, Check, Compose, Finding, Lookup, Target};
use crate::engine::state::ServiceState;
use crate::evidence::Evidence;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch of an RFC 3339 time as the engine writes it
/// (`2025-01-02T03:04:05.123456789Z`, or with an offset).
pub(super) fn rfc3339_seconds(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset) = match time.find(['Z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, "Z"),
    };
    let mut c = clock.split(':');
    let h: i64 = c.next()?.parse().ok()?;
    let min: i64 = c.next()?.parse().ok()?;
    let sec: i64 = c.next()?.split('.').next()?.parse().ok()?;
    let off = if offset == "Z" || offset.is_empty() {
        0
    } else {
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let mut o = offset[1..].split(':');
        let oh: i64 = o.next()?.parse().ok()?;
        let om: i64 = o.next().unwrap_or("0").parse().ok()?;
        if !(0..24).contains(&oh) || !(0..60).contains(&om) {
            return None;
        }
        sign * (oh * 3600 + om * 60)
    };
    let valid = (0..=9999).contains(&y)
        && (1..=12).contains(&m)
        && (1..=31).contains(&day)
        && (0..24).contains(&h)
        && (0..60).contains(&min)
        && (0..=60).contains(&sec)
        && off.abs() < 86400;
    if !valid {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days * 86400 + h * 3600 + min * 60 + sec - off)
}

fn mtime(p: &Path) -> Option<i64> {
    let m = std::fs::metadata(p).ok()?.modified().ok()?;
    Some(m.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64)
}

fn ago(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86400),
    }
}

pub(super) fn image_check(
    t: &Target,
    compose: &Compose,
    image: &str,
    inspected: Option<&str>,
    states: &[ServiceState],
    containers: &BTreeMap<String, serde_json::Value>,
) -> Check {
    let Some(inspected) = inspected else {
        return Check::done(
            "image",
            format!("the app image {image}"),
            vec![Finding::error(
                format!("the image {image} does not exist: the stack cannot start"),
                format!("build it: `{}`", t.djship("build")),
            )],
        );
    };
    let mut parts = inspected.splitn(3, '|');
    let id = parts.next().unwrap_or("").to_string();
    let created = parts.next().and_then(rfc3339_seconds);
    let mut findings = Vec::new();
    // The files the dependency layers are built from.
    let mut files: Vec<String> = t.plan.install.copy.clone();
    files.push("Dockerfile".into());
    if let Some(f) = &t.facts.frontend {
        let dir = if f.dir.is_empty() {
            String::new()
        } else {
            format!("{}/", f.dir)
        };
        files.push(format!("{dir}package.json"));
        if let Some(l) = &f.lockfile {
            files.push(format!("{dir}{l}"));
        }
    }
    files.dedup();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if let Some(created) = created {
        let newer: Vec<(String, i64)> = files
            .iter()
            .filter_map(|f| Some((f.clone(), mtime(&t.root.join(f))?)))
            .filter(|(_, m)| *m > created)
            .collect();
        if !newer.is_empty() {
            findings.push(
                Finding::warning(
                    format!(
                        "the image {image} (built {} ago) is older than {}: the stack runs without \
                         those changes",
                        ago(now - created),
                        newer
                            .iter()
                            .map(|(f, m)| format!("{f} (changed {} ago)", ago(now - m)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!(
                        "rebuild: `{}`, then restart on the new image: `{} --no-build`",
                        t.djship("build"),
                        t.djship("up")
                    ),
                )
                .at(Some(Evidence::file(newer[0].0.clone()))),
            );
        }
    }
    // Containers still on an earlier build of the tag.
    let app: Vec<&str> = app_services(
        compose,
        image,
        &Lookup {
            dotenv: BTreeMap::new(),
        },
    )
    .into_iter()
    .map(|(n, _)| n)
    .collect();
    let stale: Vec<&str> = states
        .iter()
        .filter(|s| s.status == "running" && app.contains(&s.service.as_str()))
        .filter(|s| {
            containers
                .get(&s.id)
                .and_then(|c| c["Image"].as_str())
                .is_some_and(|i| !id.is_empty() && i != id)
        })
        .map(|s| s.service.as_str())
        .collect();
    if !stale.is_empty() {
        findings.push(Finding::warning(
            format!(
                "{} still run(s) an earlier build than the image {image} now is",
                stale.join(", ")
            ),
            format!("restart on the new image: `{} --no-build`", t.djship("up")),
        ));
    }
    Check::done(
        "image",
        format!(
            "the app image {image}{}, against {}",
            created
                .map(|c| format!(" (built {} ago)", ago(now - c)))
                .unwrap_or_default(),
            files.join(", ")
        ),
        findings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_times() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:01.5Z"), Some(951868801));
        assert_eq!(
            rfc3339_seconds("2026-12-04T17:40:01.123456789Z"),
            Some(1796406001)
        );
        assert_eq!(
            rfc3339_seconds("2026-12-04T18:40:01+01:00"),
            rfc3339_seconds("2026-12-04T17:40:01Z")
        );
        assert_eq!(rfc3339_seconds("yesterday"), None);
        assert_eq!(rfc3339_seconds("9999999999999999-01-01T00:00:00Z"), None);
        assert_eq!(rfc3339_seconds("2026-13-01T00:00:00Z"), None);
        assert_eq!(
            rfc3339_seconds("2026-12-01T00:00:00+9999999999999999:00"),
            None
        );
    }
}

//! Image builds: `docker build` with BuildKit's plain progress read into steps, and the
//! report of a build (steps, time, image size).

use super::{engine_error, Engine};
use crate::error::{Error, Result};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One BuildKit step as the plain progress output reports it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub name: String,
    pub cached: bool,
    pub seconds: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildReport {
    pub image: String,
    pub size_bytes: u64,
    pub seconds: f64,
    pub steps: Vec<Step>,
}

impl Engine {
    /// Build `dir`'s Dockerfile with BuildKit, tagging every tag; live progress on stderr.
    pub fn build(
        &self,
        dir: &Path,
        tags: &[String],
        extra: &[String],
        progress: bool,
    ) -> Result<BuildReport> {
        if !dir.join("Dockerfile").is_file() {
            return Err(Error::Invalid {
                path: dir.join("Dockerfile"),
                message: "no Dockerfile".into(),
                hint: "run `djship init` first".into(),
            });
        }
        let mut cmd = Command::new(&self.docker);
        cmd.arg("build").arg("--progress=plain");
        for t in tags {
            cmd.args(["-t", t]);
        }
        cmd.args(extra)
            .arg(".")
            .current_dir(dir)
            .env("DOCKER_BUILDKIT", "1");
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = cmd.spawn().map_err(|e| {
            engine_error(
                format!("cannot run docker build: {e}"),
                "",
                "check that docker is installed",
            )
        })?;
        let bar = if progress {
            indicatif::ProgressBar::new_spinner()
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.enable_steady_tick(Duration::from_millis(120));
        let mut log = String::new();
        let mut steps: Vec<(String, String, bool, f64)> = Vec::new(); // (id, name, cached, seconds)
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(|l| l.ok()) {
                log.push_str(&line);
                log.push('\n');
                if let Some(ev) = parse_progress(&line) {
                    match ev {
                        Progress::Start(id, name) => {
                            bar.set_message(format!(
                                "{name}  ({:.0}s)",
                                start.elapsed().as_secs_f64()
                            ));
                            if !steps.iter().any(|s| s.0 == id) {
                                steps.push((id, name, false, 0.0));
                            }
                        }
                        Progress::Cached(id) => {
                            if let Some(s) = steps.iter_mut().find(|s| s.0 == id) {
                                s.2 = true;
                            }
                        }
                        Progress::Done(id, secs) => {
                            if let Some(s) = steps.iter_mut().find(|s| s.0 == id) {
                                s.3 = secs;
                            }
                        }
                    }
                }
            }
        }
        let status = child
            .wait()
            .map_err(|e| engine_error(format!("docker build: {e}"), "", ""))?;
        bar.finish_and_clear();
        if !status.success() {
            // A Docker 23+ client without buildx fails before the engine sees the build.
            let hint = if log.contains("buildx component is missing") {
                format!(
                    "the docker client {} has no buildx component: install it (Debian and \
                     Ubuntu: `apt-get install docker-buildx`), or set DJSHIP_DOCKER to a client \
                     that builds with BuildKit (`djship doctor` names one on this machine)",
                    self.docker.display()
                )
            } else {
                "the engine's output is above: fix the cause and run `djship build` again".into()
            };
            return Err(engine_error("the image build failed", log, hint));
        }
        let image = tags.first().cloned().unwrap_or_default();
        let size_bytes = self.image_size(&image)?;
        Ok(BuildReport {
            image,
            size_bytes,
            seconds: start.elapsed().as_secs_f64(),
            steps: steps
                .into_iter()
                .filter(|s| {
                    s.1.starts_with('[')
                        && !s.1.starts_with("[internal]")
                        && !s.1.contains("] FROM ")
                })
                .map(|(_, name, cached, seconds)| Step {
                    name,
                    cached,
                    seconds,
                })
                .collect(),
        })
    }

    pub fn image_size(&self, image: &str) -> Result<u64> {
        let out = self.docker_ok(&["image", "inspect", "-f", "{{.Size}}", image])?;
        out.trim()
            .parse()
            .map_err(|_| engine_error(format!("unexpected image size {out:?}"), "", ""))
    }
}

enum Progress {
    Start(String, String),
    Cached(String),
    Done(String, f64),
}

/// BuildKit's plain progress: `#5 [builder 2/5] RUN ...`, `#5 CACHED`, `#5 DONE 1.2s`.
fn parse_progress(line: &str) -> Option<Progress> {
    let rest = line.strip_prefix('#')?;
    let (id, rest) = rest.split_once(' ')?;
    if !id.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if rest == "CACHED" {
        return Some(Progress::Cached(id.into()));
    }
    if let Some(t) = rest.strip_prefix("DONE ") {
        return Some(Progress::Done(
            id.into(),
            t.trim_end_matches('s').parse().unwrap_or(0.0),
        ));
    }
    if rest.starts_with('[') {
        return Some(Progress::Start(id.into(), rest.to_string()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildkit_plain_progress() {
        assert!(
            matches!(parse_progress("#7 [runtime 3/6] COPY --from=builder /opt/venv /opt/venv"), Some(Progress::Start(id, n)) if id == "7" && n.starts_with("[runtime 3/6]"))
        );
        assert!(matches!(parse_progress("#7 CACHED"), Some(Progress::Cached(id)) if id == "7"));
        assert!(
            matches!(parse_progress("#7 DONE 2.5s"), Some(Progress::Done(_, s)) if (s - 2.5).abs() < 1e-9)
        );
        assert!(parse_progress("#7 0.271 Using Python 3.11").is_none());
        assert!(parse_progress("random").is_none());
    }
}

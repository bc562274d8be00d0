//! `djship inspect`: what djship finds in a project, with evidence, and what it would write.

use super::args::PlanArgs;
use super::report;
use crate::error::{Error, Result};
use crate::options::Options;
use crate::pipeline::{self, Analysis};
use crate::targets::Kind;
use clap::Args;
use serde::Serialize;
use std::io::Write as _;

/// Version of the `inspect --json` document. Bumped only on incompatible changes.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Print one JSON document (schema: docs/inspect-json.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct InspectDoc<'a> {
    schema_version: u32,
    djship_version: &'static str,
    root: String,
    target: &'static str,
    facts: &'a crate::detect::Facts,
    plan: &'a crate::plan::Plan,
    files: Vec<FileDoc>,
}

/// One file `djship init` would write.
#[derive(Serialize)]
struct FileDoc {
    path: String,
    /// Unix mode as octal text; absent: an existing file's mode is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    secret: bool,
    /// generated, requested (the user's file, changed on request) or append.
    kind: &'static str,
}

pub fn run(args: &InspectArgs) -> Result<i32> {
    let o = Options::resolve(&args.plan.flags())?;
    let a = pipeline::analyse(&o)?;
    if args.json {
        let doc = InspectDoc {
            schema_version: SCHEMA_VERSION,
            djship_version: env!("CARGO_PKG_VERSION"),
            root: o.root.display().to_string(),
            target: pipeline::target(&o)?.name(),
            facts: &a.facts,
            plan: &a.plan,
            files: files(&a, &o)?,
        };
        let text = serde_json::to_string_pretty(&doc).map_err(|e| Error::Invalid {
            path: o.root.clone(),
            message: format!("cannot serialise the report: {e}"),
            hint: "this is a bug in djship; please report it".into(),
        })?;
        println!("{text}");
        return Ok(0);
    }
    report::print_warnings(&a.facts);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(report::human_report(&o.root, &a).as_bytes());
    Ok(0)
}

fn files(a: &Analysis, o: &Options) -> Result<Vec<FileDoc>> {
    let mut files: Vec<FileDoc> = pipeline::artifacts(a, o)?
        .into_iter()
        .map(|f| FileDoc {
            path: f.path,
            mode: f.mode.map(|m| format!("{m:04o}")),
            secret: f.secret.is_secret(),
            kind: match f.kind {
                Kind::Generated => "generated",
                Kind::Requested => "requested",
                Kind::Append { .. } => "append",
            },
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

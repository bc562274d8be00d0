//! `djship doctor`: check the stack and say what is wrong, with the remedy.

use super::args::StackArgs;
use super::stack;
use crate::engine::doctor::{self, Report, Status};
use crate::error::Result;
use crate::severity::Severity;
use clap::Args;
use std::fmt::Write;

#[derive(Args, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Print the report as JSON (docs/doctor.md describes it).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &DoctorArgs) -> Result<i32> {
    let (o, a, project) = stack::of(&args.stack)?;
    let target = doctor::Target {
        root: &o.root,
        shown: args.stack.project.path.display().to_string(),
        prod: args.stack.prod,
        project,
        plan: &a.plan,
        facts: &a.facts,
    };
    let report = doctor::run(&target);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", render(&report));
    }
    Ok(if report.ok() { 0 } else { 1 })
}

/// The report for people: one line per check, then its findings with their remedies.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "djship doctor: the {} stack of {} ({})\n",
        r.stack, r.project, r.compose_file
    );
    for c in &r.checks {
        let mark = match c.status {
            Status::Ok => "ok",
            Status::Info => "ok",
            Status::Warning => "warning",
            Status::Error => "ERROR",
            Status::Skipped => "skipped",
        };
        let line = match &c.skipped {
            Some(why) => why.clone(),
            None => c.summary.clone(),
        };
        let _ = writeln!(s, "{mark:>8}  {}: {line}", c.id);
        for f in &c.findings {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let _ = writeln!(s, "          {sev}: {}", f.message);
            if let Some(e) = f
                .evidence
                .as_ref()
                .filter(|e| !f.message.contains(&e.to_string()))
            {
                let _ = writeln!(s, "            at: {e}");
            }
            if let Some(fix) = &f.remedy {
                let _ = writeln!(s, "            remedy: {fix}");
            }
            for d in &f.detail {
                let _ = writeln!(s, "            | {d}");
            }
        }
    }
    let skipped: Vec<&str> = r
        .checks
        .iter()
        .filter(|c| c.status == Status::Skipped)
        .map(|c| c.id)
        .collect();
    let _ = writeln!(
        s,
        "\n{} error(s), {} warning(s){}",
        r.errors,
        r.warnings,
        if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped: {} (the reasons are above)", skipped.join(", "))
        }
    );
    if r.ok() {
        let _ = writeln!(s, "healthy: no error found");
    }
    s
}

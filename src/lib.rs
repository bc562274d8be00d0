//! djship: understand a Django project and generate its container setup.
//!
//! The pipeline is visible in the module layout (docs/architecture.md draws it):
//! [`options`] (flags, config and defaults, resolved once) → [`detect`] (read-only facts
//! with evidence, and the settings problems found in them) → [`plan`] (the application,
//! target-neutral: one serializable value) → [`targets`] (one folder per way of running
//! it, each owning its templates) → [`write`] (safe, atomic, diffable). [`pipeline`] runs
//! them in that order; [`engine`] is the one place that talks to Docker; [`lint`] checks
//! files the user wrote; [`cli`] parses arguments, calls the pipeline and prints.
//! [`dockerfile`] and [`shell`] are parsers that detect and lint share.

pub mod checks;
pub mod cli;
pub mod config;
pub mod contain;
pub mod detect;
pub mod diff;
pub mod dockerfile;
pub mod engine;
pub mod error;
pub mod evidence;
#[doc(hidden)]
pub mod fuzz;
pub mod lint;
pub mod options;
pub mod pipeline;
pub mod plan;
pub mod severity;
pub mod shell;
pub mod targets;
pub mod write;

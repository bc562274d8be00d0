//! djship: understand a Django project and generate its container setup.
//!
//! The pipeline is visible in the module layout:
//! [`detect`] (read-only facts with evidence) → [`plan`] (every decision, one
//! serializable value) → [`render`] (templates to file contents) → [`write`]
//! (safe, atomic, diffable). [`engine`] is the one place that talks to Docker. [`cli`]
//! wires them together.

pub mod cli;
pub mod config;
pub mod detect;
pub mod diff;
pub mod engine;
pub mod error;
pub mod lint;
pub mod plan;
pub mod render;
pub mod severity;
pub mod write;

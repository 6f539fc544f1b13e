//! Wording (`diag::report`): BDF parsing, log lines, evidence, fixes, summary and the JSON
//! report, by area. Each table case is its own `#[test]`, so `cargo test --test report <case>`
//! runs one.

#[path = "../common/mod.rs"]
mod common;

mod bdf;
mod evidence;
mod fixes;
mod json;
mod lines;
mod properties;
mod summary;
mod support;

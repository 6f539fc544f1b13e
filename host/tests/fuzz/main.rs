//! Fuzz targets for src/diag, in stable Rust: BAR decoding (`decode`), the trial plan and scan
//! (`plan`), the checks and every report writer (`report`), and BDF parsing (`bdf`). Each
//! feeds random inputs and mutated fixtures (tests/common) to the code under test with
//! overflow checks on, and asserts properties rather than outputs (see each target).
//!
//! `cargo test` gives them `PFD_FUZZ_SECS` seconds together (default 30; `make fuzz` raises
//! it) and prints each target's inputs per second; `PFD_FUZZ_SEED` picks another sequence of
//! inputs. A failure names the seed, the input's number and the input.

#[path = "../common/mod.rs"]
mod common;

mod bdf;
mod decode;
mod driver;
mod known;
mod plan;
mod report;

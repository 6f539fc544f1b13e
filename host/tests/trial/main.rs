//! Trial mappings (`diag::trial`): every frame of a BAR asked in batches (or a sample of a BAR
//! above the test limit), and Xen's answers folded into runs of pfns, by area. Each table
//! case is its own `#[test]`, so `cargo test --test trial <case>` runs one.

#[path = "../common/mod.rs"]
mod common;

mod exact;
mod failures;
mod first_frame;
mod plan;
mod properties;
mod runs;
mod support;

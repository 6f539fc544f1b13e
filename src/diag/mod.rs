// SPDX-License-Identifier: GPL-2.0

//! The pure decision logic of pcifront-diag: BAR decoding, checks, findings and their wording.
//!
//! `no_std`, no allocation, no kernel dependency. The kernel module (`src/probe.rs`) gathers
//! [`facts::DeviceFacts`] and calls [`checks::check`]; the host crate (`host/`) compiles these
//! same files and tests them with `cargo test`.

pub mod bar;
pub mod checks;
pub mod facts;
pub mod line;
pub mod report;
pub mod span;
pub mod trial;

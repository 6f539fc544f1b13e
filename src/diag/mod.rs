// SPDX-License-Identifier: GPL-2.0

//! The pure decision logic of pcifront-diag: BAR decoding, checks, findings and their wording.
//!
//! `no_std`, no allocation, no kernel dependency. The kernel module (`src/probe.rs`) gathers
//! [`facts::DeviceFacts`] and calls [`checks::check`]; the host crate (`host/`) compiles these
//! same files and tests them with `cargo test`.
//!
//! Every narrowing or sign-changing cast here says why it loses nothing (`// CAST:`) and
//! allows these lints where it is made.

#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

pub mod bar;
pub mod checks;
pub mod dma;
pub mod facts;
pub mod findings;
pub mod irq;
pub mod line;
pub mod paths;
pub mod report;
pub mod span;
pub mod trial;

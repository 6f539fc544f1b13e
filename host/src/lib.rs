//! Host build of the module's pure logic: the very files the kernel module compiles
//! (`../src/diag/`), so `cargo test` exercises the code that runs in the guest.
#![no_std]

#[path = "../../src/diag/mod.rs"]
pub mod diag;

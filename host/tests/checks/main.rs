//! The checks (`diag::checks`): every finding kind from hand-built facts, by area. Each table
//! case is its own `#[test]`, so `cargo test --test checks <case>` runs one.

#[path = "../common/mod.rs"]
mod common;

/// One `#[test]` per finding case (`name => Case { .. },`): the healthy device changed by the
/// case's `setup` gives exactly its findings (see [`support::assert_case`]).
macro_rules! finding_cases {
    ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            $crate::support::assert_case(stringify!($name), &$case);
        }
    )*};
}

mod context;
mod edges;
mod kinds;
mod read_probe;
mod registers;
mod resources;
mod support;
mod xen;

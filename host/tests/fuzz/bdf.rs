//! Fuzzing `Bdf::parse`: the backend's BDF as xenstore holds it (any bytes a backend wrote).

use crate::driver::{run, Rng};
use pcifront_diag_core::diag::report::Bdf;

/// Characters a BDF is made of, and some it is not.
const ALPHABET: &[u8] = b"0123456789abcdefABCDEF:.:..+- \0\nxz\xc3\xa9";

/// A real BDF with a few characters replaced, inserted or removed, or random characters.
fn generate(rng: &mut Rng) -> Vec<u8> {
    let mut s = match rng.below(3) {
        0 => b"0000:03:00.0".to_vec(),
        1 => b"00:04.0\0".to_vec(),
        _ => (0..rng.below(16)).map(|_| rng.pick(ALPHABET)).collect(),
    };
    for _ in 0..rng.below(4) {
        let at = rng.index(s.len() + 1);
        match rng.below(3) {
            0 if at < s.len() => s[at] = rng.pick(ALPHABET),
            1 => s.insert(at, rng.pick(ALPHABET)),
            _ if at < s.len() => drop(s.remove(at)),
            _ => {}
        }
    }
    s
}

/// A BDF that parses is a valid one, and its display parses back to it.
fn check(bytes: &[u8]) {
    let s = String::from_utf8_lossy(bytes);
    if let Some(b) = Bdf::parse(&s) {
        assert!(b.dev <= 0x1f && b.func <= 7, "{b:?}");
        assert_eq!(Bdf::parse(&b.to_string()), Some(b));
    }
}

#[test]
fn fuzz_bdf() {
    assert!(run("bdf", 0.05, generate, |_| None, |s: &Vec<u8>| check(s)) > 0);
}

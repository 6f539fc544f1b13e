//! The fuzz loop: a seeded xorshift generator, a time budget per target, and the report of
//! what ran. Stable Rust only: no libFuzzer, no coverage feedback; random and mutated inputs.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// Seconds all host fuzz targets may take together, unless `PFD_FUZZ_SECS` says otherwise.
/// `cargo test` runs them on every change, so the default stays small; `make fuzz` raises it.
const DEFAULT_TOTAL_SECS: f64 = 30.0;
/// Seed of every run unless `PFD_FUZZ_SEED` says otherwise, so a failure in CI replays.
const DEFAULT_SEED: u64 = 0x5046_442d_4655_5a5a;
/// Inputs generated between two looks at the clock.
const CHUNK: u64 = 32;

/// xorshift64* (Vigna): small, fast, and good enough to pick inputs.
pub struct Rng(u64);

impl Rng {
    /// A generator whose state is derived from `seed` with splitmix64 (never 0).
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Self((z ^ (z >> 31)) | 1)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An index into a slice of `len` items (`len > 0`).
    pub fn index(&mut self, len: usize) -> usize {
        // CAST: the result is below `len`, a usize.
        self.below(len as u64) as usize
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// A 64-bit value where bugs live: the ends of each width, page and 52-bit boundaries, a
    /// step either side of them, small numbers and plain random ones.
    pub fn edgy_u64(&mut self) -> u64 {
        const EDGES: [u64; 14] = [
            0,
            1,
            2,
            3,
            0xfff,
            0x1000,
            0xffff,
            0xffff_ffff,
            0x1_0000_0000,
            (1 << 52) - 1,
            1 << 52,
            1 << 63,
            u64::MAX - 0xfff,
            u64::MAX,
        ];
        match self.below(4) {
            0 => self.pick(&EDGES),
            1 => self
                .pick(&EDGES)
                .wrapping_add(self.below(5))
                .wrapping_sub(2),
            2 => self.below(0x1_0000),
            _ => self.next(),
        }
    }

    /// A 32-bit value the same way.
    pub fn edgy_u32(&mut self) -> u32 {
        match self.below(4) {
            // CAST: truncation to the low half is the point.
            0 => self.edgy_u64() as u32,
            1 => self.pick(&[0, 1, u32::MAX, u32::MAX - 1, 0x8000_0000]),
            // CAST: as above.
            _ => self.next() as u32,
        }
    }

    /// `v` with one random bit flipped.
    pub fn flip(&mut self, v: u64) -> u64 {
        v ^ (1 << self.below(64))
    }
}

/// `PFD_FUZZ_SEED`, or the fixed default.
fn seed() -> u64 {
    std::env::var("PFD_FUZZ_SEED")
        .ok()
        .and_then(|s| match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        })
        .unwrap_or(DEFAULT_SEED)
}

/// This target's share of `PFD_FUZZ_SECS` (or of the default).
fn budget(share: f64) -> Duration {
    let total = std::env::var("PFD_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .unwrap_or(DEFAULT_TOTAL_SECS);
    Duration::from_secs_f64(total * share)
}

/// The `known` of a target with no open bug: no input is skipped.
pub fn no_open_bug<I>(_: &I) -> Option<&'static str> {
    None
}

/// Runs one fuzz target for its `share` of the budget and prints its rate: `generate` makes
/// the next input, `known` names the regression test of an already reported bug the input
/// would hit (such inputs are counted and skipped), and `check` panics if the input breaks a
/// property. Panics, naming the seed, the input's number and the input itself, if any input
/// panics in src/diag or breaks a property. Returns the inputs run.
pub fn run<I: Debug>(
    name: &'static str,
    share: f64,
    mut generate: impl FnMut(&mut Rng) -> I,
    known: impl Fn(&I) -> Option<&'static str>,
    check: impl Fn(&I),
) -> u64 {
    let seed = seed();
    let mut rng = Rng::new(seed ^ name.bytes().fold(0, |h, b| h * 31 + u64::from(b)));
    let (budget, started) = (budget(share), Instant::now());
    let mut skipped: BTreeMap<&str, u64> = BTreeMap::new();
    let mut inputs = 0u64;
    while inputs == 0 || started.elapsed() < budget {
        for _ in 0..CHUNK {
            let input = generate(&mut rng);
            inputs += 1;
            if let Some(bug) = known(&input) {
                *skipped.entry(bug).or_default() += 1;
                continue;
            }
            if let Err(e) = catch_unwind(AssertUnwindSafe(|| check(&input))) {
                let msg = e
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| e.downcast_ref::<&str>().copied())
                    .unwrap_or("?");
                panic!("fuzz {name}: input {inputs} of seed {seed:#x} failed: {msg}\n{input:#?}");
            }
        }
    }
    report(name, inputs, started.elapsed(), seed, &skipped);
    inputs
}

/// One line per target on stderr, written past the test harness's capture so `cargo test`
/// always shows the rates.
fn report(name: &str, inputs: u64, took: Duration, seed: u64, skipped: &BTreeMap<&str, u64>) {
    let secs = took.as_secs_f64();
    let mut line = format!(
        "fuzz {name}: {inputs} inputs in {secs:.1} s, {:.0} inputs/s (seed {seed:#x})",
        inputs as f64 / secs.max(1e-9)
    );
    for (bug, n) in skipped {
        line.push_str(&format!("; {n} skipped as known bug {bug}"));
    }
    // Nothing to do if stderr is gone.
    let _ = writeln!(std::io::stderr(), "{line}");
}

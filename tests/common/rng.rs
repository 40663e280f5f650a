//! The seeded generator of the model tests (xorshift64): the same seed gives the same run, so
//! a failure names the seed that replays it.

pub struct Rng(u64);

impl Rng {
    /// Spread so that neighbouring seeds give unrelated runs; never zero (xorshift's fixed point).
    pub fn seeded(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
}

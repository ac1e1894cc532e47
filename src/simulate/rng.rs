//! Deterministic randomness for the simulator: xoshiro256** plus float helpers built only from
//! IEEE-exact operations (+ − × ÷ √), so the output is the same on every platform and libm.

/// One SplitMix64 step: seeds xoshiro and derives independent per-user streams.
pub(crate) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A well-mixed hash of two words, for seeding sub-streams.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut s = a ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    splitmix(&mut s)
}

/// xoshiro256**: small, fast and fully specified, so the stream never changes with a dependency.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [
            splitmix(&mut sm),
            splitmix(&mut sm),
            splitmix(&mut sm),
            splitmix(&mut sm),
        ];
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (0 when `n` is 0), by the multiply-high method.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`; `lo` when the range is empty.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// An element of a non-empty slice (every caller passes a constant table).
    pub(crate) fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// Index drawn with probability proportional to `weights` (all ≥ 0, not all 0).
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Approximately standard normal (Irwin–Hall with 12 terms): needs no transcendental function.
    pub(crate) fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.f64()).sum::<f64>() - 6.0
    }

    /// Exponential with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -ln(1.0 - self.f64()) * mean
    }

    /// Poisson count: exact (Knuth) for small means, normal approximation for large ones.
    pub(crate) fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let limit = exp(-lambda);
            let mut k = 0;
            let mut p = self.f64();
            while p > limit {
                k += 1;
                p *= self.f64();
            }
            return k;
        }
        let x = lambda + lambda.sqrt() * self.normal();
        if x <= 0.0 {
            0
        } else {
            (x + 0.5) as u64
        }
    }
}

const LN2: f64 = std::f64::consts::LN_2;

/// e^x from a Taylor series after range reduction; accurate to ~1e-15 relative.
pub(crate) fn exp(x: f64) -> f64 {
    if x < -700.0 {
        return 0.0;
    }
    let x = x.min(700.0);
    let k = (x / LN2 + 0.5).floor();
    let r = x - k * LN2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..18 {
        term *= r / f64::from(i);
        sum += term;
    }
    // 2^k built from its bits: exact, and k stays within the normal exponent range here.
    let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    sum * scale
}

/// Natural log for x > 0 (−inf for x ≤ 0), from the atanh series of the mantissa.
pub(crate) fn ln(x: f64) -> f64 {
    if x <= 0.0 || x.is_nan() {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let mut x = x;
    let mut e = 0i64;
    // Subnormals have no implicit bit: scale them into the normal range first.
    if x < f64::MIN_POSITIVE {
        x *= (1u64 << 54) as f64;
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7FF) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut n = 1.0;
    while n < 40.0 {
        sum += term / n;
        term *= s2;
        n += 2.0;
    }
    2.0 * sum + e as f64 * LN2
}

/// sin(x) by reduction to [−π, π] and a Taylor series.
pub(crate) fn sin(x: f64) -> f64 {
    use std::f64::consts::{PI, TAU};
    let mut r = x - (x / TAU).floor() * TAU;
    if r > PI {
        r -= TAU;
    }
    let r2 = r * r;
    let mut term = r;
    let mut sum = r;
    for i in 1..14 {
        let k = f64::from(2 * i);
        term *= -r2 / (k * (k + 1.0));
        sum += term;
    }
    sum
}

/// x^p for x > 0.
pub(crate) fn powf(x: f64, p: f64) -> f64 {
    exp(p * ln(x))
}

/// Samples ranks `0..n` with weight `1 / (rank + 1)^s`.
pub(crate) struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub(crate) fn new(n: usize, s: f64) -> Self {
        let mut acc = 0.0;
        let cdf = (0..n.max(1))
            .map(|k| {
                acc += powf(k as f64 + 1.0, -s);
                acc
            })
            .collect();
        Zipf { cdf }
    }

    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cdf.last().copied().unwrap_or(0.0);
        let u = rng.f64() * total;
        self.cdf
            .partition_point(|c| *c <= u)
            .min(self.cdf.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_matches_std_closely() {
        for i in -200..200 {
            let x = f64::from(i) * 0.173;
            assert!(
                (exp(x) - x.exp()).abs() <= 1e-13 * x.exp().max(1.0),
                "exp {x}"
            );
            assert!((sin(x) - x.sin()).abs() < 1e-12, "sin {x}");
            let y = f64::from(i + 201) * 0.37;
            assert!((ln(y) - y.ln()).abs() < 1e-13, "ln {y}");
        }
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!((ln(1e-310) - 1e-310f64.ln()).abs() < 1e-10);
    }

    #[test]
    fn rng_is_stable_and_bounded() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        for _ in 0..1000 {
            assert!(a.below(10) < 10);
            assert!((3..=5).contains(&a.range(3, 5)));
        }
        let mean = (0..20_000).map(|_| a.poisson(4.0)).sum::<u64>() as f64 / 20_000.0;
        assert!((mean - 4.0).abs() < 0.1, "{mean}");
        let z = Zipf::new(100, 1.0);
        let top = (0..10_000).filter(|_| z.sample(&mut a) == 0).count();
        assert!((1500..2300).contains(&top), "{top}");
    }
}

//! Distinct values counted per group (chatters per timeline bucket, active minutes per user)
//! over tables too large for a hash table of pairs. Both sides are numbered densely, so a pair is
//! one u64; pairs are sorted and de-duplicated as batches come in, and counted at the end. On a
//! 51.6 M-event dataset, 18 M distinct (minute, chatter) pairs as a polars `unique` of two
//! columns took the timeline to 1.7 GB (sampled RSS); counted here it stays under 0.35 GB.

use rayon::slice::ParallelSliceMut;
use rustc_hash::FxHashMap;

/// Counts distinct `(group, value)` pairs per group.
#[derive(Debug, Default)]
pub struct DistinctCounter {
    groups: FxHashMap<u64, u32>,
    /// Each group number's key.
    group_keys: Vec<u64>,
    values: FxHashMap<u64, u32>,
    /// `group << 32 | value`, the first `unique` of them sorted and without repeats.
    pairs: Vec<u64>,
    unique: usize,
}

impl DistinctCounter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, group: u64, value: u64) {
        let next = self.groups.len() as u32;
        let g = *self.groups.entry(group).or_insert_with(|| {
            self.group_keys.push(group);
            next
        });
        let next = self.values.len() as u32;
        let v = *self.values.entry(value).or_insert(next);
        self.pairs.push(u64::from(g) << 32 | u64::from(v));
        // Repeats are the rule (a chatter speaks many times a minute): folding them in once
        // the new pairs outnumber the unique ones keeps memory near the distinct pairs.
        if self.pairs.len() >= 2 * self.unique + (1 << 20) {
            self.fold();
        }
    }

    fn fold(&mut self) {
        self.pairs.par_sort_unstable();
        self.pairs.dedup();
        self.unique = self.pairs.len();
    }

    /// `(group, distinct values)` for every group seen, by group key.
    pub fn finish(mut self) -> Vec<(u64, u64)> {
        self.fold();
        let mut counts = vec![0u64; self.group_keys.len()];
        for p in &self.pairs {
            counts[(p >> 32) as usize] += 1;
        }
        let mut out: Vec<(u64, u64)> = self.group_keys.into_iter().zip(counts).collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_pair_once_across_folds() {
        let mut d = DistinctCounter::new();
        // Enough pairs to fold several times: 3 groups, values 0..1000 each seen 1000 times.
        for round in 0..1000u64 {
            for v in 0..1000u64 {
                d.add(v % 3 + 10, (v + round * 1000) % 1000);
            }
        }
        d.add(99, 7);
        assert_eq!(d.finish(), vec![(10, 334), (11, 333), (12, 333), (99, 1)]);
    }
}

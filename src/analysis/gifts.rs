//! Gifts by gift: combos, units, diamonds, distinct senders, and the revenue estimate.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::event::{Event, Kind};

/// Douyin sells 10 diamonds for 1 yuan.
pub const DEFAULT_RMB_PER_DIAMOND: f64 = 0.1;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GiftRow {
    pub gift_id: u64,
    pub gift_name: String,
    /// Resolved combos (one per send, however many updates it took).
    pub combos: u64,
    pub units: u64,
    pub diamonds: u64,
    pub senders: u64,
    pub rmb: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Gifts {
    /// By diamonds, then units.
    pub rows: Vec<GiftRow>,
    pub combos_total: u64,
    pub units_total: u64,
    pub diamonds_total: u64,
    pub rmb_total: f64,
}

pub fn gifts(events: &[&Event], rmb_per_diamond: f64) -> Gifts {
    let mut by_id: FxHashMap<u64, (GiftRow, FxHashSet<u64>)> = FxHashMap::default();
    for ev in events.iter().filter(|e| e.kind == Kind::Gift) {
        let id = ev.gift_id.unwrap_or(0);
        let (row, senders) = by_id.entry(id).or_insert_with(|| {
            (
                GiftRow {
                    gift_id: id,
                    ..GiftRow::default()
                },
                FxHashSet::default(),
            )
        });
        if row.gift_name.is_empty() {
            row.gift_name = ev.gift_name.clone().unwrap_or_default();
        }
        row.combos += 1;
        row.units += ev.gift_count.unwrap_or(0);
        row.diamonds += ev.diamond_count.unwrap_or(0);
        senders.insert(ev.user_id.unwrap_or(0));
    }
    let mut rows: Vec<GiftRow> = by_id
        .into_values()
        .map(|(mut r, s)| {
            r.senders = s.len() as u64;
            r.rmb = r.diamonds as f64 * rmb_per_diamond;
            r
        })
        .collect();
    rows.sort_by(|a, b| {
        b.diamonds
            .cmp(&a.diamonds)
            .then(b.units.cmp(&a.units))
            .then(a.gift_id.cmp(&b.gift_id))
    });
    let diamonds_total = rows.iter().map(|r| r.diamonds).sum();
    Gifts {
        combos_total: rows.iter().map(|r| r.combos).sum(),
        units_total: rows.iter().map(|r| r.units).sum(),
        diamonds_total,
        rmb_total: diamonds_total as f64 * rmb_per_diamond,
        rows,
    }
}

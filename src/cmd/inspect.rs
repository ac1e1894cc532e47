//! `inspect`: what is in the inputs — records, frames, methods, rooms, time span, duplicates,
//! combos and every problem with its position.

use std::collections::BTreeMap;
use std::io::{self, Write};

use anyhow::Result;
use clap::Args;
use serde_json::json;

use danmu_analyze::analysis::summary::totals;
use danmu_analyze::pipeline::Stats;
use danmu_analyze::timefmt::Zone;

use super::{InputArgs, Outcome};

/// Summarise inputs: frames by type, messages by method, rooms, time span, errors.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze inspect sample-data/session.dmcap\n  danmu-analyze inspect capture-*.dmcap --json"
)]
pub struct InspectArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: InspectArgs) -> Result<Outcome> {
    let loaded = args.input.load()?;
    let zone = args.input.zone();
    let s = &loaded.stats;
    let kinds: BTreeMap<String, u64> = totals(loaded.events())?.counts;
    let mut out = io::stdout().lock();
    if args.json {
        let v = json!({
            "stats": s,
            "events_by_kind": kinds,
            "time_span": {
                "start": s.first_ts.map(|t| zone.iso(t)),
                "end": s.last_ts.map(|t| zone.iso(t)),
            },
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, s, &kinds, &zone)?;
    }
    Ok(loaded.outcome())
}

fn write_text(
    out: &mut impl Write,
    s: &Stats,
    kinds: &BTreeMap<String, u64>,
    zone: &Zone,
) -> io::Result<()> {
    writeln!(
        out,
        "records        {:>10}   ({} bytes of frames)",
        s.records, s.bytes
    )?;
    for (t, n) in &s.frames {
        let label = if t.is_empty() { "(none)" } else { t.as_str() };
        writeln!(out, "  frames {label:<7}{n:>10}")?;
    }
    writeln!(out, "  asking ACK   {:>10}", s.frames_need_ack)?;
    writeln!(out, "messages       {:>10}", s.messages)?;
    for (m, n) in &s.methods {
        writeln!(out, "  {m:<40}{n:>10}")?;
    }
    writeln!(
        out,
        "duplicates     {:>10}   (re-delivered messages, dropped)",
        s.duplicates_dropped
    )?;
    writeln!(
        out,
        "gift updates   {:>10}   → {} gifts once combos are resolved",
        s.gift_updates, s.combos
    )?;
    writeln!(out, "events         {:>10}", s.events)?;
    for (k, n) in kinds {
        writeln!(out, "  {k:<13}{n:>10}")?;
    }
    let rooms: Vec<String> = s.rooms.iter().map(u64::to_string).collect();
    writeln!(
        out,
        "rooms          {}",
        if rooms.is_empty() {
            "-".into()
        } else {
            rooms.join(", ")
        }
    )?;
    match (s.first_ts, s.last_ts) {
        (Some(a), Some(b)) => writeln!(
            out,
            "time span      {} → {} ({})",
            zone.iso_secs(a),
            zone.iso_secs(b),
            duration(b - a)
        )?,
        _ => writeln!(out, "time span      -")?,
    }
    writeln!(out, "errors         {:>10}", s.error_count)?;
    for issue in &s.errors {
        writeln!(out, "  {issue}")?;
    }
    if s.error_count as usize > s.errors.len() {
        writeln!(
            out,
            "  … {} more not listed",
            s.error_count as usize - s.errors.len()
        )?;
    }
    Ok(())
}

fn duration(ms: i64) -> String {
    let s = ms / 1000;
    format!("{}h{:02}m{:02}s", s / 3600, s % 3600 / 60, s % 60)
}

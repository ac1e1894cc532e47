//! The funnel chart: one centred bar per step, its width the step's count against the first
//! (viewers), with the step's name on the left and its count and rates on the right.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{clean_label, draw_err, ensure_registered, ChartError, FAMILY};

/// One bar of the funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step's name, as the page's language says it.
    pub label: String,
    pub count: u64,
    /// Beside the bar: the count and its rates, already written out.
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct Funnel {
    pub title: String,
    /// From the widest (viewers) down.
    pub steps: Vec<Step>,
    /// Under the bars: what the viewers are and why the rates stay within their base.
    pub footnote: String,
}

const WIDTH: u32 = 1100;
const ROW: u32 = 54;
/// The bars' band, between the names and the notes.
const BAND: (i32, i32) = (170, 640);

/// Width and height of a funnel chart of `n` steps.
pub fn size(n: usize) -> (u32, u32) {
    (WIDTH, 110 + ROW * n.max(1) as u32)
}

pub fn draw(path: &Path, f: &Funnel) -> Result<(u32, u32), ChartError> {
    super::save(path, |tmp| render(tmp, f))
}

fn render(path: &Path, f: &Funnel) -> Result<(u32, u32), ChartError> {
    ensure_registered();
    let err = draw_err(path);
    let (w, h) = size(f.steps.len());
    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let text = |s: &str, at: (i32, i32), size: u32, anchor: Pos, color: &RGBColor| {
        Text::new(
            clean_label(s, ""),
            at,
            (FAMILY, size).into_font().color(color).pos(anchor),
        )
    };
    let dark = RGBColor(40, 40, 40);
    let centre = Pos::new(HPos::Center, VPos::Center);
    root.draw(&text(&f.title, (w as i32 / 2, 26), 26, centre, &dark))
        .map_err(|e| err(e.to_string()))?;
    let top = f.steps.first().map_or(1, |s| s.count).max(1) as f64;
    let mid = (BAND.0 + BAND.1) / 2;
    let half = f64::from((BAND.1 - BAND.0) / 2);
    for (i, s) in f.steps.iter().enumerate() {
        let y = 60 + (i as u32 * ROW) as i32;
        // Linear in the count, at least a sliver so a small step still shows.
        let half_w = ((s.count as f64 / top).min(1.0) * half).max(2.0) as i32;
        let color = super::PALETTE[i % super::PALETTE.len()];
        root.draw(&Rectangle::new(
            [(mid - half_w, y + 6), (mid + half_w, y + ROW as i32 - 6)],
            color.mix(0.85).filled(),
        ))
        .map_err(|e| err(e.to_string()))?;
        let row_mid = y + ROW as i32 / 2;
        let right = Pos::new(HPos::Right, VPos::Center);
        let left = Pos::new(HPos::Left, VPos::Center);
        root.draw(&text(&s.label, (BAND.0 - 14, row_mid), 19, right, &dark))
            .map_err(|e| err(e.to_string()))?;
        root.draw(&text(&s.note, (BAND.1 + 14, row_mid), 17, left, &dark))
            .map_err(|e| err(e.to_string()))?;
    }
    let grey = RGBColor(110, 110, 110);
    let left = Pos::new(HPos::Left, VPos::Center);
    root.draw(&text(&f.footnote, (24, h as i32 - 28), 15, left, &grey))
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok((w, h))
}

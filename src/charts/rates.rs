//! Rates side by side: for each group (a room), one bar per rate (0–1), the percentage beside
//! it; the rooms' funnels compared at a glance.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{clean_label, draw_err, ensure_registered, ChartError, FAMILY, PALETTE};

#[derive(Debug, Clone)]
pub struct Rates {
    pub title: String,
    /// The rates' names, in bar order (a colour each).
    pub names: Vec<String>,
    /// (group label, one rate per name; `None`: not known).
    pub groups: Vec<(String, Vec<Option<f64>>)>,
}

const WIDTH: u32 = 1100;
const BAR: u32 = 22;
const LEFT: i32 = 230;
const RIGHT: i32 = 980;

/// Width and height for `groups` groups of `bars` bars.
pub fn size(groups: usize, bars: usize) -> (u32, u32) {
    let per = BAR * bars.max(1) as u32 + 18;
    (WIDTH, 110 + per * groups.max(1) as u32)
}

pub fn draw(path: &Path, r: &Rates) -> Result<(u32, u32), ChartError> {
    super::save(path, |tmp| render(tmp, r))
}

fn render(path: &Path, r: &Rates) -> Result<(u32, u32), ChartError> {
    ensure_registered();
    let err = draw_err(path);
    let (w, h) = size(r.groups.len(), r.names.len());
    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let dark = RGBColor(40, 40, 40);
    let text = |s: &str, at: (i32, i32), size: u32, pos: Pos| {
        Text::new(
            clean_label(s, ""),
            at,
            (FAMILY, size).into_font().color(&dark).pos(pos),
        )
    };
    let centre = Pos::new(HPos::Center, VPos::Center);
    let left = Pos::new(HPos::Left, VPos::Center);
    let right = Pos::new(HPos::Right, VPos::Center);
    root.draw(&text(&r.title, (w as i32 / 2, 24), 24, centre))
        .map_err(|e| err(e.to_string()))?;
    // The legend: the rates' colours.
    let mut x = LEFT;
    for (i, name) in r.names.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        root.draw(&Rectangle::new([(x, 50), (x + 16, 62)], c.filled()))
            .map_err(|e| err(e.to_string()))?;
        root.draw(&text(name, (x + 22, 56), 15, left))
            .map_err(|e| err(e.to_string()))?;
        x += 30 + 15 * name.chars().count() as i32;
    }
    let top = r
        .groups
        .iter()
        .flat_map(|g| g.1.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b))
        .max(1e-9);
    let per = (BAR * r.names.len().max(1) as u32 + 18) as i32;
    for (gi, (label, rates)) in r.groups.iter().enumerate() {
        let y0 = 80 + gi as i32 * per;
        root.draw(&text(label, (LEFT - 12, y0 + (per - 18) / 2), 17, right))
            .map_err(|e| err(e.to_string()))?;
        for (bi, rate) in rates.iter().enumerate() {
            let y = y0 + bi as i32 * BAR as i32;
            let c = PALETTE[bi % PALETTE.len()];
            let len = rate.map_or(0, |v| ((v / top) * f64::from(RIGHT - LEFT - 80)) as i32);
            root.draw(&Rectangle::new(
                [(LEFT, y + 3), (LEFT + len.max(1), y + BAR as i32 - 3)],
                c.filled(),
            ))
            .map_err(|e| err(e.to_string()))?;
            let shown = rate.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
            root.draw(&text(
                &shown,
                (LEFT + len + 6, y + BAR as i32 / 2),
                14,
                left,
            ))
            .map_err(|e| err(e.to_string()))?;
        }
    }
    root.present().map_err(|e| err(e.to_string()))?;
    Ok((w, h))
}

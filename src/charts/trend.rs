//! A value per session over time: one line per series (a room, or a room's returning
//! viewers), a dot at each session's start.

use std::path::Path;

use plotters::prelude::*;

use super::{draw_err, ensure_registered, ChartError, FAMILY, PALETTE};
use crate::timefmt::Zone;

pub const SIZE: (u32, u32) = (1200, 520);

/// A named line: (session start in UTC ms, value) in time order.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub points: Vec<(i64, u64)>,
}

#[derive(Debug, Clone)]
pub struct Trend {
    pub title: String,
    pub y_label: String,
    pub lines: Vec<Line>,
}

pub fn draw(path: &Path, t: &Trend, zone: &Zone) -> Result<(u32, u32), ChartError> {
    super::save(path, |tmp| render(tmp, t, zone))
}

fn render(path: &Path, t: &Trend, zone: &Zone) -> Result<(u32, u32), ChartError> {
    ensure_registered();
    let err = draw_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let all = || t.lines.iter().flat_map(|l| l.points.iter());
    let x0 = all().map(|p| p.0).min().unwrap_or(0);
    let x1 = all().map(|p| p.0).max().unwrap_or(0);
    // Half a day of margin, so a single session is not drawn on the edge.
    let pad = ((x1 - x0) / 20).max(43_200_000);
    let ymax = all().map(|p| p.1).max().unwrap_or(1).max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(super::clean_label(&t.title, ""), (FAMILY, 28))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x0 - pad..x1 + pad, 0u64..ymax + ymax / 6 + 1)
        .map_err(|e| err(e.to_string()))?;
    let fmt = |ms: &i64| zone.at(*ms).format("%m-%d %H:%M").to_string();
    chart
        .configure_mesh()
        .x_labels(8)
        .x_label_formatter(&fmt)
        .y_label_formatter(&|v| super::thousands(*v))
        .y_desc(super::clean_label(&t.y_label, ""))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    for (i, line) in t.lines.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| err(e.to_string()))?
            .label(super::clean_label(&line.name, "?"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3)));
        chart
            .draw_series(
                line.points
                    .iter()
                    .map(|p| Circle::new(*p, 5, color.filled())),
            )
            .map_err(|e| err(e.to_string()))?;
    }
    super::legend(&mut chart, &err)?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(SIZE)
}

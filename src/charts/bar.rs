//! Horizontal bar charts: one bar per labelled value, largest on top.

use std::path::Path;

use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::prelude::*;

use super::{clean_label, draw_err, ensure_registered, thousands, ChartError, FAMILY};

#[derive(Debug, Clone)]
pub struct Bars {
    pub title: String,
    /// (label, value), in display order from the top.
    pub rows: Vec<(String, u64)>,
    pub value_label: String,
    pub color: RGBColor,
}

/// Width and height of a bar chart with `n` bars.
pub fn size(n: usize) -> (u32, u32) {
    (1000, (120 + 34 * n.max(1)) as u32)
}

pub fn draw(path: &Path, bars: &Bars) -> Result<(u32, u32), ChartError> {
    super::save(path, |tmp| render(tmp, bars))
}

fn render(path: &Path, bars: &Bars) -> Result<(u32, u32), ChartError> {
    ensure_registered();
    let err = draw_err(path);
    let (w, h) = size(bars.rows.len());
    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let n = bars.rows.len().max(1);
    let max = bars.rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let labels: Vec<String> = bars.rows.iter().map(|(l, _)| clean_label(l, "?")).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(clean_label(&bars.title, ""), (FAMILY, 28))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(220)
        .build_cartesian_2d(0u64..max + max / 8 + 1, (0..n).into_segmented())
        .map_err(|e| err(e.to_string()))?;
    let label_of = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if *i < n => labels.get(n - 1 - *i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&label_of)
        .x_label_formatter(&|v| thousands(*v))
        .x_desc(clean_label(&bars.value_label, ""))
        .label_style((FAMILY, 16))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    let color = bars.color;
    chart
        .draw_series(bars.rows.iter().enumerate().map(|(i, (_, v))| {
            let y = n - 1 - i;
            let mut r = Rectangle::new(
                [
                    (0, SegmentValue::Exact(y)),
                    (*v, SegmentValue::Exact(y + 1)),
                ],
                color.filled(),
            );
            r.set_margin(4, 4, 0, 0);
            r
        }))
        .map_err(|e| err(e.to_string()))?;
    chart
        .draw_series(bars.rows.iter().enumerate().map(|(i, (_, v))| {
            Text::new(
                thousands(*v),
                (*v + max / 100, SegmentValue::CenterOf(n - 1 - i)),
                (FAMILY, 15).into_font(),
            )
        }))
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok((w, h))
}

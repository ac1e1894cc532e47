//! The revenue chart: diamonds per bucket as bars, the running total as a line on the right
//! axis, the biggest gifts marked with their names.

use std::path::Path;

use plotters::prelude::*;

use super::{clean_label, draw_err, ensure_registered, thousands, ChartError, FAMILY};
use crate::timefmt::Zone;

pub const SIZE: (u32, u32) = (1200, 520);

/// A big gift's mark.
#[derive(Debug, Clone, PartialEq)]
pub struct BigGift {
    pub at_ms: i64,
    pub diamonds: u64,
    /// Who sent what, as the label shows it.
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Revenue {
    pub title: String,
    pub bucket_ms: i64,
    /// (bucket start, diamonds in it), in time order.
    pub buckets: Vec<(i64, u64)>,
    pub marks: Vec<BigGift>,
    /// The axes' words: per bucket, cumulative.
    pub per_bucket: String,
    pub cumulative: String,
}

pub fn draw(path: &Path, r: &Revenue, zone: &Zone) -> Result<(u32, u32), ChartError> {
    super::save(path, |tmp| render(tmp, r, zone))
}

fn render(path: &Path, r: &Revenue, zone: &Zone) -> Result<(u32, u32), ChartError> {
    ensure_registered();
    let err = draw_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let b = &r.buckets;
    let x0 = b.first().map_or(0, |x| x.0);
    let x1 = b.last().map_or(1, |x| x.0 + r.bucket_ms).max(x0 + 1);
    let ymax = b.iter().map(|x| x.1).max().unwrap_or(1).max(1);
    let total: u64 = b.iter().map(|x| x.1).sum::<u64>().max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(clean_label(&r.title, ""), (FAMILY, 26))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .right_y_label_area_size(90)
        .build_cartesian_2d(x0..x1, 0u64..ymax + ymax / 5 + 1)
        .map_err(|e| err(e.to_string()))?
        .set_secondary_coord(x0..x1, 0u64..total + total / 10 + 1);
    let fmt = |ms: &i64| zone.at(*ms).format("%H:%M").to_string();
    chart
        .configure_mesh()
        .x_labels(12)
        .x_label_formatter(&fmt)
        .y_label_formatter(&|v| thousands(*v))
        .y_desc(clean_label(&r.per_bucket, ""))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_secondary_axes()
        .y_label_formatter(&|v| thousands(*v))
        .y_desc(clean_label(&r.cumulative, ""))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    let purple = RGBColor(148, 103, 189);
    chart
        .draw_series(b.iter().map(|(t, d)| {
            let mut bar = Rectangle::new([(*t, 0), (*t + r.bucket_ms, *d)], purple.filled());
            bar.set_margin(0, 0, 1, 1);
            bar
        }))
        .map_err(|e| err(e.to_string()))?
        .label(clean_label(&r.per_bucket, ""))
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], purple.filled()));
    let mut running = 0u64;
    let line: Vec<(i64, u64)> = b
        .iter()
        .map(|(t, d)| {
            running += d;
            (*t + r.bucket_ms, running)
        })
        .collect();
    let gold = RGBColor(214, 150, 0);
    chart
        .draw_secondary_series(LineSeries::new(line, gold.stroke_width(3)))
        .map_err(|e| err(e.to_string()))?
        .label(clean_label(&r.cumulative, ""))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], gold.stroke_width(3)));
    let red = RGBColor(214, 39, 40);
    let bucket_of = |at: i64| at - (at - x0).rem_euclid(r.bucket_ms.max(1));
    let height = |at: i64| {
        let start = bucket_of(at);
        b.iter().find(|x| x.0 == start).map_or(0, |x| x.1)
    };
    let mid = r.bucket_ms / 2;
    chart
        .draw_series(
            r.marks
                .iter()
                .map(|m| Circle::new((bucket_of(m.at_ms) + mid, height(m.at_ms)), 6, red.filled())),
        )
        .map_err(|e| err(e.to_string()))?;
    chart
        .draw_series(r.marks.iter().enumerate().map(|(i, m)| {
            // Every other label a line higher: marks minutes apart do not overprint.
            let lift = ymax / 30 + 1 + (i as u64 % 2) * (ymax / 14);
            Text::new(
                clean_label(&m.label, "?"),
                (bucket_of(m.at_ms) + mid, height(m.at_ms) + lift),
                (FAMILY, 14).into_font().color(&red),
            )
        }))
        .map_err(|e| err(e.to_string()))?;
    super::legend(&mut chart, &err)?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(SIZE)
}

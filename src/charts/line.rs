//! The timeline chart: chat, chatters and joins per bucket, viewers online on a second axis,
//! peaks marked.

use std::path::Path;

use plotters::prelude::*;

use super::{draw_err, ensure_registered, ChartError, FAMILY};
use crate::timefmt::Zone;

pub const SIZE: (u32, u32) = (1200, 560);

/// One bucket of the chart.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Point {
    pub start_ms: i64,
    pub chat: u64,
    pub chatters: u64,
    pub joins: u64,
    /// Viewers online; `None` where nothing was sent.
    pub online: Option<u64>,
}

/// A peak's mark: its top bucket's start and chat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub top_ms: i64,
    pub chat: u64,
}

/// What the timeline chart shows.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub title: String,
    pub bucket_ms: i64,
    pub points: Vec<Point>,
    pub marks: Vec<Mark>,
}

type PointValue = fn(&Point) -> u64;

pub fn draw(path: &Path, t: &Timeline, zone: &Zone) -> Result<(u32, u32), ChartError> {
    super::save(path, |tmp| render(tmp, t, zone))
}

fn render(path: &Path, t: &Timeline, zone: &Zone) -> Result<(u32, u32), ChartError> {
    let (b, bucket_ms, peaks, title) = (&t.points, t.bucket_ms, &t.marks, &t.title);
    ensure_registered();
    let err = draw_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let x0 = b.first().map_or(0, |x| x.start_ms);
    let x1 = b.last().map_or(1, |x| x.start_ms + bucket_ms).max(x0 + 1);
    let ymax = b
        .iter()
        .map(|x| x.chat.max(x.chatters).max(x.joins))
        .max()
        .unwrap_or(1)
        .max(1);
    let omax = b.iter().filter_map(|x| x.online).max().unwrap_or(1).max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(super::clean_label(title, ""), (FAMILY, 28))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .right_y_label_area_size(70)
        .build_cartesian_2d(x0..x1, 0u64..ymax + ymax / 6 + 1)
        .map_err(|e| err(e.to_string()))?
        .set_secondary_coord(x0..x1, 0u64..omax + omax / 6 + 1);
    let fmt = |ms: &i64| zone.at(*ms).format("%H:%M").to_string();
    chart
        .configure_mesh()
        .x_labels(12)
        .x_label_formatter(&fmt)
        .y_desc(format!("每{}", bucket_name(bucket_ms)))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_secondary_axes()
        .y_desc("在线人数")
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    let mid = bucket_ms / 2;
    let series: [(&str, RGBColor, PointValue); 3] = [
        ("弹幕", RGBColor(31, 119, 180), |x| x.chat),
        ("发言人数", RGBColor(44, 160, 44), |x| x.chatters),
        ("进场", RGBColor(255, 127, 14), |x| x.joins),
    ];
    for (name, color, value) in series {
        chart
            .draw_series(LineSeries::new(
                b.iter().map(|x| (x.start_ms + mid, value(x))),
                color.stroke_width(2),
            ))
            .map_err(|e| err(e.to_string()))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    let gray = RGBColor(120, 120, 120);
    chart
        .draw_secondary_series(LineSeries::new(
            b.iter()
                .filter_map(|x| x.online.map(|o| (x.start_ms + mid, o))),
            gray.stroke_width(2),
        ))
        .map_err(|e| err(e.to_string()))?
        .label("在线人数")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], gray.stroke_width(3)));
    chart
        .draw_series(
            peaks
                .iter()
                .map(|p| Circle::new((p.top_ms + mid, p.chat), 7, RED.filled())),
        )
        .map_err(|e| err(e.to_string()))?;
    chart
        .draw_series(peaks.iter().map(|p| {
            Text::new(
                format!("峰值 {}", fmt(&p.top_ms)),
                (p.top_ms + mid, p.chat + ymax / 30 + 1),
                (FAMILY, 15).into_font().color(&RED),
            )
        }))
        .map_err(|e| err(e.to_string()))?;
    super::legend(&mut chart, &err)?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(SIZE)
}

fn bucket_name(ms: i64) -> String {
    match ms {
        ms if ms % 3_600_000 == 0 => format!("{}小时", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}分钟", ms / 60_000),
        ms => format!("{}秒", ms / 1000),
    }
}

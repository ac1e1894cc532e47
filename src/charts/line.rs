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
    /// PK battles, (start, end) UTC ms: shaded behind the lines.
    pub battles: Vec<(i64, i64)>,
}

type PointValue = fn(&Point) -> u64;

/// The chart's own words: Chinese (`timeline --png`, the default report) or English
/// (`report --lang en`).
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub chat: &'static str,
    pub chatters: &'static str,
    pub joins: &'static str,
    pub online: &'static str,
    pub peak: &'static str,
    pub battle: &'static str,
    pub english: bool,
}

pub const ZH: Words = Words {
    chat: "弹幕",
    chatters: "发言人数",
    joins: "进场",
    online: "在线人数",
    peak: "峰值",
    battle: "PK",
    english: false,
};

pub const EN: Words = Words {
    chat: "chat",
    chatters: "chatters",
    joins: "joins",
    online: "online",
    peak: "peak",
    battle: "PK battle",
    english: true,
};

pub fn draw(path: &Path, t: &Timeline, zone: &Zone) -> Result<(u32, u32), ChartError> {
    draw_in(path, t, zone, &ZH)
}

/// [`draw`] with the legend and axes in `words`.
pub fn draw_in(
    path: &Path,
    t: &Timeline,
    zone: &Zone,
    words: &Words,
) -> Result<(u32, u32), ChartError> {
    super::save(path, |tmp| render(tmp, t, zone, words))
}

fn render(path: &Path, t: &Timeline, zone: &Zone, words: &Words) -> Result<(u32, u32), ChartError> {
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
        .y_desc(bucket_name(bucket_ms, words.english))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_secondary_axes()
        .y_desc(words.online)
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    let top = ymax + ymax / 6 + 1;
    let shade = RGBColor(255, 200, 120);
    let shaded: Vec<_> = t
        .battles
        .iter()
        .filter(|(s, e)| *e >= x0 && *s <= x1)
        .collect();
    // Only with battles: a chart without any stays as it was, legend and all.
    if !shaded.is_empty() {
        chart
            .draw_series(shaded.iter().map(|(s, e)| {
                Rectangle::new(
                    [((*s).max(x0), 0), ((*e).min(x1), top)],
                    shade.mix(0.35).filled(),
                )
            }))
            .map_err(|e| err(e.to_string()))?
            .label(words.battle)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], shade.filled()));
    }
    let mid = bucket_ms / 2;
    let series: [(&str, RGBColor, PointValue); 3] = [
        (words.chat, RGBColor(31, 119, 180), |x| x.chat),
        (words.chatters, RGBColor(44, 160, 44), |x| x.chatters),
        (words.joins, RGBColor(255, 127, 14), |x| x.joins),
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
        .label(words.online)
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
                format!("{} {}", words.peak, fmt(&p.top_ms)),
                (p.top_ms + mid, p.chat + ymax / 30 + 1),
                (FAMILY, 15).into_font().color(&RED),
            )
        }))
        .map_err(|e| err(e.to_string()))?;
    super::legend(&mut chart, &err)?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(SIZE)
}

/// The left axis: per bucket (`每1分钟`, `per 1 min`).
pub fn bucket_name(ms: i64, english: bool) -> String {
    let (n, unit) = match ms {
        ms if ms % 3_600_000 == 0 => (ms / 3_600_000, ["小时", " h"]),
        ms if ms % 60_000 == 0 => (ms / 60_000, ["分钟", " min"]),
        ms => (ms / 1000, ["秒", " s"]),
    };
    match english {
        false => format!("每{n}{}", unit[0]),
        true => format!("per {n}{}", unit[1]),
    }
}

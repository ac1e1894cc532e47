//! A word cloud: the most frequent words, sized by count, placed on a spiral without overlap.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{clean_label, draw_err, ensure_registered, ChartError, FAMILY, PALETTE};

pub const SIZE: (u32, u32) = (1000, 640);

/// Draws `words` (word, count), most frequent first; returns how many found a place.
pub fn draw(path: &Path, words: &[(String, u64)]) -> Result<usize, ChartError> {
    super::save(path, |tmp| render(tmp, words))
}

fn render(path: &Path, words: &[(String, u64)]) -> Result<usize, ChartError> {
    ensure_registered();
    let err = draw_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let (w, h) = (SIZE.0 as i32, SIZE.1 as i32);
    let max = words.first().map_or(1, |x| x.1).max(1) as f64;
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    for (i, (word, count)) in words.iter().enumerate() {
        let label = clean_label(word, "");
        if label.is_empty() {
            continue;
        }
        // Size by the square root of the count: area, not height, tracks frequency.
        let size = 16.0 + 64.0 * ((*count as f64) / max).sqrt();
        let style = TextStyle::from((FAMILY, size).into_font())
            .color(&PALETTE[i % PALETTE.len()])
            .pos(Pos::new(HPos::Center, VPos::Center));
        let (tw, th) = root
            .estimate_text_size(&label, &style)
            .map_err(|e| err(e.to_string()))?;
        let (tw, th) = (tw as i32 + 6, th as i32 + 4);
        // Archimedean spiral out from the centre; the first free spot wins.
        let spot = (0..4000).map(|k| {
            let a = k as f64 * 0.1;
            let r = 2.0 * a;
            (
                w / 2 + (r * a.cos() * 1.6) as i32,
                h / 2 + (r * a.sin()) as i32,
            )
        });
        for (cx, cy) in spot {
            let rect = (cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2);
            if rect.0 < 4 || rect.1 < 4 || rect.2 > w - 4 || rect.3 > h - 4 {
                continue;
            }
            if placed
                .iter()
                .all(|p| rect.2 <= p.0 || rect.0 >= p.2 || rect.3 <= p.1 || rect.1 >= p.3)
            {
                root.draw(&Text::new(label.clone(), (cx, cy), style.clone()))
                    .map_err(|e| err(e.to_string()))?;
                placed.push(rect);
                break;
            }
        }
    }
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(placed.len())
}

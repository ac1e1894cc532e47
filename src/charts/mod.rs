//! PNG charts with plotters, drawn with a bundled CJK font (WenQuanYi Micro Hei) so Chinese
//! titles, labels and nicknames render with no system font installed.

pub mod bar;
pub mod cloud;
pub mod funnel;
pub mod line;
pub mod rates;
pub mod revenue;
pub mod trend;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::style::{FontStyle, RGBColor};

/// WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0), see assets/fonts/LICENSE-wqy-microhei.txt.
// A static, not a const: `font_is_bundled` compares addresses.
static BUNDLED_FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// Colours of series and words, in turn.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// The family name charts ask plotters for.
pub const FAMILY: &str = "sans-serif";

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot read font {path}: {source}")]
    FontRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a TrueType/OpenType font")]
    BadFont { path: PathBuf },
    #[error("drawing {path} failed: {detail}")]
    Draw { path: PathBuf, detail: String },
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
}

static FONT: OnceLock<&'static [u8]> = OnceLock::new();

/// Uses the font at `path` instead of the bundled one. Call before drawing anything.
pub fn use_font_file(path: &Path) -> Result<(), ChartError> {
    let bytes = std::fs::read(path).map_err(|source| ChartError::FontRead {
        path: path.into(),
        source,
    })?;
    if FontRef::try_from_slice(&bytes).is_err() {
        return Err(ChartError::BadFont { path: path.into() });
    }
    // plotters keeps fonts as &'static: the bytes live for the rest of the process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let _ = FONT.set(bytes);
    Ok(())
}

fn font_bytes() -> &'static [u8] {
    FONT.get_or_init(|| BUNDLED_FONT)
}

/// The chart font's bytes (the bundled one unless `use_font_file` chose another): the report
/// page uses it too.
pub fn font_data() -> &'static [u8] {
    font_bytes()
}

/// Whether the charts use the bundled font (whose licence then goes with copies of it).
pub fn font_is_bundled() -> bool {
    std::ptr::eq(font_bytes(), BUNDLED_FONT)
}

/// The bundled font's licence.
pub const BUNDLED_FONT_LICENSE: &str = include_str!("../../assets/fonts/LICENSE-wqy-microhei.txt");

/// Registers the chart font with plotters (once).
fn ensure_registered() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The bundled font parses (tested); a --font file was checked in use_font_file.
            let _ = plotters::style::register_font(FAMILY, style, font_bytes());
        }
    });
}

/// `s` with the characters the font cannot draw (emoji, mostly) removed, so no label shows
/// boxes. Empty results become `fallback`.
pub fn clean_label(s: &str, fallback: &str) -> String {
    static PARSED: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    let font = PARSED.get_or_init(|| FontRef::try_from_slice(font_bytes()).ok());
    let Some(font) = font else {
        return s.to_string();
    };
    let cleaned: String = s
        .chars()
        .filter(|&c| c == ' ' || (!c.is_control() && font.glyph_id(c).0 != 0))
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        fallback.to_string()
    } else {
        cleaned
    }
}

/// A chart drawn whole into `path` or not at all ([`crate::atomic`]): `render` draws into the
/// temporary file it is given (a `.png` name: plotters picks the format by it).
fn save<T>(
    path: &Path,
    render: impl FnOnce(&Path) -> Result<T, ChartError>,
) -> Result<T, ChartError> {
    Ok(crate::atomic::write_via_path(path, render)?)
}

fn draw_err(path: &Path) -> impl Fn(String) -> ChartError + '_ {
    move |detail| ChartError::Draw {
        path: path.into(),
        detail,
    }
}

/// The series legend, top left, as every chart with lines draws it.
fn legend<'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut plotters::chart::ChartContext<'a, plotters::prelude::BitMapBackend<'a>, CT>,
    err: &impl Fn(String) -> ChartError,
) -> Result<(), ChartError> {
    use plotters::prelude::*;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FAMILY, 15))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| err(e.to_string()))
}

/// Thousands separators for axis labels.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_what_the_font_cannot_draw() {
        assert_eq!(clean_label("🌈🌈小希", "?"), "小希");
        assert_eq!(clean_label("张阿姨🍓 ", "?"), "张阿姨");
        assert_eq!(clean_label("🇯🇵🇨🇳", "(emoji)"), "(emoji)");
        assert_eq!(clean_label("Tom 汤姆 123", "?"), "Tom 汤姆 123");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}

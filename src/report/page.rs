//! What the report's pages share: escaping, a DataFrame as an HTML table (headers and cells
//! as the page's language shows them), the stylesheet and the page font's files.

use std::fmt::Write as _;

use polars::prelude::{DataFrame, PolarsResult};

use super::lang::View;
use super::model::Report;
use crate::output::frame;
use crate::timefmt::Zone;

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The first `limit` rows of `df` as an HTML table: headers in the page's language, cells as
/// `view` shows them.
pub(super) fn table(
    df: &DataFrame,
    limit: usize,
    zone: &Zone,
    view: &View,
) -> PolarsResult<String> {
    let head = df.head(Some(limit));
    // In a scroller: a wide table (sessions.html's) scrolls instead of squeezing its headers.
    let mut s = String::from("<div class=scroll><table><thead><tr>");
    for h in head.get_column_names() {
        let _ = write!(s, "<th>{}</th>", esc(&view.lang.header(h)));
    }
    s.push_str("</tr></thead><tbody>");
    let names = head.get_column_names();
    for row in frame::cells(&head, zone)? {
        s.push_str("<tr>");
        for (c, name) in row.into_iter().zip(&names) {
            let _ = write!(
                s,
                "<td{}>{}</td>",
                if c.numeric { " class=n" } else { "" },
                esc(&view.cell(name, &c.text, c.numeric))
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    Ok(s)
}

/// How the report's pages show cells: its language, and its one local date if it has one.
pub(super) fn view(r: &Report) -> View {
    let span = &r.summary.time_span;
    let date = |t: &Option<String>| t.as_deref().and_then(|t| t.get(..10)).map(String::from);
    let (start, end) = (date(&span.start), date(&span.end));
    View {
        lang: r.lang,
        day: if start == end { start } else { None },
    }
}

/// The pages' font beside them (see `webfont`), and the bundled font's licence.
pub const FONT_FILE: &str = "page-font.ttf";
pub const FONT_LICENSE_FILE: &str = "page-font-LICENSE.txt";

// The page font first, for CJK characters only (unicode-range): Latin stays in the system's
// UI font. Listed after a system font, Chromium never loaded it and drew boxes where no CJK
// font is installed (checked headless).
pub(super) const CSS: &str = "@font-face{font-family:'danmu page';src:url(page-font.ttf) format('truetype');unicode-range:U+2E80-9FFF,U+F900-FAFF,U+FE30-FE4F,U+FF00-FFEF}body{font-family:'danmu page',system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;margin:2em auto;max-width:1240px;color:#222;padding:0 1em}h1{margin-bottom:.2em}.sub{color:#666;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1.2em 0}.card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:130px}.card b{display:block;font-size:1.6em}.card span{color:#666}img{max-width:100%;border:1px solid #eee;margin:.5em 0}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f6f6;white-space:nowrap}.scroll{overflow-x:auto}.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:20px}footer{color:#888;margin-top:2em;font-size:.9em}";

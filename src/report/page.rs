//! What the report's pages share: escaping, a DataFrame as an HTML table, the stylesheet and
//! the page font's files.

use std::fmt::Write as _;

use polars::prelude::{DataFrame, PolarsResult};

use crate::output::frame;
use crate::timefmt::Zone;

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The first `limit` rows of `df` as an HTML table.
pub(super) fn table(df: &DataFrame, limit: usize, zone: &Zone) -> PolarsResult<String> {
    let head = df.head(Some(limit));
    let mut s = String::from("<table><thead><tr>");
    for h in head.get_column_names() {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for row in frame::cells(&head, zone)? {
        s.push_str("<tr>");
        for c in row {
            let _ = write!(
                s,
                "<td{}>{}</td>",
                if c.numeric { " class=n" } else { "" },
                esc(&c.text)
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    Ok(s)
}

/// The pages' font beside them (see `webfont`), and the bundled font's licence.
pub const FONT_FILE: &str = "page-font.ttf";
pub const FONT_LICENSE_FILE: &str = "page-font-LICENSE.txt";

// The page font first, for CJK characters only (unicode-range): Latin stays in the system's
// UI font. Listed after a system font, Chromium never loaded it and drew boxes where no CJK
// font is installed (checked headless).
pub(super) const CSS: &str = "@font-face{font-family:'danmu page';src:url(page-font.ttf) format('truetype');unicode-range:U+2E80-9FFF,U+F900-FAFF,U+FE30-FE4F,U+FF00-FFEF}body{font-family:'danmu page',system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;margin:2em auto;max-width:1240px;color:#222;padding:0 1em}h1{margin-bottom:.2em}.sub{color:#666;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1.2em 0}.card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:130px}.card b{display:block;font-size:1.6em}.card span{color:#666}img{max-width:100%;border:1px solid #eee;margin:.5em 0}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f6f6}.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:20px}footer{color:#888;margin-top:2em;font-size:.9em}";

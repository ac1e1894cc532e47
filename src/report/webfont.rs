//! The page's font: the chart font cut down to the glyphs the page uses, as a standalone
//! TrueType file beside index.html, so Chinese shows on machines without a CJK font, offline.
//!
//! The cut keeps glyph ids as they are (no renumbering): unused glyphs become empty, `loca`
//! and `glyf` are rewritten, `post` loses its glyph names (format 3), the vertical metrics are
//! dropped, every other table is copied. The bundled 5 MB collection becomes a few hundred KB.
//! A font without `glyf` outlines (CFF) is copied whole, as is a collection's first font.

use std::collections::BTreeSet;

use ab_glyph::{Font, FontRef};

#[derive(Debug, thiserror::Error)]
pub enum WebFontError {
    #[error("the font is not a TrueType/OpenType font or collection: {0}")]
    Bad(&'static str),
}

fn be16(d: &[u8], at: usize) -> Result<u16, WebFontError> {
    d.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(WebFontError::Bad("truncated"))
}

fn be32(d: &[u8], at: usize) -> Result<u32, WebFontError> {
    d.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(WebFontError::Bad("truncated"))
}

/// A table: its tag and bytes.
type Table<'a> = ([u8; 4], &'a [u8]);

/// The table directory of the font at `offset`.
fn tables(d: &[u8], offset: usize) -> Result<Vec<Table<'_>>, WebFontError> {
    let n = be16(d, offset + 4)? as usize;
    (0..n)
        .map(|i| {
            let rec = offset + 12 + 16 * i;
            let tag: [u8; 4] = d
                .get(rec..rec + 4)
                .and_then(|t| t.try_into().ok())
                .ok_or(WebFontError::Bad("truncated table directory"))?;
            let (off, len) = (be32(d, rec + 8)? as usize, be32(d, rec + 12)? as usize);
            let body = d
                .get(off..off.saturating_add(len))
                .ok_or(WebFontError::Bad("a table lies outside the file"))?;
            Ok((tag, body))
        })
        .collect()
}

fn checksum(t: &[u8]) -> u32 {
    t.chunks(4).fold(0u32, |s, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        s.wrapping_add(u32::from_be_bytes(w))
    })
}

/// A font file of `tables` (sorted by tag), with checksums and head's adjustment set.
fn write_font(mut tables: Vec<([u8; 4], Vec<u8>)>, sfnt_version: u32) -> Vec<u8> {
    tables.sort_by_key(|t| t.0);
    let n = tables.len() as u16;
    let pow2 = 1u16 << (15 - n.leading_zeros().min(15));
    let search = pow2 * 16;
    let mut out = Vec::new();
    out.extend_from_slice(&sfnt_version.to_be_bytes());
    for v in [n, search, pow2.trailing_zeros() as u16, n * 16 - search] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, body) in &mut tables {
        if tag == b"head" && body.len() >= 12 {
            // checkSumAdjustment is computed over the file with it zeroed.
            body[8..12].copy_from_slice(&[0; 4]);
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(body).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        offset += body.len().div_ceil(4) * 4;
    }
    for (_, body) in &tables {
        out.extend_from_slice(body);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    out
}

/// Glyphs a composite glyph is made of.
fn components(glyph: &[u8]) -> Vec<u16> {
    let mut out = Vec::new();
    if glyph.len() < 10 || i16::from_be_bytes([glyph[0], glyph[1]]) >= 0 {
        return out;
    }
    let mut at = 10;
    while let (Ok(flags), Ok(id)) = (be16(glyph, at), be16(glyph, at + 2)) {
        out.push(id);
        at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
        at += match flags {
            f if f & 0x0008 != 0 => 2,
            f if f & 0x0040 != 0 => 4,
            f if f & 0x0080 != 0 => 8,
            _ => 0,
        };
        if flags & 0x0020 == 0 {
            break;
        }
    }
    out
}

/// `font` (a font or the first of a collection) cut to the glyphs `text` needs.
pub fn subset(font: &[u8], text: &str) -> Result<Vec<u8>, WebFontError> {
    let offset = match font.get(..4) {
        Some(b"ttcf") => be32(font, 12)? as usize,
        Some(_) => 0,
        None => return Err(WebFontError::Bad("empty")),
    };
    let sfnt_version = be32(font, offset)?;
    let all = tables(font, offset)?;
    let find = |tag: &[u8; 4]| all.iter().find(|t| &t.0 == tag).map(|t| t.1);
    let copy = |skip: &[&[u8; 4]]| -> Vec<([u8; 4], Vec<u8>)> {
        all.iter()
            .filter(|(tag, _)| !skip.contains(&tag))
            .map(|(tag, b)| (*tag, b.to_vec()))
            .collect()
    };
    let (Some(head), Some(loca), Some(glyf), Some(maxp)) =
        (find(b"head"), find(b"loca"), find(b"glyf"), find(b"maxp"))
    else {
        return Ok(write_font(copy(&[]), sfnt_version));
    };
    let long = be16(head, 50)? == 1;
    let glyphs = be16(maxp, 4)? as usize;
    let at = |g: usize| -> Result<usize, WebFontError> {
        Ok(if long {
            be32(loca, 4 * g)? as usize
        } else {
            be16(loca, 2 * g)? as usize * 2
        })
    };
    let glyph = |g: usize| -> Result<&[u8], WebFontError> {
        let (a, b) = (at(g)?, at(g + 1)?);
        glyf.get(a..b.max(a))
            .ok_or(WebFontError::Bad("loca points outside glyf"))
    };

    let parsed = FontRef::try_from_slice(font).map_err(|_| WebFontError::Bad("unparsable"))?;
    let mut keep: BTreeSet<usize> = [0].into();
    let mut todo: Vec<usize> = text
        .chars()
        .map(|c| parsed.glyph_id(c).0 as usize)
        .filter(|g| *g != 0 && *g < glyphs)
        .collect();
    while let Some(g) = todo.pop() {
        if keep.insert(g) || g == 0 {
            todo.extend(
                components(glyph(g)?)
                    .into_iter()
                    .map(usize::from)
                    .filter(|c| *c < glyphs && !keep.contains(c)),
            );
        }
    }

    let mut new_glyf = Vec::new();
    let mut offsets = Vec::with_capacity(glyphs + 1);
    for g in 0..glyphs {
        offsets.push(new_glyf.len());
        if keep.contains(&g) {
            new_glyf.extend_from_slice(glyph(g)?);
            new_glyf.resize(new_glyf.len().div_ceil(4) * 4, 0);
        }
    }
    offsets.push(new_glyf.len());
    // Short offsets (halved, 16 bits) when the cut glyf is small enough: half the loca.
    let long = new_glyf.len() >= 0x2_0000;
    let new_loca: Vec<u8> = if long {
        offsets
            .iter()
            .flat_map(|o| (*o as u32).to_be_bytes())
            .collect()
    } else {
        offsets
            .iter()
            .flat_map(|o| ((*o / 2) as u16).to_be_bytes())
            .collect()
    };
    let mut out = copy(&[b"glyf", b"loca", b"post", b"vhea", b"vmtx"]);
    for (tag, body) in &mut out {
        if tag == b"head" && body.len() >= 52 {
            body[50..52].copy_from_slice(&u16::from(long).to_be_bytes());
        }
    }
    out.push((*b"glyf", new_glyf));
    out.push((*b"loca", new_loca));
    if let Some(post) = find(b"post").filter(|p| p.len() >= 32) {
        // Format 3: the same metrics, no glyph names.
        let mut p = post[..32].to_vec();
        p[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
        out.push((*b"post", p));
    }
    Ok(write_font(out, sfnt_version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::{Font, FontRef};

    fn outline_len(font: &FontRef, c: char) -> usize {
        let g = font.glyph_id(c).with_scale(48.0);
        let mut n = 0;
        if let Some(o) = font.outline_glyph(g) {
            o.draw(|_, _, v| n += usize::from(v > 0.5));
        }
        n
    }

    #[test]
    fn the_cut_font_draws_the_text_it_was_cut_for_and_nothing_else() {
        let full = crate::charts::font_data();
        let cut = subset(full, "高峰时刻 弹幕 Top10").unwrap();
        assert!(cut.len() < full.len() / 5, "{} bytes", cut.len());
        let font = FontRef::try_from_slice(&cut).unwrap();
        let whole = FontRef::try_from_slice(full).unwrap();
        for c in "高峰时刻弹幕Top10".chars() {
            assert!(outline_len(&font, c) > 20, "{c}");
            assert_eq!(outline_len(&font, c), outline_len(&whole, c), "{c}");
        }
        // Characters the page does not use keep their cmap entry but draw nothing.
        assert_eq!(outline_len(&font, '礼'), 0);
        assert!(outline_len(&whole, '礼') > 20);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(subset(b"", "x").is_err());
        assert!(subset(b"ttcf\0\0\0\0", "x").is_err());
        assert!(subset(&[0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0], "x").is_err());
    }
}

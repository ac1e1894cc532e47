//! `report` and the analysis commands through the binary: summary.json against the simulator's
//! truth, charts that decode and show Chinese, a page that links only real files, CSVs that
//! parse back to the same numbers; word counting on fixed texts.

use std::collections::BTreeMap;
use std::path::Path;

use danmu_analyze::analysis::words::{
    self, split_emotes, Segmenter, WordCount, WordOptions, WordStats,
};
use danmu_analyze::event::{Event, Kind};
use danmu_analyze::output::csv::parse_id;
use danmu_analyze::simulate::Truth;
use polars::prelude::IntoLazy;
use serde_json::Value;

use crate::common::{bin, csv_rows};

struct Report {
    _dir: tempfile::TempDir,
    out: std::path::PathBuf,
    truth: Truth,
    summary: Value,
}

fn report(minutes: &str, viewers: &str, seed: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("s.dmcap");
    bin()
        .args([
            "simulate",
            "--minutes",
            minutes,
            "--viewers",
            viewers,
            "--seed",
            seed,
            "--out",
        ])
        .arg(&cap)
        .assert()
        .success();
    let truth: Truth =
        serde_json::from_slice(&std::fs::read(dir.path().join("s.dmcap.truth.json")).unwrap())
            .unwrap();
    let out = dir.path().join("report");
    bin()
        .arg("report")
        .arg(&cap)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    Report {
        _dir: dir,
        out,
        truth,
        summary,
    }
}

/// A summary.json ranking as (user_id, user_name, value) rows.
fn ranking(list: &Value, value: &str) -> Vec<(String, String, u64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap().to_string();
            (
                text("user_id"),
                text("user_name"),
                c[value].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn summary_equals_the_simulators_truth() {
    let r = report("8", "200", "21");
    let (s, t) = (&r.summary, &r.truth);
    let counts: BTreeMap<String, u64> = serde_json::from_value(s["counts"].clone()).unwrap();
    assert_eq!(counts, t.counts);
    for (key, want) in [
        ("diamonds_total", t.diamonds_total),
        ("gift_units_total", t.gift_units_total),
        ("likes_total", t.likes_total),
        ("follows", t.follows),
        ("shares", t.shares),
        ("distinct_chatters", t.distinct_chatters),
        ("online_max", t.online_max),
        ("duplicates_dropped", t.duplicates),
        ("gift_updates", t.gift_updates),
    ] {
        assert_eq!(s[key].as_u64(), Some(want), "{key}");
    }
    let chatters: Vec<_> = t
        .top_chatters
        .iter()
        .map(|c| (c.user_id.clone(), c.user_name.clone(), c.messages))
        .collect();
    assert_eq!(ranking(&s["top_chatters"], "messages"), chatters);
    let gifters: Vec<_> = t
        .top_gifters
        .iter()
        .map(|c| (c.user_id.clone(), c.user_name.clone(), c.diamonds))
        .collect();
    assert_eq!(ranking(&s["top_gifters"], "diamonds"), gifters);
    // Times carry their offset; minutes sum to the chat count.
    assert!(s["time_span"]["start"]
        .as_str()
        .unwrap()
        .ends_with("+08:00"));
    let per_minute: u64 = s["chat_per_minute"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["count"].as_u64().unwrap())
        .sum();
    assert_eq!(per_minute, t.counts["chat"]);
    assert!(s["chat_per_minute"][0]["minute"]
        .as_str()
        .unwrap()
        .ends_with(":00+08:00"));
    assert!(!s["top_words"].as_array().unwrap().is_empty());
    assert!(!s["top_emotes"].as_array().unwrap().is_empty());
    // The simulator makes bursts; the replay at connect is not one of the peaks.
    let peaks = s["peaks"].as_array().unwrap();
    assert!(!peaks.is_empty());
    let start = s["time_span"]["start"].as_str().unwrap();
    assert!(
        peaks
            .iter()
            .all(|p| p["time"].as_str().unwrap() > &start[..16]),
        "{peaks:?}"
    );
    // Each peak is a span with its top inside, its distinctive words with their numbers, and
    // what else happened then.
    for p in peaks {
        let t = |k: &str| p[k].as_str().unwrap().to_string();
        assert!(t("start") <= t("top") && t("top") < t("end"), "{p}");
        assert_eq!(t("time"), t("top"));
        let words: Vec<&str> = p["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        let distinctive: Vec<&str> = p["distinctive_words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["word"].as_str().unwrap())
            .collect();
        assert_eq!(words, distinctive);
        assert!(p["distinctive_words"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["score"].as_f64().unwrap() >= 2.0 && w["count"].as_u64().unwrap() >= 3));
        let what: Vec<&str> = p["what_else"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["what"].as_str().unwrap())
            .collect();
        assert_eq!(what, ["gifts", "diamonds", "likes", "joins", "follows"]);
        assert!(p["chat_total"].as_u64().unwrap() >= p["chat"].as_u64().unwrap());
    }
}

#[test]
fn every_png_decodes_at_its_size_and_chinese_draws_ink() {
    let r = report("4", "150", "8");
    let mut seen = 0;
    for entry in std::fs::read_dir(&r.out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "png") {
            continue;
        }
        seen += 1;
        let decoder = png::Decoder::new(std::fs::File::open(&path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (w, h) = (info.width, info.height);
        match name.as_str() {
            "timeline.png" => assert_eq!((w, h), danmu_analyze::charts::line::SIZE),
            "wordcloud.png" => assert_eq!((w, h), danmu_analyze::charts::cloud::SIZE),
            "funnel.png" => assert_eq!((w, h), danmu_analyze::charts::funnel::size(8)),
            "revenue.png" => assert_eq!((w, h), danmu_analyze::charts::revenue::SIZE),
            _ => assert_eq!(w, 1000, "{name}"),
        }
        // The caption (Chinese in every chart) sits in the top band: it must hold dark pixels.
        let channels = info.line_size / w as usize;
        let dark = (0..50.min(h) as usize)
            .flat_map(|y| (0..w as usize).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let p = &buf[y * info.line_size + x * channels..][..3];
                p.iter().map(|&c| c as u32).sum::<u32>() < 200
            })
            .count();
        if name != "wordcloud.png" {
            assert!(dark > 100, "{name}: caption band has {dark} dark pixels");
        }
    }
    // Six, and the funnel and revenue charts.
    assert_eq!(seen, 8);
}

#[test]
fn the_bundled_font_draws_chinese_not_boxes() {
    use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/wqy-microhei.ttc"))
            .unwrap();
    let font = FontRef::try_from_slice(&bytes).unwrap();
    let ink = |c: char| -> Vec<(u32, u32)> {
        let scaled = font.as_scaled(PxScale::from(48.0));
        let glyph = scaled.scaled_glyph(c);
        let mut px = Vec::new();
        if let Some(outline) = font.outline_glyph(glyph) {
            outline.draw(|x, y, v| {
                if v > 0.5 {
                    px.push((x, y));
                }
            });
        }
        px
    };
    let notdef = ink('\u{E000}');
    for c in "主播榜一家人们发言送礼0123456789ABCxyz".chars() {
        assert_ne!(font.glyph_id(c).0, 0, "{c} missing");
        let drawn = ink(c);
        assert!(drawn.len() > 20, "{c} drew no ink");
        assert_ne!(drawn, notdef, "{c} drew the box glyph");
    }
    assert_eq!(danmu_analyze::charts::clean_label("🎉主播🎉", "?"), "主播");
}

#[test]
fn index_links_only_files_that_exist_and_csvs_parse_back() {
    let r = report("4", "150", "8");
    let html = std::fs::read_to_string(r.out.join("index.html")).unwrap();
    let mut links = 0;
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let target = &part[..part.find('"').unwrap()];
            assert!(!target.contains("://"), "no network: {target}");
            assert!(r.out.join(target).is_file(), "{target} linked but missing");
            links += 1;
        }
    }
    assert!(links >= 15, "{links}");
    assert!(html.contains("<style>") && !html.contains("<script"));
    // The page brings its own font (no CJK system font needed): a file beside it that draws
    // every character of the page the bundled font draws, as the bundled font does.
    let font_url = html
        .split("src:url(")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("an @font-face with a url");
    assert!(!font_url.contains("://"), "no network: {font_url}");
    let cut = std::fs::read(r.out.join(font_url)).unwrap();
    let whole =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/wqy-microhei.ttc"))
            .unwrap();
    assert!(cut.len() < whole.len() / 5, "a subset: {} bytes", cut.len());
    {
        use ab_glyph::{Font, FontRef};
        let (cut, whole) = (
            FontRef::try_from_slice(&cut).unwrap(),
            FontRef::try_from_slice(&whole).unwrap(),
        );
        let ink = |f: &FontRef, c: char| {
            let mut n = 0;
            if let Some(o) = f.outline_glyph(f.glyph_id(c).with_scale(40.0)) {
                o.draw(|_, _, v| n += usize::from(v > 0.5));
            }
            n
        };
        let chinese: Vec<char> = html
            .chars()
            .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .collect();
        assert!(chinese.len() > 100, "{}", chinese.len());
        for c in chinese {
            assert!(ink(&cut, c) > 0 && ink(&cut, c) == ink(&whole, c), "{c}");
        }
    }

    let s = &r.summary;
    let chatters = csv_rows(&r.out.join("top_chatters.csv"));
    for (row, want) in chatters.iter().zip(s["top_chatters"].as_array().unwrap()) {
        assert_eq!(
            parse_id(&row["user_id"]).unwrap().to_string(),
            want["user_id"].as_str().unwrap()
        );
        assert_eq!(row["user_name"], want["user_name"].as_str().unwrap());
        assert_eq!(
            row["messages"].parse::<u64>().unwrap(),
            want["messages"].as_u64().unwrap()
        );
    }
    let gifts = csv_rows(&r.out.join("gifts.csv"));
    let diamonds: u64 = gifts
        .iter()
        .map(|g| g["diamonds"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(diamonds, r.truth.diamonds_total);
    let combos: u64 = gifts
        .iter()
        .map(|g| g["combos"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(combos, r.truth.combos);
    let timeline = csv_rows(&r.out.join("timeline.csv"));
    let chat: u64 = timeline
        .iter()
        .map(|t| t["chat"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(chat, r.truth.counts["chat"]);
    let likes: u64 = timeline
        .iter()
        .map(|t| t["likes"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(likes, r.truth.likes_total);
    // Empty buckets are rows of zeros, not missing: consecutive minutes.
    let times: Vec<&String> = timeline.iter().map(|t| &t["time"]).collect();
    assert_eq!(
        times.len() as u64,
        s["chat_per_minute"].as_array().unwrap().len() as u64
    );
}

/// Words and emotes of `chats` through the words processor on their event table, as lists.
struct Counted {
    words: Vec<WordCount>,
    emotes: Vec<WordCount>,
}

fn count_words(seg: &Segmenter, chats: &[&Event], opts: &WordOptions) -> Counted {
    let table = danmu_analyze::table::from_event_refs(chats).unwrap();
    let stats = words::words(table.lazy(), seg, opts).unwrap();
    Counted {
        words: WordStats::top(&stats.words, usize::MAX).unwrap(),
        emotes: WordStats::top(&stats.emotes, usize::MAX).unwrap(),
    }
}

fn chat(user: u64, text: &str) -> Event {
    let mut e = Event::new(Kind::Chat, Kind::Chat.method().into());
    e.user_id = Some(user);
    e.content = Some(text.to_string());
    e
}

#[test]
fn words_on_fixed_texts() {
    let seg = Segmenter::new(None, None).unwrap();
    let msgs = [
        chat(1, "主播好漂亮[比心][比心]"),
        chat(1, "主播主播主播主播主播"),
        chat(2, "家人们晚上好，榜一大哥威武！"),
        chat(3, "666666 的 了 [捂脸]"),
        chat(4, "粉丝团灯牌点起来"),
    ];
    let refs: Vec<&Event> = msgs.iter().collect();
    let stats = count_words(&seg, &refs, &WordOptions::default());
    let count = |w: &str| {
        stats
            .words
            .iter()
            .find(|x| x.word == w)
            .map(|x| (x.count, x.users))
    };
    // The danmaku dictionary keeps 主播 whole; counted once per message, from one user.
    assert_eq!(count("主播"), Some((2, 1)));
    assert_eq!(count("家人们"), Some((1, 1)));
    assert_eq!(count("榜一大哥"), Some((1, 1)));
    assert!(count("粉丝团").is_some() || count("粉丝团灯牌").is_some());
    // Stopwords, single characters, punctuation and pure digits are out.
    for gone in ["的", "了", "666666", "，", "！", "好"] {
        assert_eq!(count(gone), None, "{gone}");
    }
    // Stickers are emotes, not words, and count once per message too.
    let emote = |w: &str| stats.emotes.iter().find(|x| x.word == w).map(|x| x.count);
    assert_eq!(emote("[比心]"), Some(1));
    assert_eq!(emote("[捂脸]"), Some(1));
    assert!(stats.words.iter().all(|w| !w.word.contains('[')));

    let every = WordOptions {
        per_message: false,
        keep_digits: true,
        ..WordOptions::default()
    };
    let stats = count_words(&seg, &refs, &every);
    assert_eq!(
        stats
            .words
            .iter()
            .find(|x| x.word == "主播")
            .map(|x| x.count),
        Some(6)
    );
    assert!(
        stats.words.iter().any(|x| x.word.starts_with("666")),
        "{:?}",
        stats.words
    );
    assert_eq!(
        stats
            .emotes
            .iter()
            .find(|x| x.word == "[比心]")
            .map(|x| x.count),
        Some(2)
    );

    let (e, rest) = split_emotes("[赞]好[赞]");
    assert_eq!((e.len(), rest.as_str()), (2, " 好 "));
}

#[test]
fn user_dictionary_and_stopwords_files() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("dict.txt");
    std::fs::write(&dict, "小鹿直播 1000 n\n").unwrap();
    let stop = dir.path().join("stop.txt");
    std::fs::write(&stop, "主播\n").unwrap();
    let seg = Segmenter::new(Some(&dict), Some(&stop)).unwrap();
    let msgs = [chat(1, "小鹿直播真好看，主播加油")];
    let refs: Vec<&Event> = msgs.iter().collect();
    let stats = count_words(&seg, &refs, &WordOptions::default());
    assert!(
        stats.words.iter().any(|w| w.word == "小鹿直播"),
        "{:?}",
        stats.words
    );
    assert!(stats.words.iter().all(|w| w.word != "主播"));
    assert!(Segmenter::new(Some(&dir.path().join("missing.txt")), None).is_err());
}

#[test]
fn commands_print_tables_and_write_csv_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let cap = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/session.dmcap");
    for (cmd, extra) in [
        ("words", vec!["--cloud"]),
        ("timeline", vec![]),
        ("users", vec!["--by", "gifters"]),
        ("gifts", vec![]),
    ] {
        let csv = dir.path().join(format!("{cmd}.csv"));
        let png = dir.path().join(format!("{cmd}.png"));
        let mut c = bin();
        c.arg(cmd)
            .arg(&cap)
            .arg("--csv")
            .arg(&csv)
            .arg("--png")
            .arg(&png);
        if let Some(flag) = extra.first() {
            if *flag == "--cloud" {
                c.arg("--cloud").arg(dir.path().join("cloud.png"));
            } else {
                c.args(&extra);
            }
        }
        let out = c.assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert!(text.lines().count() > 3, "{cmd}: {text}");
        assert!(!csv_rows(&csv).is_empty(), "{cmd}");
        assert!(std::fs::metadata(&png).unwrap().len() > 1000, "{cmd}");
    }
    assert!(dir.path().join("cloud.png").is_file());
}

/// The page in one language: Chinese headings and table headers by default, English throughout
/// with --lang en; numbers grouped by thousands, times without the date on a one-day report;
/// the CSVs and summary.json byte for byte the same in both.
#[test]
fn the_page_speaks_one_language_and_the_csvs_do_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let session = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        bin()
            .arg("report")
            .arg(session)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .assert()
            .success();
        out
    };
    let zh = run("zh", &[]);
    let en = run("en", &["--lang", "en"]);
    let page = |dir: &Path| std::fs::read_to_string(dir.join("index.html")).unwrap();
    let (zh_page, en_page) = (page(&zh), page(&en));
    // No English column name is left as a header in Chinese; none in Chinese in English.
    let headers = |html: &str| -> Vec<String> {
        html.split("<th>")
            .skip(1)
            .map(|h| h[..h.find("</th>").unwrap()].to_string())
            .collect()
    };
    let zh_headers = headers(&zh_page);
    assert!(zh_headers.contains(&"昵称".to_string()), "{zh_headers:?}");
    assert!(
        zh_headers.iter().all(|h| !h.contains('_') && !h.is_ascii()),
        "{zh_headers:?}"
    );
    let en_headers = headers(&en_page);
    assert!(
        en_headers.contains(&"Nickname".to_string()),
        "{en_headers:?}"
    );
    let cjk = |h: &String| h.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
    assert!(
        en_headers.iter().all(|h| !cjk(h) && !h.contains('_')),
        "{en_headers:?}"
    );
    for (zh_text, en_text) in [
        ("<h2>高峰时刻</h2>", "<h2>Peaks</h2>"),
        ("<h2>发言榜</h2>", "<h2>Top chatters</h2>"),
        ("<span>弹幕</span>", "<span>chat messages</span>"),
        ("<html lang=zh-CN>", "<html lang=en>"),
        ("<h1>直播弹幕报告</h1>", "<h1>Live danmaku report</h1>"),
    ] {
        assert!(zh_page.contains(zh_text), "{zh_text}");
        assert!(en_page.contains(en_text), "{en_text}");
    }
    // The English page's own words are all English: Chinese only inside data cells and links.
    let chrome: String = en_page
        .split("<td")
        .map(|part| part.split("</td>").last().unwrap_or(""))
        .collect();
    let chinese: String = chrome
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .collect();
    assert_eq!(
        chinese, "",
        "Chinese outside the data cells of the English page"
    );
    // 1524 chat messages, a one-day report: grouped numbers, times without the date.
    assert!(zh_page.contains("<b>1,524</b>"), "grouped card");
    assert!(zh_page.contains("<td>18:04:00</td>"), "short time");
    assert!(!zh_page.contains("<td>2026-01-01 18:04:00</td>"));
    for file in crate::common::file_names(&zh) {
        if file.ends_with(".csv") || file == "summary.json" {
            assert_eq!(
                std::fs::read(zh.join(&file)).unwrap(),
                std::fs::read(en.join(&file)).unwrap(),
                "{file}"
            );
        }
    }
}

#[test]
fn verbose_report_logs_each_stage_with_its_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let session = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");
    let out = bin()
        .args(["-v", "report", session, "--out"])
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let stages = [
        "decode",
        "dictionary",
        "timeline",
        "words",
        "battles",
        "users",
        "gifts",
        "funnel",
        "sessions",
        "tables",
        "charts",
        "page",
    ];
    for stage in stages {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("] {stage}: ")))
            .unwrap_or_else(|| panic!("no line for {stage}:\n{err}"));
        let (_, rest) = line.split_once(&format!("] {stage}: ")).unwrap();
        let secs: f64 = rest.split(" s;").next().unwrap().parse().unwrap();
        assert!((0.0..60.0).contains(&secs), "{line}");
        assert!(
            rest.contains("; resident ") && rest.contains(" MB, peak so far "),
            "{line}"
        );
    }
    // Without -v, none of it.
    let quiet = bin()
        .args(["report", session, "--out"])
        .arg(dir.path().join("q"))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("peak so far"));
}

//! The printed 公文 against GB/T 9704-2012, measured in the PDFs Chromium
//! prints: named embedded fonts (`pdffonts`), the 版记 on an even page with
//! its rules (`pdftoppm`), titles broken between words and one blank line
//! before the signature (`pdftotext -bbox-layout`), 信函格式 or 文件格式 from
//! the front matter. Skipped without Chromium, poppler-utils and the
//! TrueType CJK fonts; failed instead under `CI=true`.

use std::path::Path;
use std::process::Command;

use crate::common::*;

const MM: f64 = 72.0 / 25.4;

/// The fonts the print CSS names before Noto CJK (docs/templates.md).
const STAND_INS: [&str; 3] = ["AR PL SungtiL GB", "AR PL KaitiM GB", "WenQuanYi Zen Hei"];

fn tools_present() -> bool {
    let poppler = ["pdffonts", "pdftotext", "pdftoppm"].iter().all(|tool| {
        Command::new(tool)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    });
    let fonts = Command::new("fc-list")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let missing_fonts: Vec<&str> = STAND_INS
        .iter()
        .copied()
        .filter(|f| !fonts.contains(f))
        .collect();
    let missing = match ecoscore::pdf::Chromium::find() {
        Err(e) => Some(e),
        Ok(_) if !poppler => Some("pdffonts/pdftotext/pdftoppm missing".to_string()),
        Ok(_) if !missing_fonts.is_empty() => {
            Some(format!("fonts missing: {}", missing_fonts.join(", ")))
        }
        Ok(_) => None,
    };
    require_tool(
        "print tests need Chromium, poppler-utils and the TrueType CJK fonts (apt-get install -y chromium poppler-utils fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-zenhei)",
        missing,
    )
}

fn tool(name: &str, args: &[&str]) -> String {
    let output = Command::new(name).args(args).output().unwrap();
    assert!(output.status.success(), "{name} {args:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn pages(pdf: &Path) -> usize {
    tool("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    let text = tool(
        "pdftotext",
        &["-f", &p, "-l", &p, pdf.to_str().unwrap(), "-"],
    );
    text.split_whitespace().collect()
}

/// A printed line: its top, left and right edges (pt) and its text.
#[derive(Debug, Clone)]
struct Line {
    top: f64,
    left: f64,
    right: f64,
    text: String,
}

/// The lines of one page, top to bottom (`pdftotext -bbox-layout`).
fn lines(pdf: &Path, page: usize) -> Vec<Line> {
    let p = page.to_string();
    let xml = tool(
        "pdftotext",
        &[
            "-bbox-layout",
            "-f",
            &p,
            "-l",
            &p,
            pdf.to_str().unwrap(),
            "-",
        ],
    );
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    let mut out: Vec<Line> = Vec::new();
    for raw in xml.lines().map(str::trim) {
        if raw.starts_with("<line ") {
            out.push(Line {
                top: attr(raw, "yMin"),
                left: attr(raw, "xMin"),
                right: attr(raw, "xMax"),
                text: String::new(),
            });
        } else if raw.starts_with("<word ") {
            let word = &raw[raw.find('>').unwrap() + 1..raw.rfind("</word>").unwrap()];
            out.last_mut().unwrap().text.push_str(word);
        }
    }
    out.sort_by(|a, b| a.top.total_cmp(&b.top));
    out
}

fn pdffonts(pdf: &Path) -> Vec<String> {
    tool("pdffonts", &[pdf.to_str().unwrap()])
        .lines()
        .skip(2)
        .map(str::to_string)
        .collect()
}

/// Every document ecoscore prints, printed from a copy of the sample.
fn print_all(root: &Path) -> Vec<std::path::PathBuf> {
    for args in [
        &["build", "--pdf"][..],
        &["brief", "--year", "2024", "--pdf"],
        &["letters", "--year", "2024", "--pdf"],
        &["report", "--year", "2024", "--pdf"],
    ] {
        Test::new().root(root).args(args).run().success();
    }
    [
        "public/2024/bulletin/bulletin.pdf",
        "briefing/2024/briefing.pdf",
        "letters/2024/changchun.pdf",
        "report/2024/report.pdf",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect()
}

#[test]
fn printed_documents_embed_named_fonts_and_no_type3() {
    if !tools_present() {
        return;
    }
    let project = sample_project();
    for pdf in print_all(project.path()) {
        let fonts = pdffonts(&pdf);
        assert!(!fonts.is_empty(), "{}: no fonts", pdf.display());
        for font in &fonts {
            assert!(
                !font.contains("Type 3") && !font.starts_with("[none]"),
                "{}: an unnamed Type 3 font (synthesised bold or a CFF font such as Noto CJK):\n{}",
                pdf.display(),
                fonts.join("\n")
            );
            assert!(font.contains("CID TrueType"), "{}: {font}", pdf.display());
        }
        // 仿宋/宋体 stand-in and 黑体 (一、 headings, table headers) in every document.
        let all = fonts.join("\n");
        for name in ["BousungEG-Light-GB", "WenQuanYiZenHei"] {
            assert!(all.contains(name), "{}: no {name}:\n{all}", pdf.display());
        }
    }
}

/// Dark rows of one pixel column at 1016 dpi, grouped: (top, bottom) in mm
/// from the top edge of the page.
fn rules_at(pdf: &Path, page: usize, x_mm: f64, from_mm: f64, to_mm: f64) -> Vec<(f64, f64)> {
    const DPI: f64 = 1016.0;
    let px = |mm: f64| ((mm * DPI / 25.4) as i64).to_string();
    let scratch = tempfile::TempDir::new().unwrap();
    let out = scratch.path().join("r");
    let p = page.to_string();
    tool(
        "pdftoppm",
        &[
            "-r",
            "1016",
            "-gray",
            "-f",
            &p,
            "-l",
            &p,
            "-singlefile",
            "-x",
            &px(x_mm),
            "-y",
            &px(from_mm),
            "-W",
            "1",
            "-H",
            &px(to_mm - from_mm),
            pdf.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(scratch.path().join("r.pgm")).unwrap();
    // P5 header: magic, width, height, maxval, then one byte per pixel.
    let mut fields = 0;
    let mut at = 0;
    while fields < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields += 1;
    }
    let pixels = &bytes[at + 1..];
    let mm = |row: usize| from_mm + row as f64 * 25.4 / DPI;
    let mut rules: Vec<(f64, f64)> = Vec::new();
    let mut start = None;
    for (row, value) in pixels.iter().chain([&255]).enumerate() {
        match (start, *value < 128) {
            (None, true) => start = Some(row),
            (Some(s), false) => {
                rules.push((mm(s), mm(row)));
                start = None;
            }
            _ => {}
        }
    }
    rules
}

#[test]
fn the_imprint_is_on_an_even_page_with_its_rules_on_the_text_block() {
    if !tools_present() {
        return;
    }
    let project = sample_project();
    let root = project.path();
    for year in ["2023", "2024"] {
        Test::new()
            .root(root)
            .args(["brief", "--year", year, "--pdf"])
            .run()
            .success();
        let pdf = root.join(format!("briefing/{year}/briefing.pdf"));
        let count = pages(&pdf);
        assert_eq!(
            count % 2,
            0,
            "{year}: the 版记 is on page {count}, an odd page"
        );
        let last = page_text(&pdf, count);
        assert!(last.contains("抄送：") && last.contains("印发"), "{last}");
        assert!(!last.contains('—'), "{year}: the 版记 page has a number");
        // A blank page before it (when the text ended on an even page) has
        // no number and nothing but the sample line.
        let before = page_text(&pdf, count - 1);
        if !before.contains(&format!("—{}—", count - 1)) {
            assert_eq!(before, "示例数据（sampledata），不是官方考核结果", "{year}");
        }
        // Rules under the 抄送 line's first characters (x = 60 mm): 0.35,
        // 0.25, 0.35 mm, the last ending on the 版心's bottom edge (262 mm).
        let rules: Vec<(f64, f64)> = rules_at(&pdf, count, 60.0, 200.0, 270.0)
            .into_iter()
            .filter(|(top, bottom)| bottom - top > 0.2)
            .collect();
        let thick: Vec<f64> = rules.iter().map(|(t, b)| b - t).collect();
        assert!(rules.len() >= 3, "{year}: rules {rules:?}");
        let (first, last_rule) = (thick[0], thick[thick.len() - 1]);
        assert!(
            (first - 0.35).abs() < 0.05,
            "{year}: first rule {first:.2} mm"
        );
        assert!(
            (last_rule - 0.35).abs() < 0.05,
            "{year}: last rule {last_rule:.2} mm"
        );
        for inner in &thick[1..thick.len() - 1] {
            assert!(
                (inner - 0.25).abs() < 0.05,
                "{year}: inner rule {inner:.2} mm"
            );
        }
        let bottom = rules[rules.len() - 1].1;
        assert!(
            (bottom - 262.0).abs() < 0.3,
            "{year}: last rule ends {bottom:.2} mm from the top"
        );
    }
}

/// Words of the sample's titles a line must not end inside.
const WORDS: [&str; 6] = [
    "生态环境",
    "环境保护",
    "目标责任",
    "责任制",
    "考核结果",
    "通报",
];

fn assert_breaks_between_words(title_lines: &[String], whole: &str) {
    assert_eq!(title_lines.concat(), whole, "{title_lines:?}");
    let mut at = 0;
    for line in &title_lines[..title_lines.len() - 1] {
        at += line.len();
        for word in WORDS {
            for (start, _) in whole.match_indices(word) {
                assert!(
                    !(start < at && at < start + word.len()),
                    "the title breaks inside {word}: {title_lines:?}"
                );
            }
        }
    }
    // Balanced: no line more than twice another's length.
    let counts: Vec<usize> = title_lines.iter().map(|l| l.chars().count()).collect();
    assert!(
        counts.iter().max().unwrap() <= &(2 * counts.iter().min().unwrap()),
        "{title_lines:?}"
    );
}

#[test]
fn titles_break_between_words_and_one_blank_line_precedes_the_signature() {
    if !tools_present() {
        return;
    }
    let project = sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["build", "--pdf"])
        .run()
        .success();
    let pdf = root.join("public/2024/bulletin/bulletin.pdf");
    let title = "关于2024年度各市（州）政府生态环境保护目标责任制考核结果的通报";
    let first = lines(&pdf, 1);
    // 2号 lines: the title's are the lines taller than body text, after the mark.
    let title_lines: Vec<String> = first
        .iter()
        .filter(|l| title.contains(&l.text) && l.text.chars().count() > 4)
        .map(|l| l.text.clone())
        .collect();
    assert_eq!(title_lines.len(), 2, "{first:?}");
    assert_breaks_between_words(&title_lines, title);
    assert_eq!(title_lines[0], "关于2024年度各市（州）政府");

    let annex = "2024年度各地区政府生态环境保护目标责任制考核结果";
    let count = pages(&pdf);
    let (annex_page, annex_lines) = (1..=count)
        .map(|p| (p, lines(&pdf, p)))
        .find(|(_, ls)| ls.iter().any(|l| l.text == "附件"))
        .expect("a page with the 附件 label");
    let label = annex_lines.iter().find(|l| l.text == "附件").unwrap();
    let binding = if annex_page % 2 == 1 { 28.0 } else { 26.0 };
    assert!(
        (label.left - binding * MM).abs() < 2.0,
        "附件 flush left: {label:?}"
    );
    let annex_title: Vec<&Line> = annex_lines
        .iter()
        .filter(|l| l.top > label.top && annex.contains(&l.text) && l.text.chars().count() > 4)
        .collect();
    let texts: Vec<String> = annex_title.iter().map(|l| l.text.clone()).collect();
    assert_breaks_between_words(&texts, annex);
    // On line 3: two line pitches under the label; centred in the 版心.
    let pitch = 225.0 * MM / 22.0;
    let gap = annex_title[0].top - label.top;
    assert!(
        gap > 1.5 * pitch && gap < 2.6 * pitch,
        "title {gap:.1} pt under 附件"
    );
    for line in &annex_title {
        let centre = (line.left + line.right) / 2.0;
        let text_centre = (binding + 78.0) * MM;
        assert!((centre - text_centre).abs() < 6.0, "not centred: {line:?}");
    }

    // The signature: one blank line (two pitches, line top to line top)
    // under the last line of the 附件说明.
    let (sign_page, sign_lines) = (1..=count)
        .map(|p| (p, lines(&pdf, p)))
        .find(|(_, ls)| ls.iter().any(|l| l.text.starts_with("附件：")))
        .expect("the 附件说明");
    let signer = sign_lines
        .iter()
        .position(|l| l.text == "吉林省人民政府")
        .unwrap_or_else(|| panic!("page {sign_page}: no signature {sign_lines:?}"));
    let gap = sign_lines[signer].top - sign_lines[signer - 1].top;
    assert!(
        (gap - 2.0 * pitch).abs() < 4.0,
        "{:.1} pt from {:?} to the signature: one blank line is {:.1}",
        gap,
        sign_lines[signer - 1].text,
        2.0 * pitch
    );
}

#[test]
fn a_letter_or_a_file_is_laid_out_as_the_front_matter_says() {
    if !tools_present() {
        return;
    }
    let project = sample_project();
    let root = project.path();
    // 吉政函 with format: letter (the sample): 信函格式.
    Test::new()
        .root(root)
        .args(["build", "--pdf"])
        .run()
        .success();
    let html = read(root, "public/2024/bulletin/index.html");
    assert!(html.contains("doc-head doc-letterhead"));
    assert!(html.contains("static/official-han.css"));
    let pdf = root.join("public/2024/bulletin/bulletin.pdf");
    let first = lines(&pdf, 1);
    let issuer = first.iter().find(|l| l.text == "吉林省人民政府").unwrap();
    let number = first
        .iter()
        .find(|l| l.text == "吉政函〔2025〕15号")
        .unwrap();
    // The name's top 30 mm from the paper's top edge, the number flush
    // right under the double rule, no page number on the first page.
    assert!(
        (issuer.top / MM - 30.0).abs() < 3.0,
        "issuer at {:.1} mm",
        issuer.top / MM
    );
    assert!(
        (number.right / MM - 184.0).abs() < 2.0,
        "number ends {:.1} mm",
        number.right / MM
    );
    assert!(number.top > issuer.top);
    assert!(
        !page_text(&pdf, 1).contains("—1—"),
        "信函格式: no number on page 1"
    );
    assert!(page_text(&pdf, 2).contains("—2—"));
    let bytes = std::fs::read(&pdf).unwrap();

    // The same document as a 文件: the number centred, the name 35 mm into the 版心.
    edit(
        root,
        "content/2024/bulletin.md",
        "doc_number: 吉政函〔2025〕15号\nformat: letter",
        "doc_number: 吉政发〔2025〕15号\nformat: file",
    );
    Test::new()
        .root(root)
        .args(["build", "--pdf"])
        .run()
        .success();
    let html = read(root, "public/2024/bulletin/index.html");
    assert!(!html.contains("doc-letterhead") && !html.contains("official-han.css"));
    let first = lines(&pdf, 1);
    let issuer = first.iter().find(|l| l.text == "吉林省人民政府").unwrap();
    let number = first
        .iter()
        .find(|l| l.text == "吉政发〔2025〕15号")
        .unwrap();
    assert!(
        (issuer.top / MM - (37.0 + 35.0)).abs() < 3.0,
        "issuer at {:.1} mm",
        issuer.top / MM
    );
    let centre = (number.left + number.right) / 2.0 / MM;
    assert!(
        (centre - 106.0).abs() < 2.0,
        "number centred at {centre:.1} mm"
    );
    assert!(page_text(&pdf, 1).contains("—1—"));

    // A 函 laid out as a 文件 is refused at the line of `format:`.
    edit(
        root,
        "content/2024/bulletin.md",
        "doc_number: 吉政发〔2025〕15号",
        "doc_number: 吉政函〔2025〕15号",
    );
    Test::new()
        .root(root)
        .args(["check"])
        .run()
        .failure()
        .stderr_contains("content/2024/bulletin.md:4:9")
        .stderr_contains("is a 函, which GB/T 9704 lays out in 信函格式")
        .stderr_contains("format: letter");

    // Back to the letter: the same bytes as the first print.
    edit(
        root,
        "content/2024/bulletin.md",
        "format: file",
        "format: letter",
    );
    Test::new()
        .root(root)
        .args(["build", "--pdf"])
        .run()
        .success();
    assert!(
        std::fs::read(&pdf).unwrap() == bytes,
        "same input, same PDF bytes"
    );
}

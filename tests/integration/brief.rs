//! `ecoscore brief` and the printed documents: the briefing copy holds what
//! the public site must not, its figures are the computed ones, and the PDFs
//! (when Chromium is installed) are A4 with GB/T 9704 page numbers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use serde_json::Value;

const PUBLISHED: [u16; 4] = [2021, 2022, 2023, 2024];

fn scores_json(root: &Path, year: u16) -> Value {
    Test::new()
        .root(root)
        .args(["scores", "--year", &year.to_string(), "--format", "json"])
        .run()
        .success()
        .json()
}

fn brief(root: &Path, year: u16) -> String {
    Test::new()
        .root(root)
        .args(["brief", "--year", &year.to_string()])
        .run()
        .success()
        .stdout_contains(&format!("briefing/{year}/index.html"));
    read(root, &format!("briefing/{year}/index.html"))
}

/// The inner text of the first element with `attr` inside `html`
/// (tags stripped, entities undone).
fn text_of(html: &str, attr: &str) -> String {
    let at = html
        .find(attr)
        .unwrap_or_else(|| panic!("no element with {attr}"));
    let start = at + html[at..].find('>').expect("tag closes") + 1;
    let mut depth = 1;
    let mut i = start;
    let mut text = String::new();
    while depth > 0 && i < html.len() {
        let rest = &html[i..];
        if rest.starts_with("</") {
            depth -= 1;
            i += rest.find('>').unwrap() + 1;
        } else if rest.starts_with('<') {
            if !rest[..rest.find('>').unwrap()].ends_with('/') {
                depth += 1;
            }
            i += rest.find('>').unwrap() + 1;
        } else {
            let next = rest.find('<').unwrap_or(rest.len());
            text.push_str(&rest[..next]);
            i += next;
        }
    }
    unescape(text.trim())
}

/// The part of `html` from `marker` to the end of the enclosing row/section.
fn slice<'a>(html: &'a str, marker: &str, end: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the briefing"));
    let stop = html[at..].find(end).map_or(html.len(), |e| at + e);
    &html[at..stop]
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn grade_name(key: &str) -> &'static str {
    match key {
        "excellent" => "优秀",
        "good" => "良好",
        "pass" => "合格",
        "fail" => "不合格",
        other => panic!("unknown grade {other}"),
    }
}

fn grade_order(key: &str) -> usize {
    ["excellent", "good", "pass", "fail"]
        .iter()
        .position(|g| *g == key)
        .unwrap()
}

#[test]
fn briefing_holds_what_the_public_site_does_not() {
    const CANARY: &str = "CANARY-b71e-内部";
    let project = sample_project();
    let root = project.path();
    append(
        root,
        "data/2024/results/changchun.yaml",
        &format!("internal: {{ notes: {CANARY} }}\n"),
    );
    let internal_texts = [
        // data/2023/results/baicheng.yaml
        "督察整改逾期问题已列入省级挂牌督办，建议对分管负责同志进行提醒谈话",
        // data/2022/results/liaoyuan.yaml
        "建议由省政府对该市政府主要负责人进行约谈，并对相关区域实施建设项目环评限批",
        "事件调查报告认定相关部门监管失职，移交问责线索2条",
        CANARY,
    ];
    Test::new().root(root).arg("build").run().success();
    let mut briefs = BTreeMap::new();
    for year in PUBLISHED {
        briefs.insert(year, brief(root, year));
    }

    // Internal notes, under their labels, in the year they belong to.
    let b2023 = &briefs[&2023];
    assert!(b2023.contains(&format!("意见建议：{}", internal_texts[0])));
    let b2022 = &briefs[&2022];
    assert!(b2022.contains(&format!("意见建议：{}", internal_texts[1])));
    assert!(b2022.contains(&format!("责任追究：{}", internal_texts[2])));
    assert!(briefs[&2024].contains(CANARY));
    // 辽源 2022: the veto and its grounds, and what follows for a 不合格 unit.
    let veto = "发生特别重大突发环境事件（尾矿库泄漏致河流跨界污染）";
    let failed = slice(b2022, "id=\"failed\"", "id=\"year-over-year\"");
    assert!(failed.contains("辽源市"), "{failed}");
    assert!(failed.contains(&format!("否决项：2022年7月16日{veto}")));
    assert!(failed.contains("追究责任"));
    let changes = slice(b2022, "id=\"changes\"", "id=\"failed\"");
    assert!(changes.contains(&format!("2022年7月16日{veto}")));
    assert!(changes.contains("直接评定为不合格"));
    // 白城 2023: the downgrade with its grounds, and every deduction with its reason.
    let baicheng = slice(b2023, "id=\"unit-baicheng\"", "</section>");
    for reason in [
        "中央生态环境保护督察反馈问题2项未按期完成整改，扣2.5分",
        "秋季秸秆露天焚烧卫星遥感监测火点超过控制目标，扣1.5分",
        "中央和省级生态环境保护专项资金支出进度滞后，扣1分",
        "满意度调查得分81.8分",
        "降档项：未按期完成生态环境保护督察问题整改任务（中央生态环境保护督察反馈的自然保护区内违规项目清理整改任务2项未按期完成）",
    ] {
        assert!(baicheng.contains(reason), "白城 2023 lacks {reason}");
    }
    // An indicator shortfall with the reason the scoring gave (score::IndicatorScore.reason).
    assert!(
        baicheng.contains("低于目标") || baicheng.contains("超过目标"),
        "{baicheng}"
    );
    // The bonus cap: 长春 2024 claims 6.5 points, more than the cap.
    let changchun = slice(&briefs[&2024], "id=\"unit-changchun\"", "</section>");
    assert!(
        changchun.contains("申报加分合计6.5分，超过上限5分，按5分计"),
        "{changchun}"
    );

    // The public bulletin has none of that; nothing under public/ has any note.
    let bulletin = read(root, "public/2023/bulletin/index.html");
    assert!(!bulletin.contains("秋季秸秆露天焚烧卫星遥感监测火点超过控制目标"));
    assert!(!bulletin.contains("抄送"));
    let tree = read_tree(&root.join("public"));
    assert!(tree.len() > 50);
    for (path, bytes) in &tree {
        for text in internal_texts {
            assert!(
                !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
                "{path} holds the internal note {text}"
            );
        }
        for marker in ["briefing/", "抄送件", "内部意见"] {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{path} mentions {marker}"
            );
        }
    }
    // And the briefing was written outside it.
    assert!(root.join("briefing/2023/index.html").is_file());
}

#[test]
fn briefing_figures_are_the_computed_ones() {
    let project = sample_project();
    let root = project.path();
    for year in PUBLISHED.into_iter().chain([2025]) {
        let html = brief(root, year);
        let doc = scores_json(root, year);
        let units = doc["regions"].as_array().unwrap();
        assert_eq!(units.len(), 12);
        let mut rows_in_order = Vec::new();
        for unit in units {
            let id = unit["id"].as_str().unwrap();
            let row = slice(&html, &format!("<tr id=\"row-{id}\">"), "</tr>");
            rows_in_order.push(html.find(row).unwrap());
            let cell = |class: &str| text_of(row, &format!("class=\"{class}\""));
            let context = format!("{year} {id}");
            assert_eq!(cell("c-name"), unit["name"].as_str().unwrap(), "{context}");
            assert_eq!(cell("c-rank"), unit["rank"].to_string(), "{context}");
            assert_eq!(
                cell("c-grade"),
                grade_name(unit["grade"].as_str().unwrap()),
                "{context}"
            );
            assert_eq!(cell("num c-total"), unit["total"].as_str().unwrap());
            assert_eq!(cell("num c-bonus"), unit["bonus"].as_str().unwrap());
            let section = slice(&html, &format!("id=\"unit-{id}\""), "</section>");
            assert_eq!(
                text_of(section, "class=\"f-total\""),
                unit["total"].as_str().unwrap()
            );
            assert_eq!(
                text_of(section, "class=\"f-bonus\""),
                unit["bonus"].as_str().unwrap()
            );
            for part in ["indicators", "tasks", "funds", "satisfaction"] {
                let expected = unit["sections"][part].as_str().unwrap();
                assert_eq!(cell(&format!("num c-{part}")), expected, "{context} {part}");
                assert_eq!(
                    text_of(section, &format!("class=\"f-{part}\"")),
                    expected,
                    "{context} {part}"
                );
            }
            let note = cell("c-note");
            if unit["vetoed"].as_bool().unwrap() {
                assert_eq!(note, "否决", "{context}");
            } else if unit["downgraded"].as_bool().unwrap() {
                assert!(note.starts_with("降档"), "{context}");
            } else {
                assert!(note.is_empty(), "{context}");
            }
        }
        assert!(
            rows_in_order.windows(2).all(|w| w[0] < w[1]),
            "{year}: rows in rank order"
        );
    }
}

#[test]
fn closing_block_lists_recipients_office_and_print_date() {
    let project = sample_project();
    let root = project.path();
    let html = brief(root, 2024);
    let imprint = slice(&html, "class=\"doc-imprint\"", "</footer>");
    assert_eq!(
        text_of(imprint, "class=\"doc-cc\""),
        "抄送：省纪委监委，省委组织部。"
    );
    assert_eq!(
        text_of(imprint, "class=\"doc-office\""),
        "吉林省人民政府办公厅"
    );
    // content/2024/bulletin.md: briefing.printed, not the clock.
    assert_eq!(
        text_of(imprint, "class=\"doc-printed-date\""),
        "2025年4月27日印发"
    );
    assert_eq!(text_of(&html, "class=\"doc-copy\""), "000001");
    assert!(!html.contains("class=\"doc-secret\""));
    assert_eq!(text_of(&html, "class=\"doc-number\""), "吉政函〔2025〕15号");
    assert_eq!(text_of(&html, "class=\"doc-issuer\""), "吉林省人民政府");
    // No own stylesheet or script to fetch: the copy stands alone.
    for tag in tags(&html) {
        for attr in ["href", "src"] {
            assert!(
                !tag.attrs.contains_key(attr),
                "the briefing refers to another file: {}",
                tag.source
            );
        }
    }

    // Other recipients, the default office (the publisher), the bulletin's
    // date as print date, and a 密级.
    edit(
        root,
        "site.yaml",
        "recipients: [省纪委监委, 省委组织部]",
        "recipients: [省纪委监委, 省委组织部, 省审计厅]",
    );
    edit(root, "site.yaml", "  office: 吉林省人民政府办公厅\n", "");
    edit(
        root,
        "content/2023/bulletin.md",
        "status: published\n",
        "status: published\nbriefing: { classification: 秘密★1年, copy_number: \"17\" }\n",
    );
    let html = brief(root, 2023);
    let imprint = slice(&html, "class=\"doc-imprint\"", "</footer>");
    assert_eq!(
        text_of(imprint, "class=\"doc-cc\""),
        "抄送：省纪委监委，省委组织部，省审计厅。"
    );
    assert_eq!(text_of(imprint, "class=\"doc-office\""), "吉林省生态环境厅");
    assert_eq!(
        text_of(imprint, "class=\"doc-printed-date\""),
        "2024年4月28日印发"
    );
    assert_eq!(text_of(&html, "class=\"doc-secret\""), "秘密★1年");
    assert_eq!(text_of(&html, "class=\"doc-copy\""), "000017");

    // No recipients: no 抄送 line, and a warning says so.
    edit(
        root,
        "site.yaml",
        "briefing:\n  recipients: [省纪委监委, 省委组织部, 省审计厅]\n",
        "",
    );
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023"])
        .run()
        .success()
        .stderr_contains("no briefing.recipients");
    assert!(!read(root, "briefing/2023/index.html").contains("抄送："));
}

#[test]
fn year_over_year_changes_follow_the_scores() {
    let project = sample_project();
    let root = project.path();
    for year in [2022u16, 2023, 2024] {
        let html = brief(root, year);
        let now = scores_json(root, year);
        let before = scores_json(root, year - 1);
        let previous: BTreeMap<&str, &Value> = before["regions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u["id"].as_str().unwrap(), u))
            .collect();
        for unit in now["regions"].as_array().unwrap() {
            let id = unit["id"].as_str().unwrap();
            let row = slice(&html, &format!("<tr id=\"change-{id}\">"), "</tr>");
            let cell = |class: &str| text_of(row, &format!("class=\"{class}\""));
            let old = previous[id];
            let (rank, old_rank) = (
                unit["rank"].as_i64().unwrap(),
                old["rank"].as_i64().unwrap(),
            );
            assert_eq!(cell("c-previous-rank"), old_rank.to_string());
            assert_eq!(cell("c-rank"), rank.to_string());
            let expected_rank = match rank.cmp(&old_rank) {
                std::cmp::Ordering::Less => format!("上升{}位", old_rank - rank),
                std::cmp::Ordering::Greater => format!("下降{}位", rank - old_rank),
                std::cmp::Ordering::Equal => "持平".to_string(),
            };
            assert_eq!(cell("c-rank-change"), expected_rank, "{year} {id}");
            let (grade, old_grade) = (
                unit["grade"].as_str().unwrap(),
                old["grade"].as_str().unwrap(),
            );
            assert_eq!(cell("c-previous-grade"), grade_name(old_grade));
            assert_eq!(cell("c-grade"), grade_name(grade));
            let expected_grade = match grade_order(grade).cmp(&grade_order(old_grade)) {
                std::cmp::Ordering::Less => "提升",
                std::cmp::Ordering::Greater => "下降",
                std::cmp::Ordering::Equal => "持平",
            };
            assert_eq!(cell("c-grade-change"), expected_grade, "{year} {id}");
        }
    }
    // 辽源: 2022 vetoed, 12th, 不合格 → 2023 9th, 良好.
    let html = read(root, "briefing/2023/index.html");
    let row = slice(&html, "<tr id=\"change-liaoyuan\">", "</tr>");
    assert_eq!(text_of(row, "class=\"c-rank-change\""), "上升3位");
    assert_eq!(text_of(row, "class=\"c-grade-change\""), "提升");
    // The first year has nothing to compare with.
    let first = brief(root, 2021);
    assert!(first.contains("2020年度无考核数据，不作比较。"));
    assert!(!first.contains("change-"));
}

#[test]
fn draft_year_is_marked() {
    let project = sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2025"])
        .run()
        .success()
        .stdout_contains("draft year: marked 草稿");
    let html = read(root, "briefing/2025/index.html");
    assert_eq!(text_of(&html, "class=\"doc-draft\""), "草稿");
    assert!(
        html.contains("content: \"草稿"),
        "printed pages carry 草稿 too"
    );
    assert!(!brief(root, 2024).contains("class=\"doc-draft\""));
}

#[test]
fn briefing_is_never_written_into_a_public_output() {
    let project = sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023", "--out"])
        .arg(root.join("public"))
        .run()
        .failure()
        .stderr_contains("refusing to write the briefing copy there");
    assert!(!root.join("public").exists());
    // A site built elsewhere is recognised by its sitemap and feed.
    let site = root.join("www");
    Test::new()
        .root(root)
        .args(["build", "--out"])
        .arg(&site)
        .run()
        .success();
    let before = read_tree(&site);
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023", "--out"])
        .arg(site.join("internal"))
        .run()
        .failure()
        .stderr_contains("must never be published");
    assert_eq!(read_tree(&site), before, "the built site is untouched");
    // Elsewhere is fine, and replaces only that year's folder.
    let out = root.join("copies");
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023", "--out"])
        .arg(&out)
        .run()
        .success();
    assert!(out.join("2023/index.html").is_file());
}

#[test]
fn unknown_year_and_missing_template_are_clear_errors() {
    let project = sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2019"])
        .run()
        .failure()
        .stderr_contains("there is no data for 2019")
        .stderr_contains("2021, 2022, 2023, 2024, 2025");
    std::fs::remove_file(root.join("themes/default/templates/briefing.html")).unwrap();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023"])
        .run()
        .failure()
        .stderr_contains("themes/default/templates/briefing.html")
        .stderr_contains("has no template briefing.html");
    assert!(!root.join("briefing").exists());
    // The public site does not need it.
    Test::new().root(root).arg("build").run().success();
}

#[test]
fn briefing_front_matter_is_checked() {
    let project = sample_project();
    let root = project.path();
    let line = edit(
        root,
        "content/2023/bulletin.md",
        "status: published\n",
        "status: published\nbriefing:\n  printed: 2024-04-01\n  copy_number: \"12a\"\n  clasification: 秘密\n",
    ) + 1;
    let output = Test::new().root(root).arg("check").run().failure();
    let file = "content/2023/bulletin.md";
    let stderr = output.stderr;
    assert!(stderr.contains("clasification"), "{stderr}");
    assert!(stderr.contains(&format!("{file}:{}", line + 3)), "{stderr}");
    edit(root, file, "  clasification: 秘密\n", "");
    let stderr = Test::new().root(root).arg("check").run().failure().stderr;
    assert!(
        stderr.contains("briefing.printed 2024-04-01 is before the bulletin's date 2024-04-28"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{file}:{}", line + 1)), "{stderr}");
    assert!(stderr.contains("`12a` is not a copy number"), "{stderr}");
    assert!(stderr.contains(&format!("{file}:{}", line + 2)), "{stderr}");
    edit(
        root,
        "site.yaml",
        "  office: 吉林省人民政府办公厅",
        "  offfice: x",
    );
    let stderr = Test::new().root(root).arg("check").run().failure().stderr;
    assert!(stderr.contains("offfice"), "{stderr}");
}

#[test]
fn without_chromium_the_html_is_written_and_the_fix_is_named() {
    let project = sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .env("ECOSCORE_CHROMIUM", "/nonexistent/chromium")
        .args(["brief", "--year", "2023", "--pdf"])
        .run()
        .success()
        .stderr_contains("warning: no PDF")
        .stderr_contains("apt-get install -y chromium fonts-noto-cjk");
    assert!(root.join("briefing/2023/index.html").is_file());
    assert!(!root.join("briefing/2023/briefing.pdf").exists());
    Test::new()
        .root(root)
        .env("ECOSCORE_CHROMIUM", "/nonexistent/chromium")
        .args(["build", "--pdf"])
        .run()
        .success()
        .stderr_contains("apt-get install -y chromium fonts-noto-cjk");
    let bulletin = read(root, "public/2023/bulletin/index.html");
    assert!(
        !bulletin.contains("bulletin.pdf"),
        "no link to a PDF that is not there"
    );
    assert!(!root.join("public/2023/bulletin/bulletin.pdf").exists());
}

// ---------------------------------------------------------------------------
// PDFs: only where Chromium and poppler-utils are installed (.ci/run installs them).

fn tools_present() -> bool {
    let chromium = ecoscore::pdf::Chromium::find();
    let poppler = ["pdfinfo", "pdftotext"].iter().all(|tool| {
        Command::new(tool)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    });
    let missing = match (chromium, poppler) {
        (Ok(_), true) => None,
        (Err(e), _) => Some(e.to_string()),
        (Ok(_), false) => Some("pdfinfo/pdftotext missing".to_string()),
    };
    require_tool(
        "PDF tests need Chromium and poppler-utils (apt-get install -y chromium fonts-noto-cjk poppler-utils)",
        missing,
    )
}

/// This test binary again, running only the PDF test `name` with `env`.
fn run_pdf_test(name: &str, env: &[(&str, &str)], remove: &[&str]) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    // Test names in the one test binary carry their module: `brief::…`.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    command.args(["--exact", &format!("{module}::{name}"), "--nocapture"]);
    for (key, value) in env {
        command.env(key, value);
    }
    for key in remove {
        command.env_remove(key);
    }
    command.output().unwrap()
}

#[test]
fn under_ci_a_missing_chromium_fails_the_pdf_tests_instead_of_skipping() {
    let missing = ("ECOSCORE_CHROMIUM", "/nonexistent/chromium");
    let name = "build_pdf_adds_nothing_to_archived_years";
    let ci = run_pdf_test(name, &[missing, ("CI", "true")], &[]);
    let said =
        String::from_utf8_lossy(&ci.stdout).into_owned() + &String::from_utf8_lossy(&ci.stderr);
    assert!(
        !ci.status.success(),
        "passed under CI=true without Chromium:\n{said}"
    );
    assert!(
        said.contains("under CI=true this test must run, not skip"),
        "{said}"
    );
    let local = run_pdf_test(name, &[missing], &["CI"]);
    let said = String::from_utf8_lossy(&local.stderr);
    assert!(local.status.success(), "{said}");
    assert!(said.contains("SKIP: PDF tests need Chromium"), "{said}");
}

fn pdfinfo(pdf: &Path) -> BTreeMap<String, String> {
    let output = Command::new("pdfinfo").arg(pdf).output().unwrap();
    assert!(output.status.success(), "pdfinfo {}", pdf.display());
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn pdftotext(pdf: &Path, page: Option<usize>, extra: &[&str]) -> String {
    let mut command = Command::new("pdftotext");
    if let Some(page) = page {
        command.args(["-f", &page.to_string(), "-l", &page.to_string()]);
    }
    let output = command.args(extra).arg(pdf).arg("-").output().unwrap();
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(output.stdout).unwrap()
}

/// Pages as (count), each A4 portrait (595.28 × 841.89 pt, ±1).
fn a4_pages(pdf: &Path) -> usize {
    let info = pdfinfo(pdf);
    let size: Vec<f64> = info["Page size"]
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        (size[0] - 595.28).abs() < 1.0 && (size[1] - 841.89).abs() < 1.0,
        "not A4: {}",
        info["Page size"]
    );
    info["Pages"].parse().unwrap()
}

/// The top edges and left edges of the words on one page (`pdftotext -bbox`).
fn word_boxes(pdf: &Path, page: usize) -> Vec<(f64, f64)> {
    let xml = pdftotext(pdf, Some(page), &["-bbox"]);
    xml.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let attr = |name: &str| -> f64 {
                let at = l.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                l[at..at + l[at..].find('"').unwrap()].parse().unwrap()
            };
            (attr("yMin"), attr("xMin"))
        })
        .collect()
}

const MM: f64 = 72.0 / 25.4;

/// GB/T 9704 on one page of body text: the text block starts 28 mm from the
/// left on odd pages (26 mm on even ones) and lines are 225 mm / 22 apart
/// (a page shrunk to fit something too wide fails both).
fn assert_text_grid(pdf: &Path, page: usize) {
    let boxes: Vec<(f64, f64)> = word_boxes(pdf, page)
        .into_iter()
        .filter(|(y, _)| *y > 37.0 * MM - 2.0 && *y < (297.0 - 35.0) * MM)
        .collect();
    let left = boxes.iter().map(|b| b.1).fold(f64::MAX, f64::min);
    let binding = if page % 2 == 1 { 28.0 } else { 26.0 };
    assert!(
        (left - binding * MM).abs() < 2.5,
        "page {page}: text starts {:.1} mm from the left, not {binding} mm",
        left / MM
    );
    let mut tops: Vec<f64> = boxes.iter().map(|b| b.0).collect();
    tops.sort_by(f64::total_cmp);
    tops.dedup_by(|a, b| (*a - *b).abs() < 3.0);
    let mut gaps: Vec<f64> = tops.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    let median = gaps[gaps.len() / 2];
    assert!(
        (median - 225.0 * MM / 22.0).abs() < 1.0,
        "page {page}: lines {median:.2} pt apart, not 28.95"
    );
}

#[test]
fn briefing_pdf_is_a4_with_page_numbers_and_everything_in_it() {
    if !tools_present() {
        return;
    }
    let project = sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023", "--pdf"])
        .run()
        .success()
        .stdout_contains("briefing/2023/briefing.pdf");
    let pdf = root.join("briefing/2023/briefing.pdf");
    let pages = a4_pages(&pdf);
    assert!(pages >= 4, "{pages} pages");
    let text = without_whitespace(&pdftotext(&pdf, None, &[]));
    for needle in [
        "吉林省人民政府",
        "关于2023年度各市（州）政府生态环境保护目标责任制考核结果的通报",
        "吉政函〔2024〕12号",
        "抄送：省纪委监委，省委组织部。",
        "吉林省人民政府办公厅",
        "2024年4月28日印发",
        "督察整改逾期问题已列入省级挂牌督办",
    ] {
        assert!(text.contains(needle), "the PDF lacks {needle}");
    }
    for unit in scores_json(root, 2023)["regions"].as_array().unwrap() {
        let name = unit["name"].as_str().unwrap();
        assert!(text.contains(name), "the PDF lacks {name}");
    }
    // "— n —" on every page but the first (a 函 is in 信函格式, GB/T 9704
    // 10.1), a blank page before the 版记 and the 版记 page (7.5).
    for page in 1..=pages {
        // pdftotext drops the spaces around the number.
        let page_text = without_whitespace(&pdftotext(&pdf, Some(page), &[]));
        let number = format!("—{page}—");
        let blank = page_text == "示例数据（sampledata），不是官方考核结果";
        if page == 1 || (blank && page == pages - 1) {
            assert!(!page_text.contains('—'), "page {page} has a number");
        } else if page < pages {
            assert!(page_text.contains(&number), "page {page} has no {number}");
        } else {
            assert!(!page_text.contains('—'), "the 版记 page has a page number");
            assert!(page_text.contains("抄送："), "{page_text}");
        }
    }
    assert_text_grid(&pdf, 2);
    assert_text_grid(&pdf, 3);
    // The PDF carries the input's dates, not the clock, so it prints the same twice.
    assert!(pdfinfo(&pdf)["CreationDate"].contains("2024"));
    let first = std::fs::read(&pdf).unwrap();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023", "--pdf"])
        .run()
        .success();
    let second = std::fs::read(&pdf).unwrap();
    if first != second {
        // Say where they part, so a failure here can be told apart from a
        // clock or scratch path that slipped into the PDF.
        let at = first
            .iter()
            .zip(&second)
            .position(|(a, b)| a != b)
            .unwrap_or(first.len().min(second.len()));
        let around = |bytes: &[u8]| {
            String::from_utf8_lossy(&bytes[at.saturating_sub(60)..(at + 60).min(bytes.len())])
                .into_owned()
        };
        panic!(
            "same input, same PDF: {} and {} bytes, first difference at byte {at}:\n{:?}\n{:?}",
            first.len(),
            second.len(),
            around(&first),
            around(&second)
        );
    }
}

/// An archived year is published exactly as frozen, so `build --pdf` prints
/// only the years it renders: here every published year, as none is archived.
#[test]
fn build_pdf_prints_every_published_bulletin() {
    if !tools_present() {
        return;
    }
    let project = unarchived_sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["build", "--pdf"])
        .run()
        .success()
        .stdout_contains("printed the bulletins");
    let public: PathBuf = root.join("public");
    assert!(
        !public.join("2025/bulletin/bulletin.pdf").exists(),
        "drafts stay out"
    );
    for year in PUBLISHED {
        let pdf = public.join(format!("{year}/bulletin/bulletin.pdf"));
        let pages = a4_pages(&pdf);
        let bulletin = read(&public, &format!("{year}/bulletin/index.html"));
        assert!(
            bulletin.contains("href=\"bulletin.pdf\""),
            "{year} links its PDF"
        );
        let text = without_whitespace(&pdftotext(&pdf, None, &[]));
        let number = text_of(&bulletin, "class=\"doc-number\"");
        assert!(text.contains(&number), "{year}: {number}");
        assert!(text.contains("（此件公开发布）"));
        assert!(
            !text.contains("抄送"),
            "{year}: the public bulletin has no 版记"
        );
        for unit in scores_json(root, year)["regions"].as_array().unwrap() {
            assert!(text.contains(unit["name"].as_str().unwrap()));
        }
        // Every page numbered but the first: each year's bulletin is a 函,
        // in 信函格式 (GB/T 9704 10.1).
        for page in 1..=pages {
            let number = format!("—{page}—");
            let page_text = without_whitespace(&pdftotext(&pdf, Some(page), &[]));
            assert_eq!(
                page_text.contains(&number),
                page > 1,
                "{year} page {page}: {page_text}"
            );
        }
        // Links point at the published site, never at the folder it was printed from.
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(!bytes.windows(7).any(|w| w == b"file://"), "{year}");
        assert!(bytes
            .windows(29)
            .any(|w| w == b"https://example.gov.cn/kaohe/"));
    }
    assert_text_grid(&public.join("2023/bulletin/bulletin.pdf"), 2);
}

#[test]
fn build_pdf_adds_nothing_to_archived_years() {
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
    let public = root.join("public");
    for year in [2021, 2022, 2023] {
        assert!(
            !public
                .join(format!("{year}/bulletin/bulletin.pdf"))
                .exists(),
            "{year} is archived: its pages stay as frozen"
        );
        assert_eq!(
            std::fs::read(public.join(format!("{year}/bulletin/index.html"))).unwrap(),
            std::fs::read(root.join(format!("archive/{year}/site/{year}/bulletin/index.html")))
                .unwrap()
        );
    }
    assert!(a4_pages(&public.join("2024/bulletin/bulletin.pdf")) > 0);
}

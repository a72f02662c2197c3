//! `ecoscore check` as the gate between hand-entered files and the public
//! site: a corpus of bad inputs, each with a snapshot of its exact
//! diagnostic (so a worse message is a failing test), hostile files that
//! must be survived, and what must never be published.

use std::fs;
use std::path::Path;

use crate::common;
use crate::common::*;

// ---------------------------------------------------------------------------
// the corpus: one small change to a good project, and the exact report

/// One change to a copy of a good project.
enum Edit {
    /// Replace the single occurrence of `find` in `file`.
    Replace(&'static str, &'static str, &'static str),
    /// Write `file` with these bytes (creating folders).
    Write(&'static str, &'static [u8]),
    Remove(&'static str),
    Rename(&'static str, &'static str),
    Copy(&'static str, &'static str),
}

use Edit::*;

enum Base {
    /// tests/fixtures/tiny: three units, one year, three indicators.
    Tiny,
    /// The repository's sample: twelve units, 2021–2025.
    Sample,
}

fn apply(root: &Path, edits: &[Edit]) {
    for edit in edits {
        match edit {
            Replace(file, find, replace) => {
                common::edit(root, file, find, replace);
            }
            Write(file, bytes) => {
                let path = root.join(file);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, bytes).unwrap();
            }
            Remove(file) => fs::remove_file(root.join(file)).unwrap(),
            Rename(from, to) => fs::rename(root.join(from), root.join(to)).unwrap(),
            Copy(from, to) => {
                fs::copy(root.join(from), root.join(to)).unwrap();
            }
        }
    }
}

/// The corpus is about the input's own rules, so the sample is used without
/// its archive (an edit to an archived year would add a drift warning).
fn project(base: Base) -> tempfile::TempDir {
    match base {
        Base::Tiny => tiny_project(),
        Base::Sample => unarchived_sample_project(),
    }
}

/// What `check` printed, with the temporary project folder written `[ROOT]`.
fn report(root: &Path, output: &Output) -> String {
    let root_text = root.display().to_string();
    format!(
        "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status, output.stdout, output.stderr
    )
    .replace(&root_text, "[ROOT]")
}

fn check_report(base: Base, edits: &[Edit]) -> String {
    let dir = project(base);
    apply(dir.path(), edits);
    let output = Test::new().root(dir.path()).arg("check").run();
    report(dir.path(), &output)
}

macro_rules! corpus {
    ($($name:ident: $base:ident [$($edit:expr),* $(,)?];)*) => {
        $(
            #[test]
            fn $name() {
                let report = check_report(Base::$base, &[$($edit),*]);
                insta::assert_snapshot!(stringify!($name), report);
            }
        )*

        /// Every corpus case, so `build` can be run over all of them.
        const CORPUS: &[(&str, fn() -> Base, &[Edit])] = &[
            $((stringify!($name), || Base::$base, &[$($edit),*]),)*
        ];
    };
}

const ALPHA: &str = "data/2023/results/alpha.yaml";
const RULES: &str = "data/2023/rules.yaml";
const TARGETS: &str = "data/2023/targets.yaml";
const REGIONS: &str = "data/regions.yaml";
const INDICATORS: &str = "data/indicators.yaml";
const BULLETIN: &str = "content/2023/bulletin.md";

corpus! {
    // YAML syntax and types
    yaml_unclosed_quote: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: \"36\n")];
    yaml_bad_indentation: Tiny [Replace(ALPHA, "  forest: 41\n", " forest: 41\n")];
    yaml_tab_indentation: Tiny [Replace(ALPHA, "  forest: 41\n", "\tforest: 41\n")];
    figure_in_quotes: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: \"36\"\n")];
    figure_with_percent_sign: Tiny [Replace(ALPHA, "  air_days: 95\n", "  air_days: 95%\n")];
    figure_nan: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: .nan\n")];
    figure_infinite: Tiny [Replace(ALPHA, "satisfaction: 90", "satisfaction: .inf")];
    figure_absurdly_large: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: 1e300\n")];
    list_where_a_map_belongs: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: [36]\n")];
    year_not_a_number: Tiny [Replace(RULES, "year: 2023", "year: 二〇二三")];
    // keys
    misspelt_key: Tiny [Replace(ALPHA, "satisfaction: 90", "satisfacton: 90")];
    misspelt_nested_key: Tiny [Replace(ALPHA, "{ deduct: 0.5, reason:", "{ deduct: 0.5, reson:")];
    missing_key: Tiny [Replace(ALPHA, "satisfaction: 90\n", "")];
    duplicate_key: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: 36\n  pm: 37\n")];
    unknown_enum_value: Tiny [Replace(REGIONS, "kind: committee", "kind: comittee")];
    // ids
    region_id_not_a_slug: Tiny [Replace(REGIONS, "id: alpha", "id: Alpha City")];
    region_id_escapes: Tiny [Replace(REGIONS, "id: alpha", "id: ../../etc")];
    duplicate_region_id: Tiny [Replace(REGIONS, "id: beta", "id: alpha")];
    indicator_id_not_an_id: Tiny [Replace(INDICATORS, "id: pm\n", "id: PM2.5\n")];
    duplicate_indicator_id: Tiny [Replace(INDICATORS, "id: forest", "id: pm")];
    page_name_not_a_slug: Tiny [Write("content/pages/About Us.md", "---\ntitle: 关于\n---\n正文\n".as_bytes())];
    region_code_not_six_digits: Tiny [Replace(REGIONS, "code: \"220100\"", "code: \"2201\"")];
    // files in the wrong place or missing
    results_for_unknown_unit: Tiny [Rename(ALPHA, "data/2023/results/alfa.yaml")];
    results_file_missing: Tiny [Remove("data/2023/results/beta.yaml")];
    rules_missing: Tiny [Remove(RULES)];
    unexpected_folder: Tiny [Write("data/2023/result/alpha.yaml", b"region: alpha\n")];
    narrative_for_unknown_unit: Tiny [Write("content/2023/regions/delta.md", "丁市的说明。\n".as_bytes())];
    region_field_disagrees_with_file_name: Tiny [Replace(ALPHA, "region: alpha", "region: beta")];
    year_field_disagrees_with_folder: Tiny [Replace(ALPHA, "year: 2023", "year: 2022")];
    rules_year_disagrees_with_folder: Tiny [Replace(RULES, "year: 2023", "year: 2024")];
    // references
    unknown_indicator_in_results: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm_25: 36\n")];
    unknown_indicator_in_rules: Tiny [Replace(RULES, "  forest: {", "  forests: {")];
    unknown_indicator_in_targets: Tiny [Replace(TARGETS, "  forest: 40\n", "  forrest: 40\n")];
    unknown_unit_in_targets: Tiny [Replace(TARGETS, "  gamma: {", "  gama: {")];
    unknown_task_category_in_rules: Tiny [Replace(RULES, "  ecology: 5\n", "  ecologie: 5\n")];
    unknown_task_category_in_results: Tiny [Replace(ALPHA, "{ category: air,", "{ category: aire,")];
    missing_indicator_value: Tiny [Replace(ALPHA, "  forest: 41\n", "")];
    indicator_without_target_for_any_unit: Tiny [Replace(TARGETS, "  forest: 40\n", "")];
    indicator_without_target_for_one_unit: Tiny [
        Replace(TARGETS, "  forest: 40\n", ""),
        Replace(TARGETS, "  gamma: { forest: n/a }", "  alpha: { forest: 40 }\n  gamma: { forest: n/a }"),
    ];
    no_indicator_applies_to_a_unit: Tiny [Replace(
        "data/2023/results/gamma.yaml",
        "  air_days: 90.5\n  pm: 33\n",
        "  air_days: n/a\n  pm: n/a\n",
    )];
    // figures
    value_outside_range: Tiny [Replace(ALPHA, "  air_days: 95\n", "  air_days: 950\n")];
    target_outside_range: Tiny [Replace(TARGETS, "  air_days: 90\n", "  air_days: -90\n")];
    negative_deduction: Tiny [Replace(ALPHA, "{ deduct: 0.5,", "{ deduct: -0.5,")];
    negative_bonus: Tiny [Replace(ALPHA, "{ points: 1, reason", "{ points: -1, reason")];
    empty_reason: Tiny [Replace(ALPHA, "reason: 资金支出进度滞后", "reason: \"\"")];
    satisfaction_over_100: Tiny [Replace(ALPHA, "satisfaction: 90", "satisfaction: 190")];
    satisfaction_negative: Tiny [Replace(ALPHA, "satisfaction: 90", "satisfaction: -9")];
    self_assessment_total_not_the_sum: Tiny [Replace(ALPHA, "satisfaction: 90\n", "satisfaction: 90\nself_assessment: { indicators: 38, tasks: 30, funds: 10, satisfaction: 13.5, bonus: 3, total: 95 }\n")];
    self_assessment_over_its_section: Tiny [Replace(ALPHA, "satisfaction: 90\n", "satisfaction: 90\nself_assessment: { indicators: 41, tasks: 30, funds: 10, satisfaction: 13.5, total: 94.5 }\n")];
    self_assessment_threshold_negative: Tiny [Replace("site.yaml", "sample_data: true", "sample_data: true\nself_assessment: { threshold: -5 }")];
    // rules
    sections_do_not_sum_to_100: Tiny [Replace(RULES, "funds: 10,", "funds: 15,")];
    indicator_points_do_not_sum: Tiny [Replace(RULES, "forest: { points: 20,", "forest: { points: 15,")];
    task_points_do_not_sum: Tiny [Replace(RULES, "  risk: 5\n", "  risk: 4\n")];
    grades_not_descending: Tiny [Replace(RULES, "good: 80", "good: 95")];
    pass_threshold_zero: Tiny [Replace(RULES, "pass: 60", "pass: 0")];
    per_zero: Tiny [Replace(RULES, "deduct: 2, per: 1,", "deduct: 2, per: 0,")];
    per_unit_without_deduct: Tiny [Replace(RULES, "deduct: 2, per: 1,", "per: 1,")];
    deduct_on_pass_fail: Tiny [Replace(RULES, "{ points: 20, method: pass_fail }", "{ points: 20, method: pass_fail, deduct: 1 }")];
    unknown_method: Tiny [Replace(RULES, "method: proportional", "method: proportionate")];
    empty_range: Tiny [Replace(INDICATORS, "range: [0, 500]", "range: [500, 0]")];
    // dates and content
    impossible_date: Tiny [Replace(BULLETIN, "date: 2024-04-28", "date: 2024-02-30")];
    date_in_another_format: Tiny [Replace(BULLETIN, "date: 2024-04-28", "date: 2024/4/28")];
    veto_with_bad_date: Tiny [Replace(ALPHA, "satisfaction: 90\n", "satisfaction: 90\nveto:\n  - { date: 2023-13-01, event: 特别重大突发环境事件 }\n")];
    bulletin_missing: Tiny [Remove(BULLETIN)];
    bulletin_without_front_matter: Tiny [Write(BULLETIN, "# 关于2023年度测试考核结果的通报\n\n正文。\n".as_bytes())];
    bulletin_front_matter_not_closed: Tiny [Replace(BULLETIN, "status: published\n---\n", "status: published\n")];
    bulletin_front_matter_missing_key: Tiny [Replace(BULLETIN, "issuer: 测试发布单位\n", "")];
    bulletin_unknown_status: Tiny [Replace(BULLETIN, "status: published", "status: publish")];
    bulletin_index_number_malformed: Tiny [Replace(BULLETIN, "11220000000000000X/2024-00001", "1122/2024-1")];
    bulletin_index_number_wrong_year: Tiny [Replace(BULLETIN, "11220000000000000X/2024-00001", "11220000000000000X/2023-00001")];
    bulletin_undefined_variable: Tiny [Replace(BULLETIN, "共{{ units | length }}个地区", "共{{ unit | length }}个地区")];
    bulletin_undefined_field: Tiny [Replace(BULLETIN, "优秀{{ grade_counts.excellent }}个", "优秀{{ grade_counts.excelent }}个")];
    bulletin_template_syntax: Tiny [Replace(BULLETIN, "共{{ units | length }}个地区", "共{{ units | length }个地区")];
    theme_template_undefined_variable: Tiny [Replace("themes/default/templates/404.html", "{% block main %}", "{% block main %}{{ page_title }}")];
    // encodings and site settings
    invalid_utf8: Tiny [Write(ALPHA, b"region: alpha\nyear: 2023\nindicators:\n  air_days: 95\n  pm: 36 # \xce\xa2\xb8\xf1\n")];
    base_url_not_absolute: Tiny [Replace("site.yaml", "base_url: https://example.test/tiny/", "base_url: example.test/tiny")];
    unknown_theme: Tiny [Replace("site.yaml", "theme: default", "theme: fancy")];
    // figures the arithmetic cannot hold, and what 28 digits cannot hold
    per_too_small_to_compute: Tiny [Replace(RULES, "deduct: 2, per: 1,", "deduct: 2, per: 0.0000000000000000000000000001,")];
    proportional_tiny_target_and_a_negative_value: Tiny [
        Replace(INDICATORS, "    better: lower\n    range: [0, 500]", "    better: higher\n    range: [-500, 500]"),
        Replace(TARGETS, "  pm: 30\n", "  pm: 0.0000000000000000000000000001\n"),
        Replace(ALPHA, "  pm: 36\n", "  pm: -36\n"),
    ];
    figure_with_more_than_28_digits: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: 36.00000000000000000000000000001\n")];
    figure_with_more_than_28_decimal_places: Tiny [Replace(TARGETS, "  pm: 30\n", "  pm: 1e-29\n")];
    figure_in_hexadecimal: Tiny [Replace(ALPHA, "  pm: 36\n", "  pm: 0x24\n")];
    // smaller holes
    base_url_scheme_only: Tiny [Replace("site.yaml", "base_url: https://example.test/tiny/", "base_url: http://")];
    base_url_without_host: Tiny [Replace("site.yaml", "base_url: https://example.test/tiny/", "base_url: https:///kaohe/")];
    base_url_with_a_space: Tiny [Replace("site.yaml", "base_url: https://example.test/tiny/", "base_url: https://example.test/ti ny/")];
    base_url_with_markup: Tiny [Replace("site.yaml", "base_url: https://example.test/tiny/", "base_url: 'https://example.test/\"><script>alert(1)</script>'")];
    proportional_for_an_indicator_that_can_be_negative: Tiny [Replace(INDICATORS, "range: [0, 500]", "range: [-500, 500]")];
    bonus_with_three_decimals: Tiny [Replace(ALPHA, "{ points: 1, reason", "{ points: 0.005, reason")];
    deduction_with_three_decimals: Tiny [Replace(ALPHA, "{ deduct: 0.5,", "{ deduct: 0.125,")];
    // every problem of a document in one run
    two_errors_in_one_results_file: Tiny [
        Replace(ALPHA, "satisfaction: 90", "satisfacton: 90"),
        Replace(ALPHA, "{ category: air,", "{ category: risks,"),
    ];
    every_parse_error_in_one_results_file: Tiny [
        Replace(ALPHA, "  air_days: 95\n", "  air_days: 95%\n"),
        Replace(ALPHA, "  pm: 36\n", "  pm: 36\n  pm: 37\n"),
        Replace(ALPHA, "reason: 督察整改任务逾期 }", "reason: 督察整改任务逾期, colour: red }"),
        Replace(ALPHA, "satisfaction: 90\n", "satisfaction: \"90\"\ndowngrade:\n  - { kind: rectification_overdu, reason: 逾期 }\nveto:\n  - { date: 2023/7/12, event: 事件 }\n"),
    ];
    misspelt_key_beside_the_right_one: Tiny [Replace(ALPHA, "satisfaction: 90\n", "satisfaction: 90\nsatisfacton: 91\n")];
    two_errors_in_regions: Tiny [
        Replace(REGIONS, "kind: committee", "kind: comittee"),
        Replace(REGIONS, "id: beta", "id: Beta"),
    ];
    two_errors_in_indicators: Tiny [
        Replace(INDICATORS, "    better: lower\n", "    better: lowr\n"),
        Replace(INDICATORS, "range: [0, 500]", "range: [500, 0]"),
    ];
    two_errors_in_rules: Tiny [
        Replace(RULES, "method: proportional", "method: proportionate"),
        Replace(RULES, "bonus_cap: 3", "bonus_cap: 3\nbonus_limit: 3"),
        Replace(RULES, "pass: 60", "pass: 0"),
    ];
    two_errors_in_site: Tiny [
        Replace("site.yaml", "title: 测试站点", "titel: 测试站点"),
        Replace("site.yaml", "base_url: https://example.test/tiny/", "base_url: example.test/tiny"),
    ];
    two_errors_in_bulletin_front_matter: Tiny [
        Replace(BULLETIN, "status: published", "status: publish"),
        Replace(BULLETIN, "date: 2024-04-28", "date: 2024/4/28"),
    ];
    a_wrong_region_code_and_a_wrong_result: Tiny [
        Replace(REGIONS, "code: \"220100\"", "code: \"2201\""),
        Replace(ALPHA, "satisfaction: 90", "satisfaction: 190"),
    ];
    // warnings: reported, but check passes
    veto_date_outside_the_year: Tiny [Replace(ALPHA, "satisfaction: 90\n", "satisfaction: 90\nveto:\n  - { date: 2022-12-30, event: 特别重大突发环境事件 }\n")];
    target_unchanged_for_five_years: Sample [Replace(
        "data/2021/targets.yaml",
        "changbaishan: { good_air_days: 98.5, pm25: 15,",
        "changbaishan: { good_air_days: 98.5, pm25: 14,",
    )];
    results_identical_to_last_year: Sample [
        Copy("data/2022/results/tonghua.yaml", "data/2023/results/tonghua.yaml"),
        Replace("data/2023/results/tonghua.yaml", "year: 2022", "year: 2023"),
    ];
}

#[test]
fn corpus_is_large_enough() {
    assert!(CORPUS.len() >= 40, "{} cases", CORPUS.len());
}

/// `build` runs the same checks first: on every corpus case with an error
/// it writes nothing, and the output folder is not even created.
#[test]
fn build_refuses_every_corpus_error() {
    for (name, base, edits) in CORPUS {
        let dir = project(base());
        apply(dir.path(), edits);
        let check = Test::new().root(dir.path()).arg("check").run();
        let out = tempfile::tempdir().unwrap();
        let public = out.path().join("public");
        let build = Test::new()
            .root(dir.path())
            .arg("build")
            .arg("--out")
            .arg(&public)
            .run();
        assert_eq!(
            build.status, check.status,
            "{name}: build and check disagree\n{}",
            build.stderr
        );
        if check.status != 0 {
            assert!(!public.exists(), "{name}: a failed build wrote {public:?}");
            assert!(
                build.stderr.contains("build failed: nothing was written"),
                "{name}: {}",
                build.stderr
            );
        }
    }
}

/// `86.2999999999999999` read through a float is 86.3, whose satisfaction
/// section (× 15 ÷ 100 = 12.945) rounds up; read as written it rounds down.
#[test]
fn figures_are_read_from_their_digits() {
    let dir = tiny_project();
    common::edit(
        dir.path(),
        ALPHA,
        "satisfaction: 90",
        "satisfaction: 86.2999999999999999",
    );
    let scores = Test::new()
        .root(dir.path())
        .args(["scores", "--year", "2023", "--format", "json"])
        .run()
        .success()
        .json();
    let alpha = scores["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "alpha")
        .unwrap();
    assert_eq!(alpha["sections"]["satisfaction"], "12.94", "{alpha}");
}

/// The arithmetic that overflowed (exit 101) is a located error in every
/// command that scores.
#[test]
fn a_figure_that_cannot_be_computed_stops_every_command_with_its_place() {
    let dir = tiny_project();
    common::edit(
        dir.path(),
        RULES,
        "deduct: 2, per: 1,",
        "deduct: 2, per: 0.0000000000000000000000000001,",
    );
    let out = tempfile::tempdir().unwrap();
    for args in [
        vec!["check".to_string()],
        vec!["scores".into(), "--year".into(), "2023".into()],
        vec![
            "build".into(),
            "--out".into(),
            out.path().join("public").display().to_string(),
        ],
    ] {
        Test::new()
            .root(dir.path())
            .args(&args)
            .run()
            .failure()
            .stderr_contains("data/2023/rules.yaml:4:")
            .stderr_contains("is too small to score `air_days`");
    }
    assert!(!out.path().join("public").exists());
}

#[test]
fn an_archive_date_before_the_bulletin_is_refused() {
    let dir = tiny_project();
    let output = Test::new()
        .root(dir.path())
        .args(["archive", "--year", "2023", "--date", "1999-01-01"])
        .run();
    insta::assert_snapshot!(
        "archive_date_before_the_bulletin",
        report(dir.path(), &output)
    );
    assert!(!dir.path().join("archive").exists());
    // The bulletin's own date, or a later one, is accepted.
    Test::new()
        .root(dir.path())
        .args(["archive", "--year", "2023", "--date", "2024-04-28"])
        .run()
        .success();
}

/// Broken links written in a bulletin, a narrative and a page are reported
/// in the Markdown file at the line that writes them; one the theme makes
/// stays at the page.
#[test]
fn broken_links_are_reported_where_the_markdown_writes_them() {
    let dir = tiny_project();
    common::append(
        dir.path(),
        BULLETIN,
        "\n详见[细则](../rules/)和[说明](说明/)。\n",
    );
    let regions = dir.path().join("content/2023/regions");
    fs::create_dir_all(&regions).unwrap();
    fs::write(
        regions.join("alpha.md"),
        "甲市的说明。\n\n[返回](../../nowhere/)\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("content/pages")).unwrap();
    fs::write(
        dir.path().join("content/pages/about.md"),
        "---\ntitle: 关于\n---\n\n正文[坏链](../../x.html#y)\n",
    )
    .unwrap();
    let output = Test::new()
        .root(dir.path())
        .args(["check", "--links"])
        .run();
    insta::assert_snapshot!("broken_links_in_markdown", report(dir.path(), &output));
    let out = tempfile::tempdir().unwrap();
    let build = Test::new()
        .root(dir.path())
        .arg("build")
        .arg("--out")
        .arg(out.path().join("public"))
        .run()
        .failure();
    for place in [
        "content/2023/bulletin.md:11:",
        "content/2023/regions/alpha.md:3:",
        "content/pages/about.md:5:",
    ] {
        assert!(build.stderr.contains(place), "{place}:\n{}", build.stderr);
    }
    assert!(!build.stderr.contains("index.html:"), "{}", build.stderr);
}

/// The case of the report: a broken link in the sample's bulletin.
#[test]
fn a_broken_link_in_the_sample_bulletin_is_reported_in_its_markdown() {
    let dir = unarchived_sample_project();
    let line = common::edit(
        dir.path(),
        "content/2024/bulletin.md",
        "## 三、",
        "见[附件](attachments/2024.pdf)。\n\n## 三、",
    );
    let output = Test::new()
        .root(dir.path())
        .args(["check", "--links"])
        .run()
        .failure();
    let place = format!("content/2024/bulletin.md:{line}:");
    assert!(
        output.stderr.contains(&place),
        "{place}:\n{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("broken link `attachments/2024.pdf`"),
        "{}",
        output.stderr
    );
    assert!(
        !output.stderr.contains("bulletin/index.html:"),
        "{}",
        output.stderr
    );
}

// ---------------------------------------------------------------------------
// hostile and broken files: a clear error or correct handling, never a panic

/// A run that ended with a diagnosis (exit 1), not a crash (101) or a signal.
fn diagnosed(root: &Path) -> Output {
    Test::new().root(root).arg("check").run().failure()
}

#[test]
fn bom_and_crlf_are_accepted() {
    let plain = tiny_project();
    let windows = tiny_project();
    for (path, bytes) in read_tree(windows.path()) {
        if !(path.ends_with(".yaml") || path.ends_with(".md")) {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(text.as_bytes());
        fs::write(windows.path().join(&path), with_bom).unwrap();
    }
    let scores = |root: &Path| {
        Test::new()
            .root(root)
            .args(["scores", "--year", "2023", "--format", "json"])
            .run()
            .success()
            .stdout
    };
    assert_eq!(scores(windows.path()), scores(plain.path()));
    Test::new()
        .root(windows.path())
        .arg("check")
        .run()
        .success();
}

#[test]
fn a_50_mb_file_is_refused_before_it_is_read() {
    let dir = tiny_project();
    let mut text = fs::read_to_string(dir.path().join(ALPHA)).unwrap();
    let padding = format!("# {}\n", "x".repeat(1022));
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&padding);
    }
    fs::write(dir.path().join(ALPHA), text).unwrap();
    diagnosed(dir.path())
        .stderr_contains("data/2023/results/alpha.yaml: this file is 52")
        .stderr_contains("input files may be at most");
}

#[test]
fn yaml_alias_bombs_are_refused() {
    // The classic "billion laughs": nine levels of nine aliases each.
    let dir = tiny_project();
    let mut bomb = String::from("internal:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "  {name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"
        ));
    }
    fs::write(dir.path().join(ALPHA), bomb).unwrap();
    diagnosed(dir.path()).stderr_contains("data/2023/results/alpha.yaml:2:");
    // Many aliases of a value the schema accepts: stopped by the parser budget.
    let dir = tiny_project();
    let aliases = vec!["*t"; 100_000].join(", ");
    common::edit(
        dir.path(),
        ALPHA,
        "tasks:\n",
        &format!("tasks: [&t {{ category: air, deduct: 0, reason: x }}, {aliases}]\nold_tasks:\n"),
    );
    diagnosed(dir.path())
        .stderr_contains("data/2023/results/alpha.yaml:7:")
        .stderr_contains("too large or too complex to be a data file")
        .stderr_contains("need no anchors");
}

#[test]
fn deeply_nested_yaml_is_refused() {
    let dir = tiny_project();
    let flow = format!(
        "internal: {}{}\n",
        "{k: ".repeat(100_000),
        "}".repeat(100_000)
    );
    fs::write(dir.path().join(ALPHA), flow).unwrap();
    let mut block = String::from("internal:\n");
    for depth in 1..3_000 {
        block.push_str(&format!("{}k:\n", " ".repeat(depth)));
    }
    fs::write(dir.path().join("data/2023/results/beta.yaml"), block).unwrap();
    let output = diagnosed(dir.path());
    for located in [
        "data/2023/results/alpha.yaml:1:15: expected text here",
        // Inside `internal:`: located, never excerpted.
        "data/2023/results/beta.yaml:3:3: expected text here",
    ] {
        assert!(
            output.stderr.contains(located),
            "{located} not reported:\n{}",
            output.stderr
        );
    }
}

#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = tiny_project();
    let fifo = dir.path().join(ALPHA);
    fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let missing = (!made.is_ok_and(|s| s.success())).then(|| "cannot make a FIFO".to_string());
    if !require_tool("mkfifo", missing) {
        return;
    }
    diagnosed(dir.path()).stderr_contains(
        "data/2023/results/alpha.yaml: expected a file, found a folder or a special file",
    );
}

#[test]
fn a_missing_project_folder_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = diagnosed(&dir.path().join("nowhere"))
        .stderr_contains("the project folder does not exist or is not a folder")
        .stderr_contains("--root");
    assert!(
        output.stderr.contains("1 error and 0 warnings"),
        "{}",
        output.stderr
    );
}

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn symlink_loops_in_content_are_reported() {
        let dir = tiny_project();
        let regions = dir.path().join("content/2023/regions");
        fs::create_dir_all(&regions).unwrap();
        symlink("alpha.md", regions.join("alpha.md")).unwrap();
        symlink("b", regions.join("a")).unwrap();
        symlink("a", regions.join("b")).unwrap();
        symlink("..", dir.path().join("content/2023/regions/up")).unwrap();
        let output = diagnosed(dir.path());
        for file in ["alpha.md", "a", "b"] {
            let needle = format!("content/2023/regions/{file}: cannot open this");
            assert!(
                output.stderr.contains(&needle),
                "{needle}:\n{}",
                output.stderr
            );
        }
        // A link back up the tree is a folder where a narrative belongs, not a walk forever.
        assert!(
            output
                .stderr
                .contains("content/2023/regions/up: unexpected file or folder"),
            "{}",
            output.stderr
        );
    }

    #[test]
    fn links_leaving_the_project_are_refused_and_nothing_is_published() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(
            outside.path().join("secret.md"),
            "---\ntitle: 内部\n---\nCANARY-OUTSIDE\n",
        )
        .unwrap();
        fs::create_dir_all(outside.path().join("regions")).unwrap();
        fs::write(
            outside.path().join("regions/alpha.md"),
            "CANARY-OUTSIDE-DIR\n",
        )
        .unwrap();
        let dir = tiny_project();
        fs::create_dir_all(dir.path().join("content/pages")).unwrap();
        symlink(
            outside.path().join("secret.md"),
            dir.path().join("content/pages/leak.md"),
        )
        .unwrap();
        symlink(
            outside.path().join("regions"),
            dir.path().join("content/2023/regions"),
        )
        .unwrap();
        let output = diagnosed(dir.path());
        for file in ["content/pages/leak.md", "content/2023/regions"] {
            let needle = format!("{file}: this is a link to ");
            assert!(
                output.stderr.contains(&needle),
                "{needle}:\n{}",
                output.stderr
            );
        }
        assert!(output.stderr.contains("outside the project folder"));
        let out = tempfile::tempdir().unwrap();
        let public = out.path().join("public");
        Test::new()
            .root(dir.path())
            .arg("build")
            .arg("--out")
            .arg(&public)
            .run()
            .failure();
        assert!(!public.exists());
    }

    #[test]
    fn a_dangling_link_is_reported() {
        let dir = tiny_project();
        fs::remove_file(dir.path().join(ALPHA)).unwrap();
        symlink("gone.yaml", dir.path().join(ALPHA)).unwrap();
        diagnosed(dir.path()).stderr_contains(
            "data/2023/results/alpha.yaml: this is a symbolic link to something that does not exist",
        );
    }

    #[test]
    fn links_inside_the_project_are_followed() {
        let dir = tiny_project();
        fs::create_dir_all(dir.path().join("shared")).unwrap();
        fs::rename(
            dir.path().join("site.yaml"),
            dir.path().join("shared/site.yaml"),
        )
        .unwrap();
        symlink("shared/site.yaml", dir.path().join("site.yaml")).unwrap();
        Test::new().root(dir.path()).arg("check").run().success();
    }
}

// ---------------------------------------------------------------------------
// nothing unsafe is published

fn build_tiny(dir: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    Test::new()
        .root(dir)
        .arg("build")
        .arg("--out")
        .arg(&public)
        .run()
        .success();
    (out, public)
}

#[test]
fn a_unit_named_script_shows_as_text() {
    let dir = tiny_project();
    common::edit(
        dir.path(),
        REGIONS,
        "name: 甲市",
        "name: \"<script>alert(1)</script>甲市\"",
    );
    let (_out, public) = build_tiny(dir.path());
    let tree = read_tree(&public);
    let mut shown = 0;
    for (path, bytes) in &tree {
        let markup = [".html", ".xml", ".svg"].iter().any(|e| path.ends_with(e));
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !(markup && text.contains("<script>alert(1)")),
            "{path} carries the unit name as markup"
        );
        if path.ends_with(".html") && text.contains("&lt;script&gt;alert(1)") {
            shown += 1;
        }
    }
    assert!(
        shown >= 3,
        "the name is shown, escaped, on the pages ({shown})"
    );
}

#[test]
fn ordinary_markdown_renders_fully() {
    let dir = tiny_project();
    let regions = dir.path().join("content/2023/regions");
    fs::create_dir_all(&regions).unwrap();
    fs::write(
        regions.join("alpha.md"),
        "## 工作亮点\n\n- 第一项\n- 第二项\n\n1. 甲\n2. 乙\n\n这是*强调*和**重点**，详见[生态环境部](https://www.mee.gov.cn/)。\n\n| 指标 | 数值 |\n|---|---|\n| 优良天数 | 95 |\n\n> 引用\n",
    )
    .unwrap();
    let (_out, public) = build_tiny(dir.path());
    let page = read(&public, "2023/regions/alpha/index.html");
    for expected in [
        "<h2>工作亮点</h2>",
        "<ul>",
        "<li>第一项</li>",
        "<ol>",
        "<em>强调</em>",
        "<strong>重点</strong>",
        "href=\"https://www.mee.gov.cn/\"",
        "<table>",
        "<th>指标</th>",
        "<td>95</td>",
        "<blockquote>",
    ] {
        assert!(
            page.contains(expected),
            "{expected} missing from the narrative:\n{page}"
        );
    }
}

#[test]
fn raw_html_in_a_bulletin_is_sanitized() {
    let dir = tiny_project();
    fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join(BULLETIN))
        .and_then(|mut f| {
            use std::io::Write;
            f.write_all(
                "\n\n正文<script>alert(1)</script>\n\n<img src=https://www.mee.gov.cn/x.png onerror=alert(1)>\n\n<a href=\"javascript:alert(1)\" onclick=\"alert(1)\">链接</a>\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n<svg onload=alert(1)></svg>\n\n<p style=\"x\" onmouseover=\"alert(1)\">段落</p>\n\n[普通链接](https://www.mee.gov.cn/)\n"
                    .as_bytes(),
            )
        })
        .unwrap();
    let (_out, public) = build_tiny(dir.path());
    let page = read(&public, "2023/bulletin/index.html");
    assert!(
        page.contains("段落") && page.contains("链接"),
        "text kept:\n{page}"
    );
    assert!(page.contains("href=\"https://www.mee.gov.cn/\""), "{page}");
    let lower = page.to_ascii_lowercase();
    for banned in [
        "<script>alert",
        "onerror",
        "onclick",
        "onload",
        "onmouseover",
        "javascript:",
        "<iframe",
        "evil.example",
    ] {
        assert!(
            !lower.contains(banned),
            "{banned} reached the bulletin page"
        );
    }
}

// ---------------------------------------------------------------------------
// the loader never panics, whatever the bytes

mod loader_properties {
    use super::*;
    use ecoscore::load::raw::{
        RawBulletinMeta, RawIndicators, RawRegions, RawResults, RawRules, RawSite, RawTargets,
    };
    use ecoscore::load::{decode, yaml};
    use proptest::prelude::*;
    use std::sync::Arc;

    fn parse_all(text: &str) {
        let file = Path::new("fuzz.yaml");
        let text: Arc<str> = Arc::from(text);
        let _ = yaml::parse::<RawSite>(file, &text);
        let _ = yaml::parse::<RawRegions>(file, &text);
        let _ = yaml::parse::<RawIndicators>(file, &text);
        let _ = yaml::parse::<RawRules>(file, &text);
        let _ = yaml::parse::<RawTargets>(file, &text);
        let _ = yaml::parse::<RawResults>(file, &text);
        let _ = yaml::parse::<RawBulletinMeta>(file, &text);
    }

    /// Text built from the pieces real data files are made of.
    fn yaml_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\n".to_string()),
            Just("  ".to_string()),
            Just("- ".to_string()),
            Just(": ".to_string()),
            Just("{ ".to_string()),
            Just(" }".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(", ".to_string()),
            Just("&a ".to_string()),
            Just("*a".to_string()),
            Just("\"".to_string()),
            Just("#".to_string()),
            Just("---\n".to_string()),
            Just("n/a".to_string()),
            Just(".nan".to_string()),
            Just("\t".to_string()),
            Just("\u{FEFF}".to_string()),
            prop::sample::select(vec![
                "region",
                "year",
                "indicators",
                "tasks",
                "funds",
                "satisfaction",
                "bonus",
                "veto",
                "downgrade",
                "internal",
                "value",
                "source",
                "national",
                "category",
                "deduct",
                "reason",
                "points",
                "date",
                "event",
                "kind",
                "sections",
                "grades",
                "bonus_cap",
                "default",
                "regions",
                "id",
                "name",
                "range",
                "method",
                "per",
            ])
            .prop_map(str::to_string),
            "-?[0-9]{1,20}(\\.[0-9]{1,20})?(e[0-9]{1,3})?",
            "[a-z_]{1,8}",
            "[\\u{4e00}-\\u{9fa5}]{1,4}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        ];
        prop::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            if let Ok(text) = decode(Path::new("fuzz.yaml"), bytes) {
                parse_all(&text);
            }
        }

        #[test]
        fn yaml_like_text_never_panics(text in yaml_like()) {
            parse_all(&text);
        }
    }

    /// Problems that can be written into the tiny project's alpha.yaml, each
    /// on its own line and none changing the line count: (line, from, to).
    const CORRUPTIONS: [(usize, &str, &str); 9] = [
        (4, "  air_days: 95\n", "  air_days: 95%\n"),
        (5, "  pm: 36\n", "  pm: \"36\"\n"),
        (6, "  forest: 41\n", "  forest: 41 公顷\n"),
        (
            8,
            "reason: 督察整改任务逾期 }",
            "reason: 督察整改任务逾期, colour: red }",
        ),
        (
            9,
            "{ category: air, deduct: 1.5,",
            "{ category: air, dedcut: 1.5,",
        ),
        (11, "{ deduct: 0.5,", "{ deduct: .nan,"),
        (12, "satisfaction: 90", "satisfacton: 90"),
        (14, "{ points: 1, reason", "{ points: 1e300, reason"),
        (15, "reason: 无废城市 }", "reason: 无废城市, reason: 重复 }"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any mix of these problems in one file is reported in one run, each
        /// at its own line, and nothing is reported at a line left alone.
        #[test]
        fn every_problem_of_a_file_is_reported_at_its_line(chosen in prop::sample::subsequence(CORRUPTIONS.to_vec(), 1..=CORRUPTIONS.len())) {
            let dir = tiny_project();
            for (_, from, to) in &chosen {
                common::edit(dir.path(), ALPHA, from, to);
            }
            let diags = match ecoscore::Project::load(dir.path()) {
                Ok(_) => panic!("{chosen:?} passed"),
                Err(diags) => diags,
            };
            let lines: std::collections::BTreeSet<usize> = diags
                .iter()
                .filter(|d| d.is_error() && d.file == Path::new(ALPHA))
                .map(|d| d.pos.line)
                .collect();
            let expected: std::collections::BTreeSet<usize> = chosen.iter().map(|(line, _, _)| *line).collect();
            prop_assert_eq!(lines, expected, "{:?}", diags.iter().map(ToString::to_string).collect::<Vec<_>>());
        }

        /// Any figures, of any number of digits and places, in the rules,
        /// the targets and the results: the pipeline ends with a project or
        /// with diagnostics, never a panic.
        #[test]
        fn any_figures_never_panic(
            figures in prop::collection::vec("-?[0-9]{1,15}(\\.[0-9]{1,30})?(e-?[0-9]{1,2})?", 6),
        ) {
            let dir = tiny_project();
            common::edit(dir.path(), RULES, "deduct: 2, per: 1,", &format!("deduct: {}, per: {},", figures[0], figures[1]));
            common::edit(dir.path(), TARGETS, "  pm: 30\n", &format!("  pm: {}\n", figures[2]));
            common::edit(dir.path(), TARGETS, "  air_days: 90\n", &format!("  air_days: {}\n", figures[3]));
            common::edit(dir.path(), ALPHA, "  pm: 36\n", &format!("  pm: {}\n", figures[4]));
            common::edit(dir.path(), ALPHA, "  air_days: 95\n", &format!("  air_days: {}\n", figures[5]));
            if let Ok((project, _)) = ecoscore::Project::load(dir.path()) {
                for year in project.years.values() {
                    let scores = ecoscore::score::score_year(year);
                    prop_assert_eq!(scores.cards.len(), year.units.len());
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The whole pipeline, on the tiny project with one file replaced.
        #[test]
        fn a_project_with_a_random_results_file_never_panics(text in yaml_like()) {
            let dir = tiny_project();
            fs::write(dir.path().join(ALPHA), &text).unwrap();
            let _ = ecoscore::Project::load(dir.path());
        }
    }
}

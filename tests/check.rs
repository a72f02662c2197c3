//! `ecoscore check` as the gate between hand-entered files and the public
//! site: a corpus of bad inputs, each with a snapshot of its exact
//! diagnostic (so a worse message is a failing test), hostile files that
//! must be survived, and what must never be published.

mod common;

use std::fs;
use std::path::Path;

use common::*;

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

fn project(base: Base) -> tempfile::TempDir {
    match base {
        Base::Tiny => tiny_project(),
        Base::Sample => sample_project(),
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
    bulletin_undefined_variable: Tiny [Replace(BULLETIN, "共{{ units | length }}个地区", "共{{ unit | length }}个地区")];
    bulletin_undefined_field: Tiny [Replace(BULLETIN, "优秀{{ grade_counts.excellent }}个", "优秀{{ grade_counts.excelent }}个")];
    bulletin_template_syntax: Tiny [Replace(BULLETIN, "共{{ units | length }}个地区", "共{{ units | length }个地区")];
    theme_template_undefined_variable: Tiny [Replace("themes/default/templates/404.html", "{% block main %}", "{% block main %}{{ page_title }}")];
    // encodings and site settings
    invalid_utf8: Tiny [Write(ALPHA, b"region: alpha\nyear: 2023\nindicators:\n  air_days: 95\n  pm: 36 # \xce\xa2\xb8\xf1\n")];
    base_url_not_absolute: Tiny [Replace("site.yaml", "base_url: https://example.test/tiny/", "base_url: example.test/tiny")];
    unknown_theme: Tiny [Replace("site.yaml", "theme: default", "theme: fancy")];
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

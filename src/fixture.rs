//! Synthetic projects of any size, for benchmarks and scale tests.
//!
//! `write_fixture` writes a valid project of `units` × `years` with the
//! variety real data has: every scoring method, n/a targets and values,
//! national-source values, task and funds deductions with reasons, bonuses
//! over the cap, vetoes, downgrades, binding misses, internal notes, ties and
//! narratives. The same options always give the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

#[derive(Debug, Clone, Copy)]
pub struct FixtureOptions {
    pub units: usize,
    pub years: usize,
    pub seed: u64,
    pub first_year: u16,
}

/// SplitMix64: small, fast and reproducible across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// (id, default target, higher is better, typical spread, lowest, highest)
const INDICATORS: [(&str, f64, bool, f64, f64, f64); 20] = [
    ("good_air_days", 88.5, true, 4.0, 0.0, 100.0),
    ("pm25", 31.0, false, 3.0, 0.0, 500.0),
    ("heavy_pollution_days", 1.0, false, 0.8, 0.0, 100.0),
    ("surface_water_good", 80.0, true, 8.0, 0.0, 100.0),
    ("surface_water_inferior", 0.0, false, 2.0, 0.0, 100.0),
    ("groundwater_class_v", 25.0, false, 6.0, 0.0, 100.0),
    ("drinking_water", 100.0, true, 1.0, 0.0, 100.0),
    ("co2_intensity_reduction", 3.8, true, 1.5, -100.0, 100.0),
    ("energy_intensity_reduction", 2.8, true, 1.2, -100.0, 100.0),
    ("non_fossil_share", 14.0, true, 4.0, 0.0, 100.0),
    ("nox_reduction", 100.0, true, 8.0, 0.0, 200.0),
    ("voc_reduction", 100.0, true, 8.0, 0.0, 200.0),
    ("cod_reduction", 100.0, true, 8.0, 0.0, 200.0),
    ("ammonia_reduction", 100.0, true, 8.0, 0.0, 200.0),
    ("rural_sewage", 35.0, true, 8.0, 0.0, 100.0),
    ("farmland_safe_use", 94.0, true, 3.0, 0.0, 100.0),
    ("contaminated_land_safe_use", 95.0, true, 4.0, 0.0, 100.0),
    ("eqi", 60.0, true, 6.0, 0.0, 100.0),
    ("forest_coverage", 45.4, true, 10.0, 0.0, 100.0),
    ("redline_rectification", 100.0, true, 8.0, 0.0, 100.0),
];

const TASKS: [(&str, &str); 7] = [
    ("inspection_rectification", "督察反馈问题整改未按期销号"),
    ("air", "秸秆露天焚烧火点超过控制目标"),
    ("water", "城市建成区黑臭水体出现返黑返臭"),
    ("soil", "土壤污染重点监管单位隐患排查不到位"),
    ("ecology", "自然保护区人类活动问题整改滞后"),
    ("risk", "突发环境事件应急预案未按期修订"),
    ("reform", "排污许可证后监管检查未完成"),
];

const FIRST: [&str; 16] = [
    "东", "西", "南", "北", "青", "白", "龙", "松", "桦", "柳", "梅", "榆", "安", "平", "临", "长",
];
const SECOND: [&str; 16] = [
    "山", "河", "源", "阳", "林", "江", "原", "岭", "泉", "川", "湖", "城", "宁", "丰", "兴", "安",
];
const SUFFIX: [&str; 3] = ["市", "县", "区"];

fn unit_name(index: usize) -> String {
    let (a, b, c) = (index % 16, (index / 16) % 16, (index / 256) % 3);
    let base = format!("{}{}{}", FIRST[a], SECOND[b], SUFFIX[c]);
    if index < 16 * 16 * 3 {
        base
    } else {
        format!("{base}{}", index / 768 + 1)
    }
}

/// One decimal place, clamped into the indicator's range.
fn figure(value: f64, low: f64, high: f64) -> String {
    format!("{:.1}", value.clamp(low, high))
}

fn write(dir: &Path, relative: &str, text: &str) -> io::Result<()> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text)
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    let mut entries: Vec<_> = fs::read_dir(from)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Write a project into `dir` (created if needed), with the theme copied from `theme`.
pub fn write_fixture(dir: &Path, theme: &Path, options: FixtureOptions) -> io::Result<()> {
    let mut rng = Rng(options.seed);
    let FixtureOptions {
        units,
        years,
        first_year,
        ..
    } = options;
    write(
        dir,
        "site.yaml",
        &format!(
            "# 示例数据：由 ecoscore fixture 生成（{units} 个单位 × {years} 个年度，seed {}）\n\
             title: 生态环境保护目标责任制考核结果（合成示例）\n\
             publisher: 示例生态环境厅\n\
             base_url: https://example.gov.cn/kaohe/\n\
             site_id_code: \"0000000000\"\n\
             sample_data: true\n\
             briefing:\n  recipients: [示例纪委监委, 示例组织部]\n",
            options.seed
        ),
    )?;
    copy_tree(theme, &dir.join("themes/default"))?;
    write(
        dir,
        "data/indicators.yaml",
        include_str!("../data/indicators.yaml"),
    )?;

    let mut regions = String::from("regions:\n");
    for i in 0..units {
        let kind = match i % 10 {
            8 => "committee",
            9 => "pilot_city",
            _ => "city",
        };
        writeln!(
            regions,
            "  - {{ id: u{:05}, name: {}, kind: {kind} }}",
            i + 1,
            unit_name(i)
        )
        .ok();
    }
    write(dir, "data/regions.yaml", &regions)?;

    // Per-unit targets stay the same shape across years, drifting a little.
    let own_targets: Vec<Vec<Option<f64>>> = (0..units)
        .map(|_| {
            INDICATORS
                .iter()
                .map(|&(id, target, _, spread, low, high)| {
                    let not_applicable = matches!(
                        id,
                        "rural_sewage" | "groundwater_class_v" | "farmland_safe_use"
                    ) && rng.chance(0.05);
                    if not_applicable {
                        None
                    } else if matches!(
                        id,
                        "good_air_days" | "pm25" | "surface_water_good" | "eqi" | "forest_coverage"
                    ) {
                        Some((target + (rng.unit() - 0.5) * spread * 2.0).clamp(low, high))
                    } else {
                        Some(target)
                    }
                })
                .collect()
        })
        .collect();

    let rules_template = include_str!("../data/2023/rules.yaml");
    for k in 0..years {
        let year = first_year + k as u16;
        write(
            dir,
            &format!("data/{year}/rules.yaml"),
            &rules_template.replace("year: 2023", &format!("year: {year}")),
        )?;

        let mut targets = format!("year: {year}\ndefault:\n");
        for (id, target, ..) in INDICATORS {
            writeln!(targets, "  {id}: {target}").ok();
        }
        targets.push_str("regions:\n");
        for (i, row) in own_targets.iter().enumerate() {
            let mut fields = Vec::new();
            for (j, &(id, default, higher, _, low, high)) in INDICATORS.iter().enumerate() {
                match row[j] {
                    None => fields.push(format!("{id}: n/a")),
                    Some(t) if t != default => {
                        let drift = if higher { 0.2 } else { -0.2 } * k as f64;
                        fields.push(format!("{id}: {}", figure(t + drift, low, high)));
                    }
                    Some(_) => {}
                }
            }
            if !fields.is_empty() {
                writeln!(targets, "  u{:05}: {{ {} }}", i + 1, fields.join(", ")).ok();
            }
        }
        write(dir, &format!("data/{year}/targets.yaml"), &targets)?;

        for (i, row) in own_targets.iter().enumerate() {
            let id = format!("u{:05}", i + 1);
            let mut text = format!("region: {id}\nyear: {year}\nindicators:\n");
            for (j, &(indicator, default, higher, spread, low, high)) in
                INDICATORS.iter().enumerate()
            {
                let target = row[j].unwrap_or(default);
                let good_side = if rng.chance(0.9) { 1.0 } else { -1.0 };
                let direction = if higher { good_side } else { -good_side };
                let value = figure(target + direction * rng.unit() * spread * 0.6, low, high);
                if rng.chance(0.01) {
                    writeln!(text, "  {indicator}: n/a").ok();
                } else if rng.chance(0.08) {
                    writeln!(
                        text,
                        "  {indicator}: {{ value: {value}, source: national }}"
                    )
                    .ok();
                } else {
                    writeln!(text, "  {indicator}: {value}").ok();
                }
            }
            text.push_str("tasks:\n");
            for _ in 0..rng.below(4) {
                let (category, reason) = TASKS[rng.below(TASKS.len())];
                writeln!(
                    text,
                    "  - {{ category: {category}, deduct: {}, reason: {reason} }}",
                    [0.5, 1.0, 1.5, 2.0][rng.below(4)]
                )
                .ok();
            }
            text.push_str("funds:\n");
            if rng.chance(0.4) {
                writeln!(
                    text,
                    "  - {{ deduct: {}, reason: 生态环境保护专项资金支出进度滞后 }}",
                    [0.5, 1.0][rng.below(2)]
                )
                .ok();
            }
            writeln!(text, "satisfaction: {:.1}", 75.0 + rng.unit() * 20.0).ok();
            text.push_str("bonus:\n");
            let bonuses = if rng.chance(0.02) { 3 } else { rng.below(2) };
            for b in 0..bonuses {
                writeln!(
                    text,
                    "  - {{ points: {}, reason: 示范创建第{}项获国家表彰 }}",
                    [1.0, 2.0, 2.5][rng.below(3)],
                    b + 1
                )
                .ok();
            }
            if rng.chance(0.004) {
                writeln!(
                    text,
                    "veto:\n  - {{ date: {year}-07-12, event: 特别重大突发环境事件 }}"
                )
                .ok();
            }
            if rng.chance(0.02) {
                writeln!(text, "downgrade:\n  - {{ kind: rectification_overdue, reason: 督察整改任务未按期完成 }}").ok();
            }
            if rng.chance(0.05) {
                writeln!(text, "internal:\n  notes: 建议约谈该地区政府主要负责人").ok();
            }
            write(dir, &format!("data/{year}/results/{id}.yaml"), &text)?;
            if rng.chance(0.03) {
                write(
                    dir,
                    &format!("content/{year}/regions/{id}.md"),
                    &format!(
                        "{}{}年度生态环境保护工作**总体平稳**，重点任务按计划推进。\n",
                        unit_name(i),
                        year
                    ),
                )?;
            }
        }
        write(
            dir,
            &format!("content/{year}/bulletin.md"),
            &format!(
                "---\ntitle: 关于{year}年度生态环境保护目标责任制考核结果的通报\ndoc_number: 示政函〔{}〕{}号\n\
                 issuer: 示例省人民政府\ndate: {}-04-28\nstatus: published\n---\n\
                 各地区：\n\n经考核，{{{{ grade_counts.excellent }}}}个地区考核结果为优秀，\
                 {{{{ grade_counts.fail }}}}个地区为不合格。\n\n\
                 ## 一、考核结果\n\n{{% for u in units[:10] %}}- 第{{{{ u.rank }}}}名 {{{{ u.name }}}} {{{{ u.total }}}}分 {{{{ u.grade_name }}}}\n{{% endfor %}}\n",
                year + 1,
                10 + k,
                year + 1
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let names: std::collections::BTreeSet<String> = (0..3000).map(unit_name).collect();
        assert_eq!(names.len(), 3000);
    }

    #[test]
    fn same_seed_same_bytes() {
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let options = FixtureOptions {
            units: 5,
            years: 2,
            seed: 7,
            first_year: 2021,
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write_fixture(a.path(), &theme, options).unwrap();
        write_fixture(b.path(), &theme, options).unwrap();
        for file in [
            "data/2022/results/u00003.yaml",
            "data/2021/targets.yaml",
            "data/regions.yaml",
        ] {
            assert_eq!(
                fs::read(a.path().join(file)).unwrap(),
                fs::read(b.path().join(file)).unwrap(),
                "{file}"
            );
        }
    }
}

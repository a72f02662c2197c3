//! Change against the previous year: the year page's 进步排名 and each
//! scorecard's total and rank change equal what `ecoscore scores` prints for
//! the two consecutive years.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::common::*;
use rust_decimal::Decimal;

/// Unit id → (total, rank) from `ecoscore scores --format json`.
fn scores(root: &std::path::Path, year: u16) -> BTreeMap<String, (Decimal, i64)> {
    let output = Test::new()
        .root(root)
        .args(["scores", "--format", "json", "--year", &year.to_string()])
        .run()
        .success();
    output.json()["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                (
                    Decimal::from_str(r["total"].as_str().unwrap()).unwrap(),
                    r["rank"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

fn signed(delta: Decimal) -> String {
    if delta > Decimal::ZERO {
        format!("+{delta:.2}")
    } else {
        format!("{delta:.2}")
    }
}

/// 改善/持平/退步 and the ASCII class the pages mark it with.
fn verdict(delta: Decimal) -> (&'static str, &'static str) {
    match delta.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => ("改善", "improved"),
        std::cmp::Ordering::Equal => ("持平", "unchanged"),
        std::cmp::Ordering::Less => ("退步", "worse"),
    }
}

#[test]
fn improvement_deltas_equal_the_scores_of_consecutive_years() {
    let dir = sample_project();
    let before = scores(dir.path(), 2023);
    let now = scores(dir.path(), 2024);
    let out = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--out"])
        .arg(&out)
        .run()
        .success();
    let page = read(&out, "2024/index.html");
    let table = page.split("id=\"progress-ranking\"").nth(1).unwrap();
    let table = table.split("</table>").next().unwrap();
    // Most improved first, every unit once.
    let mut deltas: Vec<(Decimal, i64)> = now
        .iter()
        .map(|(id, (total, rank))| (*total - before[id].0, *rank))
        .collect();
    deltas.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let rows: Vec<&str> = table.split("<tr><td class=\"num\">").skip(1).collect();
    assert_eq!(rows.len(), now.len());
    for (row, (delta, _)) in rows.iter().zip(&deltas) {
        assert!(
            row.contains(&format!(">{}</span>", signed(*delta))),
            "{row}"
        );
    }
    for (id, (total, rank)) in &now {
        let (old_total, old_rank) = before[id];
        let row = rows
            .iter()
            .find(|r| r.contains(&format!("regions/{id}/index.html")))
            .unwrap();
        assert!(
            row.contains(&format!("第{old_rank}→第{rank}名")),
            "{id}: {row}"
        );
        assert!(row.contains(&format!("{total:.2}")) && row.contains(&format!("{old_total:.2}")));
        let gained = old_rank - rank;
        match gained {
            0 => assert!(!row.contains('↑') && !row.contains('↓'), "{row}"),
            g if g > 0 => assert!(row.contains(&format!("↑{g}")), "{row}"),
            g => assert!(row.contains(&format!("↓{}", -g)), "{row}"),
        }
        let card = read(&out, &format!("2024/regions/{id}/index.html"));
        let delta = *total - old_total;
        let (verdict, class) = verdict(delta);
        let sentence = format!(
            "总分{old_total:.2} → {total:.2}（<span class=\"change-{class}\">{}，{verdict}</span>）；名次第{old_rank} → 第{rank}名。",
            signed(delta)
        );
        assert!(card.contains(&sentence), "{id}: {sentence}");
    }
}

#[test]
fn the_first_year_has_no_comparison() {
    let dir = tiny_project();
    let out = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--out"])
        .arg(&out)
        .run()
        .success();
    assert!(!read(&out, "2023/index.html").contains("进步排名"));
    assert!(!read(&out, "2023/regions/alpha/index.html").contains("change-heading"));
}

#[test]
fn unit_history_pages_show_each_years_change_as_scores_prints_it() {
    let dir = sample_project();
    let out = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(&out)
        .run()
        .success();
    let years: Vec<u16> = (2021..=2025).collect();
    let scored: Vec<_> = years.iter().map(|y| scores(dir.path(), *y)).collect();
    for id in scored[0].keys() {
        let page = read(&out, &format!("regions/{id}/index.html"));
        // Each year's change is a column of its row in the table of years.
        let table = page.split("id=\"years-table\"").nth(1).unwrap();
        let table = table.split("</table>").next().unwrap();
        let rows: Vec<&str> = table.split("<tr><th scope=\"row\"").skip(1).collect();
        assert_eq!(rows.len(), years.len(), "{id}: every year");
        assert!(
            rows[0].contains("<td class=\"num\">—</td>"),
            "{id}: no change in the first year"
        );
        for ((pair, now), row) in years.windows(2).zip(&scored[1..]).zip(&rows[1..]) {
            let (total, rank) = now[id];
            let (old_total, old_rank) = scored[pair[0] as usize - 2021][id];
            let delta = total - old_total;
            let (word, class) = verdict(delta);
            assert!(row.contains(&format!("{}年度</a>", pair[1])), "{row}");
            // The total with its bar (charts/region.rs), then the rank.
            assert!(
                row.contains(&format!(
                    "<td class=\"num total\">{total:.2}<i class=\"g s "
                )) && row.contains(&format!("</i></td><td class=\"num\">{rank} / ")),
                "{row}"
            );
            let expected = format!(
                "<td class=\"num\"><span class=\"change-{class}\">{} {word}</span><span class=\"unit\">名次",
                signed(delta)
            );
            assert!(row.contains(&expected), "{id}: {expected}\n{row}");
            match old_rank - rank {
                0 => assert!(
                    row.contains("名次持平") && !row.contains('↑') && !row.contains('↓'),
                    "{row}"
                ),
                g if g > 0 => assert!(row.contains(&format!("↑{g}")), "{row}"),
                g => assert!(row.contains(&format!("↓{}", -g)), "{row}"),
            }
        }
    }
}

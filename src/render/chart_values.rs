//! Charts as template values, with the `.svg` file each is written to:
//! drawn at once (`chart_values`) or only when a template reads them
//! (`DrawnOnRead`).

use std::collections::BTreeMap;

use minijinja::Value;

use super::charts;
use crate::output::OutputFile;

/// Charts as a template value: `name => {title, desc, href, width, height,
/// svg, table}`, with `svg` and `table` marked safe (built and escaped in
/// `charts`). The default theme shows `href` as an image; `svg` stays for a
/// theme that inlines it.
/// `dir` is the site-relative folder the standalone `.svg` files go to; the
/// files are returned with the value.
pub(super) fn chart_values(
    dir: &str,
    charts: Vec<(&'static str, charts::Chart)>,
) -> (Value, Vec<OutputFile>) {
    let mut values = BTreeMap::new();
    let mut files = Vec::with_capacity(charts.len());
    for (name, chart) in charts {
        let (value, file) = chart_value(dir, chart);
        values.insert(name, value);
        files.push(file);
    }
    (Value::from(values), files)
}

/// One chart's template value and its file.
fn chart_value(dir: &str, chart: charts::Chart) -> (Value, OutputFile) {
    let href = format!("{dir}{}", chart.file);
    let value = minijinja::context! {
        title => chart.title,
        desc => chart.desc,
        href => href.clone(),
        width => chart.width,
        height => chart.height,
        svg => Value::from_safe_string(chart.svg.clone()),
        table => Value::from_safe_string(chart.table),
    };
    (value, OutputFile::new(href, chart.svg))
}

pub(super) type Draw = Box<dyn Fn() -> charts::Chart + Send + Sync>;

/// Charts as `chart_values` gives them, each drawn (and its file written)
/// only when the template reads it: the default scorecard shows its figures
/// as gauges in its tables and reads none, while a theme (or an archived
/// one) that still shows `charts.indicators` gets the SVG as before.
pub(super) struct DrawnOnRead {
    dir: String,
    draw: Vec<(&'static str, Draw)>,
    drawn: std::sync::Mutex<BTreeMap<&'static str, (Value, OutputFile)>>,
}

impl DrawnOnRead {
    pub(super) fn new(dir: String, draw: Vec<(&'static str, Draw)>) -> std::sync::Arc<DrawnOnRead> {
        std::sync::Arc::new(DrawnOnRead {
            dir,
            draw,
            drawn: std::sync::Mutex::default(),
        })
    }

    /// The files of the charts the render read, in name order.
    pub(super) fn files(&self) -> Vec<OutputFile> {
        let drawn = std::mem::take(&mut *self.lock());
        drawn.into_values().map(|(_, file)| file).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, (Value, OutputFile)>> {
        self.drawn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl std::fmt::Debug for DrawnOnRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.draw.iter().map(|(name, _)| *name).collect();
        f.debug_struct("DrawnOnRead")
            .field("dir", &self.dir)
            .field("charts", &names)
            .finish()
    }
}

impl minijinja::value::Object for DrawnOnRead {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Map
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        let (name, draw) = self
            .draw
            .iter()
            .find(|(name, _)| Some(*name) == key.as_str())?;
        let mut drawn = self.lock();
        let (value, _) = drawn
            .entry(name)
            .or_insert_with(|| chart_value(&self.dir, draw()));
        Some(value.clone())
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        let names = self.draw.iter().map(|(name, _)| Value::from(*name));
        minijinja::value::Enumerator::Values(names.collect())
    }
}

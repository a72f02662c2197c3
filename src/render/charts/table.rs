//! The figures of a chart as an HTML table, so nothing is only in a picture.
//! Built from the same values as the chart, in the same order.

use super::canvas::escape_into;

pub enum Cell {
    /// A row header.
    Head(String),
    Text(String),
    /// Right-aligned figures.
    Num(String),
}

pub struct Table {
    caption: String,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(caption: impl Into<String>, columns: &[&str]) -> Table {
        Table {
            caption: caption.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn with_columns(caption: impl Into<String>, columns: Vec<String>) -> Table {
        Table {
            caption: caption.into(),
            columns,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    pub fn to_html(&self) -> String {
        let mut html = String::with_capacity(256 + 64 * self.rows.len());
        html.push_str("<div class=\"table-scroll\"><table class=\"chart-data\"><caption>");
        escape_into(&mut html, &self.caption);
        html.push_str("</caption><thead><tr>");
        for column in &self.columns {
            html.push_str("<th scope=\"col\">");
            escape_into(&mut html, column);
            html.push_str("</th>");
        }
        html.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            html.push_str("<tr>");
            for cell in row {
                let (open, text, close) = match cell {
                    Cell::Head(t) => ("<th scope=\"row\">", t, "</th>"),
                    Cell::Text(t) => ("<td>", t, "</td>"),
                    Cell::Num(t) => ("<td class=\"num\">", t, "</td>"),
                };
                html.push_str(open);
                escape_into(&mut html, text);
                html.push_str(close);
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table></div>");
        html
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_escapes_and_keeps_order() {
        let mut table = Table::new("甲 & 乙", &["单位", "总分"]);
        table.row(vec![Cell::Head("<甲市>".into()), Cell::Num("97.05".into())]);
        table.row(vec![Cell::Head("乙市".into()), Cell::Text("—".into())]);
        let html = table.to_html();
        assert!(html.contains("<caption>甲 &amp; 乙</caption>"));
        assert!(html.contains("<th scope=\"row\">&lt;甲市&gt;</th><td class=\"num\">97.05</td>"));
        assert!(html.find("甲市").unwrap() < html.find("乙市").unwrap());
    }
}

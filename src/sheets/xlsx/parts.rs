//! The package parts around a workbook's sheets: content types,
//! relationships, the fixed style table, the workbook with its print
//! titles, and the document properties, each as rust_xlsxwriter 0.102
//! wrote it for the same workbook (less the theme part).

use std::fmt::Write as _;

use super::{escape_text, Properties, Style, STYLES};

impl Style {
    /// The `<xf>` element, as rust_xlsxwriter writes the same format.
    pub(super) fn xf_xml(self, quoted: bool) -> String {
        // numFmtId, fontId, fillId, borderId, alignment.
        let (num, font, fill, border, align) = match self {
            Style::Title => (0, 1, 0, 0, r#"<alignment vertical="center"/>"#),
            Style::Header => (
                0,
                2,
                2,
                1,
                r#"<alignment horizontal="center" vertical="center" wrapText="1"/>"#,
            ),
            Style::Plain => (
                164,
                3,
                0,
                1,
                r#"<alignment horizontal="right" vertical="center"/>"#,
            ),
            Style::Wrap => (0, 3, 0, 1, r#"<alignment vertical="center" wrapText="1"/>"#),
            Style::Fixed2 => (
                165,
                3,
                0,
                1,
                r#"<alignment horizontal="right" vertical="center"/>"#,
            ),
            Style::Body => (0, 3, 0, 1, r#"<alignment vertical="center"/>"#),
        };
        let mut xml = format!(
            r#"<xf numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0""#
        );
        if quoted {
            xml.push_str(r#" quotePrefix="1""#);
        }
        if num > 0 {
            xml.push_str(r#" applyNumberFormat="1""#);
        }
        xml.push_str(r#" applyFont="1""#);
        if fill > 0 {
            xml.push_str(r#" applyFill="1""#);
        }
        if border > 0 {
            xml.push_str(r#" applyBorder="1""#);
        }
        let _ = write!(xml, r#" applyAlignment="1">{align}</xf>"#);
        xml
    }
}

/// Text as an XML attribute value.
fn attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("&#xA;"),
            _ => out.push(ch),
        }
    }
    out
}

fn data(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    escape_text(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}

/// A sheet name as a formula reference: quoted unless it is all letters,
/// digits, `_` and `.` and does not start with a digit.
fn quoted(name: &str) -> String {
    let bare = name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if bare {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// Each sheet's print titles (its header rows, repeated on every printed
/// page): the sheet's index, its name as a reference and the rows, in
/// Excel's order (by reference).
fn print_titles(names: &[(String, u32)]) -> Vec<(usize, String, u32)> {
    let mut titles: Vec<(usize, String, u32)> = names
        .iter()
        .enumerate()
        .filter(|(_, (_, rows))| *rows > 0)
        .map(|(index, (name, rows))| (index, quoted(name), *rows))
        .collect();
    titles.sort_by_cached_key(|(_, reference, rows)| (reference.to_lowercase(), *rows));
    titles
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const SHEET_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";

pub(super) fn content_types(names: &[(String, u32)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    );
    let _ = write!(
        xml,
        r#"<Override PartName="/xl/styles.xml" ContentType="{SHEET_TYPE}.styles+xml"/><Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>"#
    );
    for index in 1..=names.len() {
        let _ = write!(
            xml,
            r#"<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="{SHEET_TYPE}.worksheet+xml"/>"#
        );
    }
    let _ = write!(
        xml,
        r#"<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET_TYPE}.sharedStrings+xml"/></Types>"#
    );
    xml
}

pub(super) const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

pub(super) fn workbook_rels(names: &[(String, u32)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let n = names.len();
    for index in 1..=n {
        let _ = write!(
            xml,
            r#"<Relationship Id="rId{index}" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet{index}.xml"/>"#
        );
    }
    let _ = write!(
        xml,
        r#"<Relationship Id="rId{}" Type="{DOC_RELS}/styles" Target="styles.xml"/><Relationship Id="rId{}" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        n + 1,
        n + 2
    );
    xml
}

pub(super) fn styles() -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="General"/><numFmt numFmtId="165" formatCode="0.00"/></numFmts><fonts count="4"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="14"/><name val="{font}"/><family val="2"/></font><font><b/><sz val="11"/><name val="{font}"/><family val="2"/></font><font><sz val="11"/><name val="{font}"/><family val="2"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDCE3EA"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"><color rgb="FF9AA4AE"/></left><right style="thin"><color rgb="FF9AA4AE"/></right><top style="thin"><color rgb="FF9AA4AE"/></top><bottom style="thin"><color rgb="FF9AA4AE"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="{count}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
        font = crate::sheets::FONT,
        count = 1 + 2 * STYLES.len(),
    );
    for quoted in [false, true] {
        for style in STYLES {
            xml.push_str(&style.xf_xml(quoted));
        }
    }
    xml.push_str(r#"</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>"#);
    xml
}

pub(super) fn workbook(names: &[(String, u32)]) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>"#
    );
    for (index, (name, _)) in (1..).zip(names) {
        let _ = write!(
            xml,
            r#"<sheet name="{}" sheetId="{index}" r:id="rId{index}"/>"#,
            attribute(name)
        );
    }
    xml.push_str("</sheets><definedNames>");
    for (index, reference, rows) in print_titles(names) {
        let _ = write!(
            xml,
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{}!$1:${rows}</definedName>"#,
            data(&reference)
        );
    }
    xml.push_str(r#"</definedNames><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>"#);
    xml
}

pub(super) fn core(p: &Properties<'_>) -> String {
    let date = format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        p.created.year, p.created.month, p.created.day
    );
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified></cp:coreProperties>"#,
        data(p.title),
        data(p.subject),
        author = data(p.author),
    )
}

pub(super) fn app(names: &[(String, u32)], company: &str) -> String {
    let titles = print_titles(names);
    let mut pairs = format!(
        "<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{}</vt:i4></vt:variant>",
        names.len()
    );
    if !titles.is_empty() {
        let _ = write!(
            pairs,
            "<vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>{}</vt:i4></vt:variant>",
            titles.len()
        );
    }
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="{}" baseType="variant">{pairs}</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{}" baseType="lpstr">"#,
        if titles.is_empty() { 2 } else { 4 },
        names.len() + titles.len()
    );
    for (name, _) in names {
        let _ = write!(xml, "<vt:lpstr>{}</vt:lpstr>", data(name));
    }
    for (_, reference, _) in &titles {
        let _ = write!(xml, "<vt:lpstr>{}!Print_Titles</vt:lpstr>", data(reference));
    }
    let _ = write!(
        xml,
        "</vt:vector></TitlesOfParts><Company>{}</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>",
        data(company)
    );
    xml
}

//! "Download CSV" for every table of results: the file a spreadsheet or a script reads,
//! holding the rows and filters the screen shows. Each table's handler builds a
//! `CsvTable` from the same rows its page renders, and `download` answers it.
//!
//! The file follows RFC 4180: UTF-8, a header row, CRLF line ends, and a cell quoted
//! only when it holds a comma, a quote or a line break (quotes doubled). Cells that a
//! spreadsheet would run as a formula are defused (see `spreadsheet_safe`).

use std::borrow::Cow;

use maud::{html, Markup};
use poem::{
    http::{header, StatusCode},
    Response,
};

use crate::error::{AppError, AppResult};

/// One table: the header, then one row per result, every row as long as the header.
#[derive(Debug, Clone, Default)]
pub struct CsvTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl CsvTable {
    pub fn new<I, S>(header: I) -> CsvTable
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CsvTable {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; cells beyond the header are dropped and missing ones left empty, so
    /// every record has the same number of fields (RFC 4180 §2.4).
    pub fn push<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut row: Vec<String> = cells
            .into_iter()
            .take(self.header.len())
            .map(Into::into)
            .collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> AppResult<Vec<u8>> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for record in std::iter::once(&self.header).chain(&self.rows) {
            writer
                .write_record(
                    record
                        .iter()
                        .map(|cell| spreadsheet_safe(cell).into_owned()),
                )
                .map_err(AppError::internal)?;
        }
        writer
            .into_inner()
            .map_err(|e| AppError::internal(e.into_error()))
    }

    /// The answer to a "Download CSV" link: an attachment named `name.csv`.
    pub fn download(&self, name: &str) -> AppResult<Response> {
        let body = self.to_bytes()?;
        Ok(Response::builder()
            .status(StatusCode::OK)
            .content_type("text/csv; charset=utf-8")
            // As the pages: what it holds follows the catalog and, for the perfect
            // song, a signed-in user's settings, so no shared cache keeps it.
            .header(header::CACHE_CONTROL, "private, no-cache")
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", file_name(name)),
            )
            .body(body))
    }
}

/// A cell that Excel, LibreOffice or Google Sheets would evaluate (it starts with `=`,
/// `+`, `-` or `@`, or with a tab or carriage return that they skip before one) gets a
/// leading apostrophe, which they show as text (OWASP's "CSV injection" advice). A plain
/// number such as a loudness of `-7.5` is left alone: it is not a formula, and an
/// apostrophe would turn it into text.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().map_or(true, |n| !n.is_finite()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A file name from a title: ASCII letters and digits, words joined by hyphens, at most
/// 60 characters ("Compare Beyoncé, Adele" → "compare-beyonc-adele"), never empty. It
/// goes inside a quoted header parameter, so nothing else is allowed through.
pub fn file_name(title: &str) -> String {
    // Transliterated first: "Beyoncé" is "beyonce", not "beyonc".
    let ascii = deunicode::deunicode(title);
    let mut name = String::new();
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if name.len() + word.len() + 1 > 60 {
            break;
        }
        if !name.is_empty() {
            name.push('-');
        }
        name.push_str(&word.to_ascii_lowercase());
    }
    if name.is_empty() {
        name.push_str("results");
    }
    name
}

/// A value as the catalog stores it, every decimal kept (the shortest text that reads
/// back as the same number): a file for analysis carries the dataset's values, and
/// rounding to 4 decimals turned an instrumentalness of 0.000176 into 0.0002.
pub fn exact(value: f64) -> String {
    // `Display` for `f64` writes the shortest round-trip decimal, never an exponent.
    if value == 0.0 {
        "0".to_string()
    } else {
        value.to_string()
    }
}

/// A number as the screen's table would hold it, without its unit: up to `decimals`
/// decimals, trailing zeros dropped ("0.8", "120.05").
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The link under a table. It is a plain link, so it works without JavaScript; htmx
/// leaves it alone (`hx-boost` is not on it) and the browser downloads the file.
pub fn download_link(href: &str, what: &str) -> Markup {
    html! {
        p class="csv-download" {
            // The visible words start the accessible name (WCAG 2.5.3); the rest says
            // which table, for a screen reader listing the page's links.
            a href=(href) download { "Download CSV" span class="visually-hidden" { " of " (what) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_but_numbers_kept() {
        assert_eq!(spreadsheet_safe("=SUM(A1:A9)"), "'=SUM(A1:A9)");
        assert_eq!(spreadsheet_safe("+1 555"), "'+1 555");
        assert_eq!(
            spreadsheet_safe("-cmd|' /C calc'!A0"),
            "'-cmd|' /C calc'!A0"
        );
        assert_eq!(spreadsheet_safe("@import"), "'@import");
        assert_eq!(spreadsheet_safe("\t=1"), "'\t=1");
        assert_eq!(spreadsheet_safe("-inf"), "'-inf");
        assert_eq!(spreadsheet_safe("-7.5"), "-7.5");
        assert_eq!(spreadsheet_safe("+3"), "+3");
        assert_eq!(spreadsheet_safe("Beyoncé"), "Beyoncé");
        assert_eq!(spreadsheet_safe("a=b"), "a=b");
    }

    #[test]
    fn rfc_4180_quoting_and_line_ends() -> AppResult<()> {
        let mut t = CsvTable::new(["title", "artists"]);
        t.push(["Say \"Hi\"", "A, B"]);
        t.push(["two\nlines", "=HYPERLINK(\"x\")"]);
        t.push(["short row"]);
        let text = String::from_utf8(t.to_bytes()?).map_err(AppError::internal)?;
        assert_eq!(
            text,
            "title,artists\r\n\"Say \"\"Hi\"\"\",\"A, B\"\r\n\"two\nlines\",\"'=HYPERLINK(\"\"x\"\")\"\r\nshort row,\r\n"
        );
        Ok(())
    }

    #[test]
    fn file_names_are_plain_ascii() {
        assert_eq!(file_name("Compare Beyoncé, Adele"), "compare-beyonce-adele");
        assert_eq!(file_name("\"; rm -rf"), "rm-rf");
        assert_eq!(file_name("Sigur Rós"), "sigur-ros");
        assert_eq!(file_name("…"), "results");
        assert!(file_name(&"word ".repeat(40)).len() <= 60);
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(0.8, 3), "0.8");
        assert_eq!(number(120.0, 3), "120");
        assert_eq!(number(-7.25, 3), "-7.25");
        assert_eq!(exact(0.000176), "0.000176");
        assert_eq!(exact(0.000005), "0.000005");
        assert_eq!(exact(-7.25), "-7.25");
        assert_eq!(exact(120.0), "120");
        assert_eq!(exact(-0.0), "0");
    }
}

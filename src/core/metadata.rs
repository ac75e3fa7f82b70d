//! Document metadata (`metadata.json`): a date (and time), source, title and section per
//! document — what puts a statement in time for discourse networks. Git-friendly like the
//! other project files (pretty JSON, documents in path order, version checked first), and
//! exchanged with spreadsheets as CSV (`document,date,source,title,section`, then any further
//! columns: a news database's byline, length, the batch a document came from).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const METADATA_FILE: &str = "metadata.json";
pub const METADATA_FORMAT_VERSION: u32 = 1;
const FORMAT_NAME: &str = "tagdesk-metadata";
const CSV_HEADER: [&str; 5] = ["document", "date", "source", "title", "section"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMeta {
    /// `YYYY-MM-DD`, optionally followed by `THH:MM` (or a space and `HH:MM`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub section: String,
    /// Further columns, by name (lower case): `byline`, `length`, `batch`, `position` …
    #[serde(flatten)]
    pub extra: BTreeMap<String, String>,
}

impl DocumentMeta {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The date as (year, month, day), if it is one.
    pub fn ymd(&self) -> Option<(i32, u8, u8)> {
        parse_date(&self.date)
    }
}

/// `YYYY-MM-DD` (with an optional time after it) as (year, month, day); `None` otherwise.
pub fn parse_date(text: &str) -> Option<(i32, u8, u8)> {
    let date = text.trim().get(..10)?;
    let mut parts = date.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    let rest = &text.trim()[10..];
    let time_ok = rest.is_empty()
        || (rest.len() == 6
            && (rest.starts_with('T') || rest.starts_with(' '))
            && rest[1..3].parse::<u8>().is_ok_and(|h| h < 24)
            && &rest[3..4] == ":"
            && rest[4..6].parse::<u8>().is_ok_and(|m| m < 60));
    (year > 0 && (1..=days_in_month).contains(&day) && time_ok).then_some((year, month, day))
}

#[derive(Serialize, Deserialize)]
struct MetadataFile {
    format: String,
    version: u32,
    documents: BTreeMap<String, DocumentMeta>,
}

/// Why a metadata file or table cannot be read (the caller adds the file's path).
pub use crate::core::versioned::FileError;

/// Every document's metadata, by document path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    documents: BTreeMap<String, DocumentMeta>,
}

impl Metadata {
    pub fn get(&self, document: &str) -> Option<&DocumentMeta> {
        self.documents.get(document)
    }

    pub fn documents(&self) -> &BTreeMap<String, DocumentMeta> {
        &self.documents
    }

    /// Sets (or, when empty, clears) a document's metadata.
    pub fn set(&mut self, document: &str, meta: DocumentMeta) {
        if meta.is_empty() {
            self.documents.remove(document);
        } else {
            self.documents.insert(document.to_owned(), meta);
        }
    }

    pub fn to_json(&self) -> String {
        let file = MetadataFile {
            format: FORMAT_NAME.to_owned(),
            version: METADATA_FORMAT_VERSION,
            documents: self.documents.clone(),
        };
        let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
        out.push('\n');
        out
    }

    pub fn parse(json: &str) -> Result<Self, FileError> {
        let file: MetadataFile =
            crate::core::versioned::read(json, FORMAT_NAME, METADATA_FORMAT_VERSION, "metadata")?;
        for (document, meta) in &file.documents {
            if !meta.date.is_empty() && parse_date(&meta.date).is_none() {
                return Err(FileError::Invalid(format!(
                    "{document}: \"{}\" is not a date (YYYY-MM-DD, optionally THH:MM)",
                    meta.date
                )));
            }
        }
        Ok(Self {
            documents: file.documents,
        })
    }

    /// The table as CSV, one row per document that has metadata.
    pub fn to_csv(&self) -> String {
        let further: std::collections::BTreeSet<&str> = self
            .documents
            .values()
            .flat_map(|m| m.extra.keys().map(String::as_str))
            .collect();
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(CSV_HEADER.iter().copied().chain(further.iter().copied()));
        for (document, m) in &self.documents {
            let base = [document.as_str(), &m.date, &m.source, &m.title, &m.section];
            let rest = further
                .iter()
                .map(|k| m.extra.get(*k).map_or("", String::as_str));
            let _ = writer.write_record(base.into_iter().chain(rest));
        }
        writer
            .into_inner()
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
    }

    /// Reads a CSV table (a `document` column and any of `date`, `source`, `title`,
    /// `section`, and further columns, in any order) into this metadata: rows replace what
    /// their documents had.
    /// Errors name the line.
    pub fn merge_csv(&mut self, text: &str) -> Result<usize, FileError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| FileError::Invalid(format!("line 1: {e}")))?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let column = |name: &str| headers.iter().position(|h| h == name);
        let Some(document_column) = column("document") else {
            return Err(FileError::Invalid(
                "line 1: no \"document\" column (expected document,date,source,title,section)"
                    .to_owned(),
            ));
        };
        if let Some(empty) = headers.iter().position(String::is_empty) {
            return Err(FileError::Invalid(format!(
                "line 1: column {} has no name",
                empty + 1
            )));
        }
        let mut next = self.clone();
        let mut rows = 0;
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| FileError::Invalid(format!("line {line}: {e}")))?;
            let field = |name: &str| {
                column(name)
                    .and_then(|c| record.get(c))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            let document = record.get(document_column).unwrap_or_default().trim();
            if document.is_empty() {
                return Err(FileError::Invalid(format!("line {line}: no document")));
            }
            let meta = DocumentMeta {
                date: field("date"),
                source: field("source"),
                title: field("title"),
                section: field("section"),
                extra: headers
                    .iter()
                    .filter(|h| !CSV_HEADER.contains(&h.as_str()))
                    .map(|h| (h.clone(), field(h)))
                    .filter(|(_, v)| !v.is_empty())
                    .collect(),
            };
            if !meta.date.is_empty() && parse_date(&meta.date).is_none() {
                return Err(FileError::Invalid(format!(
                    "line {line}: \"{}\" is not a date (YYYY-MM-DD, optionally THH:MM)",
                    meta.date
                )));
            }
            next.set(document, meta);
            rows += 1;
        }
        *self = next;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert_eq!(parse_date("2016-09-09"), Some((2016, 9, 9)));
        assert_eq!(parse_date("2016-09-09T14:05"), Some((2016, 9, 9)));
        assert_eq!(parse_date("2016-02-29"), Some((2016, 2, 29)));
        assert_eq!(parse_date("2015-02-29"), None);
        assert_eq!(parse_date("2016-13-01"), None);
        assert_eq!(parse_date("9 Sept 2016"), None);
        assert_eq!(parse_date("2016-09-09T25:00"), None);
    }

    #[test]
    fn csv_in_and_out_and_bad_rows_named_by_line() {
        let mut m = Metadata::default();
        let n = m
            .merge_csv("document,date,title\na.txt,2016-09-09,\"Talks, again\"\nb.txt,,Untitled\n")
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(m.get("a.txt").unwrap().ymd(), Some((2016, 9, 9)));
        assert_eq!(m.get("a.txt").unwrap().title, "Talks, again");
        let again = {
            let mut x = Metadata::default();
            x.merge_csv(&m.to_csv()).unwrap();
            x
        };
        assert_eq!(again, m);
        assert_eq!(Metadata::parse(&m.to_json()).unwrap(), m);
        let err = m
            .merge_csv("document,date\nc.txt,2016-09-31\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(m.get("c.txt").is_none(), "nothing taken from a bad table");
        let err = m.merge_csv("doc,date\n").unwrap_err().to_string();
        assert!(err.contains("document"), "{err}");
    }
}

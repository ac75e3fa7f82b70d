//! The project's own JSON files besides the manifest (`entities.json`, `metadata.json`,
//! `suggestions.json`) share a shape — `{"format": NAME, "version": N, …}` — and one reader:
//! syntax errors with line and column, then the format and version checked before the rest is
//! read, so a file from a newer tagdesk is refused, never misread.

use serde::de::DeserializeOwned;

/// Why such a file cannot be read (the caller adds the file's path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Not JSON: where.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a file of this kind that this tagdesk reads.
    Invalid(String),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Syntax {
                line,
                column,
                message,
            } => write!(f, "line {line}, column {column}: {message}"),
            Self::Invalid(message) => f.write_str(message),
        }
    }
}

/// Reads `json` as a `format` file of `version`; `what` names it in messages ("entities").
pub fn read<T: DeserializeOwned>(
    json: &str,
    format: &str,
    version: u32,
    what: &str,
) -> Result<T, FileError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| FileError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if value.get("format").and_then(serde_json::Value::as_str) != Some(format) {
        return Err(FileError::Invalid(format!(
            "not a tagdesk {what} file (format should be \"{format}\")"
        )));
    }
    let found = value.get("version").and_then(serde_json::Value::as_u64);
    if found != Some(u64::from(version)) {
        return Err(FileError::Invalid(format!(
            "{what} file version {} is not one this tagdesk reads ({version})",
            found.map_or_else(|| "missing".to_owned(), |v| v.to_string())
        )));
    }
    serde_json::from_value(value).map_err(|e| FileError::Invalid(e.to_string()))
}

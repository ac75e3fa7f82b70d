//! What names may be: annotators (a folder each; `_curated` is reserved), layers, documents.

use super::*;

/// The curated layer's annotator name: the gold layer a curator builds from the annotators'.
pub const CURATED: &str = "_curated";

/// Whether `name` can own a layer: an annotator, or the curated layer.
pub fn valid_layer_name(name: &str) -> Result<(), String> {
    if name == CURATED {
        Ok(())
    } else {
        valid_annotator_name(name)
    }
}

/// Whether `name` can be an annotator (a folder name under `annotations/`). Names starting with
/// `_` are reserved for derived layers (the curated layer), `.` for hidden files.
pub fn valid_annotator_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the annotator name is empty".to_owned());
    }
    if name.chars().count() > 64 {
        return Err("the annotator name is longer than 64 characters".to_owned());
    }
    if name.starts_with('.') || name.starts_with('_') {
        return Err("an annotator name cannot start with '.' or '_'".to_owned());
    }
    if name.chars().any(|c| {
        c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
    }) {
        return Err(
            "an annotator name cannot contain / \\ : * ? \" < > | or control characters".to_owned(),
        );
    }
    if name != name.trim() {
        return Err("an annotator name cannot start or end with a space".to_owned());
    }
    Ok(())
}

/// Whether a document path is a safe relative path (`a/b.txt`): no `..`, not absolute.
pub fn valid_document_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

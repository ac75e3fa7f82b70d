//! Which project document an input document is, and how its offsets map onto the project's
//! text (the same text; or the same words with other whitespace, aligned).

use super::{Document, ImportOptions, Path, SourceText, Workspace, valid_document_path};

/// The project document an input document goes to, and its text.
pub(super) fn match_document(
    workspace: &mut Workspace,
    doc: &Document,
    n: usize,
    options: &ImportOptions,
    new_documents: &mut Vec<(String, String, bool)>,
) -> Result<(String, DocText), String> {
    if let Some(path) = &doc.path
        && workspace.project().document(path).is_some()
    {
        let text = workspace.text(path).map_err(|e| e.to_string())?;
        return Ok((path.clone(), DocText::Project(text)));
    }
    // No path, or one the project does not have: the project document with the same text.
    let wanted = fingerprint(&doc.text, doc.rebuilt);
    let paths: Vec<String> = workspace
        .project()
        .documents
        .iter()
        .map(|d| d.path.clone())
        .collect();
    for path in paths {
        let Ok(text) = workspace.text(&path) else {
            continue;
        };
        if fingerprint(text.text.as_str(), doc.rebuilt) == wanted {
            return Ok((path, DocText::Project(text)));
        }
    }
    if !options.add_documents {
        return Err(format!(
            "{}: the project has no document {} — no source with that path or that text; \
             import with \"add documents\" / --add-documents to add it",
            doc.at,
            doc.path.as_deref().unwrap_or("(unnamed)")
        ));
    }
    let mut path = doc.path.clone().unwrap_or_else(|| {
        let stem = doc
            .at
            .file
            .file_stem()
            .map_or("imported".into(), |s| s.to_string_lossy().into_owned());
        format!("imported/{stem}-{}.txt", n + 1)
    });
    if !Path::new(&path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
    {
        path.push_str(".txt");
    }
    if !valid_document_path(&path) {
        return Err(format!(
            "{}: {path} is not a document path inside the source folder",
            doc.at
        ));
    }
    if new_documents.iter().any(|d| d.0 == path) || workspace.project().document(&path).is_some() {
        return Err(format!(
            "{}: document {path} comes twice in the input",
            doc.at
        ));
    }
    if workspace.project().document_file(&path).exists() {
        return Err(format!(
            "{}: {} exists but is not a document of the project; it is not replaced",
            doc.at,
            workspace.project().document_file(&path).display()
        ));
    }
    new_documents.push((path.clone(), doc.text.clone(), doc.bom));
    let text = SourceText::new(doc.text.clone());
    Ok((path, DocText::New(text)))
}

/// A document's text as an import reads it: the project's, shared with the workspace (an
/// import of a corpus would otherwise copy every text), or a new document's.
pub(super) enum DocText {
    Project(std::sync::Arc<crate::core::project::LoadedText>),
    New(SourceText),
}

impl std::ops::Deref for DocText {
    type Target = SourceText;
    fn deref(&self) -> &SourceText {
        match self {
            Self::Project(loaded) => &loaded.text,
            Self::New(text) => text,
        }
    }
}

/// A text's identity for matching: the text itself, or for a rebuilt text its
/// non-whitespace characters.
pub(super) fn fingerprint(text: &str, rebuilt: bool) -> String {
    if rebuilt {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        text.to_owned()
    }
}

/// Input offsets → project offsets.
pub(super) enum OffsetMap {
    Same(usize),
    /// For each input char offset, the project char offset (input whitespace maps to the
    /// next non-whitespace position).
    Aligned(Vec<usize>),
}

impl OffsetMap {
    pub(super) fn span(&self, start: usize, end: usize) -> Option<[usize; 2]> {
        match self {
            Self::Same(len) => (start <= end && end <= *len).then_some([start, end]),
            Self::Aligned(map) => {
                if start > end || end >= map.len() {
                    return None;
                }
                if start == end {
                    return Some([map[start], map[start]]);
                }
                // The end maps through the last covered character.
                Some([map[start], map[end - 1] + 1])
            }
        }
    }
}

pub(super) fn offset_map(doc: &Document, text: &SourceText) -> Result<OffsetMap, String> {
    let project = text.as_str();
    if !doc.rebuilt {
        if doc.text == project {
            return Ok(OffsetMap::Same(text.char_len()));
        }
        let (i, (a, b)) = doc
            .text
            .chars()
            .zip(project.chars())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap_or((doc.text.chars().count().min(text.char_len()), (' ', ' ')));
        let _ = (a, b);
        let excerpt = |s: &str| {
            s.chars()
                .skip(i.saturating_sub(10))
                .take(30)
                .collect::<String>()
        };
        return Err(format!(
            "{}: the text of {} differs from the project's source from character {i} on \
             (input: {:?}, project: {:?})",
            doc.at,
            doc.path.as_deref().unwrap_or("the document"),
            excerpt(&doc.text),
            excerpt(project)
        ));
    }
    // Walk both texts over their non-whitespace characters.
    let mut map = Vec::with_capacity(doc.text.len() + 1);
    let mut theirs = project
        .chars()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace());
    let mut pending_ws = 0usize;
    for (i, c) in doc.text.chars().enumerate() {
        if c.is_whitespace() {
            pending_ws += 1;
            continue;
        }
        match theirs.next() {
            Some((j, d)) if d == c => {
                map.extend(std::iter::repeat_n(j, pending_ws));
                pending_ws = 0;
                map.push(j);
            }
            other => {
                return Err(format!(
                    "{}: the tokens of {} do not match the project's source at input character \
                     {i} ({c:?} vs {:?})",
                    doc.at,
                    doc.path.as_deref().unwrap_or("the document"),
                    other.map(|(_, d)| d)
                ));
            }
        }
    }
    let end = text.char_len();
    map.extend(std::iter::repeat_n(end, pending_ws + 1));
    Ok(OffsetMap::Aligned(map))
}

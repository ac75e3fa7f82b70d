//! The crash journal: every applied edit is appended (and fsynced) to a per-layer file under
//! `.tagdesk/journal/` before the GUI shows it, and the file is deleted once the layer is saved.
//! After a crash, opening the project replays what was not saved.
//!
//! A journal file starts with the hash of the annotation file it builds on; if that file changed
//! since (a colleague's write, a git pull), the journal is not replayed but moved aside, and the
//! user is told.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::annotation::Edit;
use super::project::{LayerKey, PRIVATE_DIR};
use super::schema::Schema;

/// One line of a journal file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// First line: the hash of the file the edits apply to (empty when there was none).
    Base(String),
    /// Edits applied to the layer, in order.
    Edits(Vec<Edit>),
    /// The schema after a change (manifest journal only).
    Schema(Schema),
    /// The entity registry after a change (entities journal only).
    Entities(Vec<std::sync::Arc<super::entities::Entity>>),
    /// Written by a save just before its new annotation file replaces the old one: the file
    /// with this hash holds the first `entries` `Edits` lines. After a crash between the
    /// replacement and the app taking the save in, recovery replays only the lines after them.
    Saved { sha256: String, entries: usize },
}

#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    pub fn new(project_root: &Path) -> Self {
        Self {
            dir: project_root.join(PRIVATE_DIR).join("journal"),
        }
    }

    pub fn layer_path(&self, key: &LayerKey) -> PathBuf {
        self.dir
            .join(&key.annotator)
            .join(format!("{}.jsonl", key.document))
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join("_manifest.jsonl")
    }

    pub fn entities_path(&self) -> PathBuf {
        self.dir.join("_entities.jsonl")
    }

    /// Appends entries to a journal file (creating it with its base record), then fsyncs. An
    /// append that fails is cut back off: the file ends at its last complete record, so the
    /// next append starts clean (see [`frame`]).
    pub fn append(&self, path: &Path, base: &str, entries: &[Entry]) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut buffer = Vec::new();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        if file.metadata()?.len() == 0 {
            frame(&mut buffer, &Entry::Base(base.to_owned()))?;
        }
        for entry in entries {
            frame(&mut buffer, entry)?;
        }
        append_records(path, file, &buffer)
    }

    /// Replaces a journal with a new base and these entries, atomically (after a save that the
    /// layer outran: the edits made while it was written now build on the new file).
    pub fn replace(&self, path: &Path, base: &str, entries: &[Entry]) -> std::io::Result<()> {
        let mut buffer = Vec::new();
        frame(&mut buffer, &Entry::Base(base.to_owned()))?;
        for entry in entries {
            frame(&mut buffer, entry)?;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        super::project::write_atomic(path, &buffer)
    }

    /// Records that the annotation file with `sha256` holds the journal's first `entries` edit
    /// records (see [`Entry::Saved`]); fsynced before the caller replaces the file. Only an
    /// existing journal is written to (none: nothing to recover anyway).
    pub fn checkpoint(path: &Path, sha256: &str, entries: usize) -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)?;
        let mut record = Vec::new();
        frame(
            &mut record,
            &Entry::Saved {
                sha256: sha256.to_owned(),
                entries,
            },
        )?;
        append_records(path, file, &record)
    }

    /// Forgets a journal (its edits are saved).
    pub fn clear(path: &Path) {
        // Nothing to do when it does not exist; a failure only means a replay that finds
        // nothing new, since the base hash will not match the saved file.
        let _ = std::fs::remove_file(path);
    }

    /// Every layer journal on disk: (key, path).
    pub fn layer_journals(&self) -> Vec<(LayerKey, PathBuf)> {
        let mut out = Vec::new();
        let Ok(annotators) = std::fs::read_dir(&self.dir) else {
            return out;
        };
        for annotator in annotators.filter_map(Result::ok) {
            if !annotator.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Some(name) = annotator.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            collect(&annotator.path(), "", &mut |rel, path| {
                if let Some(doc) = rel.strip_suffix(".jsonl") {
                    out.push((LayerKey::new(doc.to_owned(), name.clone()), path.to_owned()));
                }
            });
        }
        out.sort();
        out
    }

    /// Reads a journal file: its base hash and every complete record. A record cut short (a
    /// write that failed, or a crash mid-write) is skipped and counted in `torn`; reading goes
    /// on at the next record.
    pub fn read(path: &Path) -> std::io::Result<JournalFile> {
        Ok(Self::parse(&std::fs::read(path)?))
    }

    /// Parses a journal file's bytes (see [`Self::read`] and [`frame`]). Lines before the first
    /// record separator are journal lines of tagdesk before framing (one JSON entry per line).
    pub fn parse(bytes: &[u8]) -> JournalFile {
        let mut base = None;
        let mut entries = Vec::new();
        let mut torn = 0;
        let mut pieces = bytes.split(|b| *b == RECORD_SEPARATOR);
        let unframed = pieces.next().unwrap_or_default();
        let mut take = |entry: Option<Entry>| match entry {
            Some(Entry::Base(hash)) if base.is_none() && entries.is_empty() => base = Some(hash),
            Some(entry) => entries.push(entry),
            None => torn += 1,
        };
        for line in unframed.split(|b| *b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            take(serde_json::from_slice::<Entry>(line).ok());
        }
        for record in pieces {
            take(unframe(record));
        }
        JournalFile {
            base: base.unwrap_or_default(),
            entries,
            torn,
        }
    }

    /// Moves a journal that cannot be replayed next to the other kept copies.
    pub fn set_aside(&self, path: &Path) -> PathBuf {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace(':', "-");
        let rel = path.strip_prefix(&self.dir).unwrap_or(path);
        let target = self
            .dir
            .with_file_name("conflicts")
            .join(format!("{}.{stamp}", rel.display()));
        if let Some(dir) = target.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match std::fs::rename(path, &target) {
            Ok(()) => target,
            Err(_) => path.to_owned(),
        }
    }
}

/// Starts each record: RFC 7464's record separator (JSON text sequences), a byte that compact
/// JSON never holds unescaped, so a reader finds the next record after a torn one.
const RECORD_SEPARATOR: u8 = 0x1e;

/// Appends one record to `out`: `RS <length> <crc32> <json> LF`, where the length is the JSON's
/// in bytes and the CRC-32 (hex) is the JSON's. A record is complete when both match: a write
/// cut short, or one glued onto a torn record, is recognised and skipped, never misread.
pub fn frame(out: &mut Vec<u8>, entry: &Entry) -> std::io::Result<()> {
    let json = serde_json::to_vec(entry)?;
    out.push(RECORD_SEPARATOR);
    out.extend_from_slice(format!("{} {:08x} ", json.len(), crc32fast::hash(&json)).as_bytes());
    out.extend_from_slice(&json);
    out.push(b'\n');
    Ok(())
}

/// The entry of one complete record (the bytes after its separator); `None` when it is torn.
fn unframe(record: &[u8]) -> Option<Entry> {
    let record = record.strip_suffix(b"\n")?;
    let mut parts = record.splitn(3, |b| *b == b' ');
    let len: usize = std::str::from_utf8(parts.next()?).ok()?.parse().ok()?;
    let crc = u32::from_str_radix(std::str::from_utf8(parts.next()?).ok()?, 16).ok()?;
    let json = parts.next()?;
    if json.len() != len || crc32fast::hash(json) != crc {
        return None;
    }
    serde_json::from_slice(json).ok()
}

/// Writes `records` at the end of `file` and fsyncs; on failure cuts the file back to where it
/// ended, so it holds only complete records (best effort: a crash meanwhile leaves a torn
/// record, which a reader skips).
fn append_records(path: &Path, mut file: std::fs::File, records: &[u8]) -> std::io::Result<()> {
    use std::io::Seek as _;
    let end = file.seek(std::io::SeekFrom::End(0))?;
    let written =
        super::faults::write_all(path, &mut file, records).and_then(|()| file.sync_data());
    if written.is_err() {
        let _ = file.set_len(end);
        let _ = file.sync_data();
    }
    written
}

/// A journal file as read.
#[derive(Debug, Clone)]
pub struct JournalFile {
    pub base: String,
    pub entries: Vec<Entry>,
    /// Records cut short (skipped).
    pub torn: usize,
}

impl JournalFile {
    /// The edit lines still to replay onto the annotation file whose hash is `current`: all of
    /// them when it is the journal's base; those after a save's checkpoint when it is the file
    /// that save wrote; `None` when the file is neither (changed by someone else).
    pub fn edits_after(&self, current: &str) -> Option<Vec<&Vec<Edit>>> {
        let edits: Vec<&Vec<Edit>> = self
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Edits(edits) => Some(edits),
                _ => None,
            })
            .collect();
        if self.base == current {
            return Some(edits);
        }
        let saved = self.entries.iter().rev().find_map(|e| match e {
            Entry::Saved { sha256, entries } if sha256 == current => Some(*entries),
            _ => None,
        })?;
        Some(edits.into_iter().skip(saved).collect())
    }
}

fn collect(dir: &Path, prefix: &str, found: &mut dyn FnMut(&str, &Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect(&path, &rel, found);
        } else {
            found(&rel, &path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: crate::core::DocStatus) -> Vec<Edit> {
        vec![Edit::SetStatus(s)]
    }

    fn saved(sha256: &str, entries: usize) -> Entry {
        Entry::Saved {
            sha256: sha256.to_owned(),
            entries,
        }
    }

    fn names(file: &JournalFile) -> Vec<String> {
        std::iter::once(file.base.clone())
            .chain(file.entries.iter().map(|e| match e {
                Entry::Saved { sha256, .. } => sha256.clone(),
                other => format!("{other:?}"),
            }))
            .collect()
    }

    #[test]
    fn a_cut_at_any_byte_loses_only_the_record_it_cuts_and_a_glued_append_is_found() {
        // Records with multi-byte text (Georgian, an emoji) so cuts fall inside characters.
        let records = [
            Entry::Base("sha256:base".to_owned()),
            saved("ქართული", 1),
            saved("😊 two", 2),
            saved("three", 3),
            saved("four\nwith a newline", 4),
        ];
        let mut whole = Vec::new();
        let mut ends = Vec::new();
        for record in &records {
            frame(&mut whole, record).unwrap();
            ends.push(whole.len());
        }
        let mut glued = Vec::new();
        frame(&mut glued, &saved("after", 5)).unwrap();
        frame(&mut glued, &saved("after too", 6)).unwrap();
        for cut in 0..=whole.len() {
            let complete = ends.iter().filter(|end| **end <= cut).count();
            let at_boundary = cut == 0 || ends.contains(&cut);
            let mut expected: Vec<String> = records[..complete]
                .iter()
                .map(|r| match r {
                    Entry::Base(h) => h.clone(),
                    Entry::Saved { sha256, .. } => sha256.clone(),
                    _ => unreachable!(),
                })
                .collect();
            if complete == 0 {
                expected.insert(0, String::new()); // no base record survived
            }
            let alone = Journal::parse(&whole[..cut]);
            assert_eq!(names(&alone), expected, "cut at {cut}");
            assert_eq!(alone.torn, usize::from(!at_boundary), "cut at {cut}");
            // The next append glued onto what the cut left: every complete record before it
            // and every record after it.
            let mut continued = whole[..cut].to_vec();
            continued.extend_from_slice(&glued);
            let file = Journal::parse(&continued);
            let mut with_glued = expected.clone();
            with_glued.extend(["after".to_owned(), "after too".to_owned()]);
            assert_eq!(names(&file), with_glued, "cut at {cut}, then glued");
            assert_eq!(
                file.torn,
                usize::from(!at_boundary),
                "cut at {cut}, then glued"
            );
        }
    }

    #[test]
    fn a_record_whose_bytes_changed_is_skipped_not_misread() {
        let mut bytes = Vec::new();
        frame(&mut bytes, &Entry::Base("sha256:b".to_owned())).unwrap();
        let at = bytes.len();
        frame(&mut bytes, &saved("sha256:x", 1)).unwrap();
        frame(&mut bytes, &saved("sha256:y", 2)).unwrap();
        // Same length, one letter changed: the checksum catches it.
        let pos = at + bytes[at..].windows(1).position(|w| w == b"x").unwrap();
        bytes[pos] = b'z';
        let file = Journal::parse(&bytes);
        assert_eq!(names(&file), ["sha256:b", "sha256:y"]);
        assert_eq!(file.torn, 1);
    }

    #[test]
    fn an_append_that_fails_is_cut_back_and_the_next_starts_clean() {
        use crate::core::faults::{self, Fault, Plan};
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        let path = journal.manifest_path();
        for fault in [Fault::Short, Fault::NoSpace, Fault::Io] {
            let _ = std::fs::remove_file(&path);
            journal
                .append(&path, "sha256:b", &[saved("one", 1)])
                .unwrap();
            let len = std::fs::metadata(&path).unwrap().len();
            let armed = faults::arm(
                dir.path(),
                Plan {
                    fault,
                    at: 1,
                    persistent: false,
                },
            );
            assert!(
                journal
                    .append(&path, "sha256:b", &[saved("two", 2)])
                    .is_err()
            );
            assert_eq!(std::fs::metadata(&path).unwrap().len(), len, "{fault:?}");
            journal
                .append(&path, "sha256:b", &[saved("three", 3)])
                .unwrap();
            drop(armed);
            let file = Journal::read(&path).unwrap();
            assert_eq!(names(&file), ["sha256:b", "one", "three"], "{fault:?}");
            assert_eq!(file.torn, 0);
        }
    }

    #[test]
    fn replays_from_the_base_or_after_the_save_that_holds_the_first_edits() {
        use crate::core::DocStatus::{Done, InProgress, New};
        let file = JournalFile {
            base: "sha256:old".to_owned(),
            entries: vec![
                Entry::Edits(status(InProgress)),
                Entry::Edits(status(Done)),
                Entry::Saved {
                    sha256: "sha256:new".to_owned(),
                    entries: 1,
                },
                Entry::Edits(status(New)),
            ],
            torn: 0,
        };
        // The save never replaced the file (crash before its rename): everything.
        assert_eq!(
            file.edits_after("sha256:old").unwrap(),
            vec![&status(InProgress), &status(Done), &status(New)]
        );
        // It did: only what it did not hold, wherever the checkpoint line fell.
        assert_eq!(
            file.edits_after("sha256:new").unwrap(),
            vec![&status(Done), &status(New)]
        );
        // Someone else's file: nothing is replayed onto it.
        assert!(file.edits_after("sha256:theirs").is_none());
        // A journal written before records were framed still reads.
        let parsed = Journal::parse(
            [
                r#"{"base":"sha256:old"}"#,
                r#"{"saved":{"sha256":"sha256:new","entries":0}}"#,
            ]
            .join("\n")
            .as_bytes(),
        );
        assert_eq!(parsed.torn, 0);
        assert_eq!(parsed.edits_after("sha256:new").unwrap().len(), 0);
    }
}

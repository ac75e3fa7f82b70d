//! One annotator's annotation file: its JSON form (stable order, pretty), reading and checking
//! it (versions first, errors with the place), and writing it safely on any thread
//! ([`LayerWrite`]: never over a file someone else changed since it was read).

use super::*;

/// An annotation file. Field order here is the order on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerFile {
    /// Always `"tagdesk-annotations"`.
    pub format: String,
    pub version: u32,
    pub document: String,
    pub annotator: String,
    pub source_sha256: String,
    #[serde(default)]
    pub status: DocStatus,
    #[serde(deserialize_with = "annotations_sized")]
    pub annotations: Vec<Annotation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// The curator's rejections (curated layer only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejection>,
    /// The curator's rejections of relations (curated layer only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_relations: Vec<RelationRejection>,
}

thread_local! {
    /// How many annotations the file being parsed on this thread holds, about (see
    /// [`parse_layer`]); 0: unknown.
    static EXPECTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The annotations array into a vector of the expected size: a big project's vectors then never
/// grow by doubling (each doubling moves every span) nor shrink afterwards.
fn annotations_sized<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Annotation>, D::Error> {
    struct Sized;
    impl<'de> serde::de::Visitor<'de> for Sized {
        type Value = Vec<Annotation>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of annotations")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(EXPECTED.get().min(1 << 20));
            while let Some(a) = seq.next_element()? {
                out.push(a);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Sized)
}

impl LayerFile {
    pub fn from_layer(layer: &AnnotationLayer) -> Self {
        Self {
            format: "tagdesk-annotations".to_owned(),
            version: LAYER_FORMAT_VERSION,
            document: layer.document.clone(),
            annotator: layer.annotator.clone(),
            source_sha256: layer.source_sha256.clone(),
            status: layer.status,
            annotations: layer.annotations().to_vec(),
            relations: layer.relations().to_vec(),
            rejected: layer.rejections().to_vec(),
            rejected_relations: layer.relation_rejections().to_vec(),
        }
    }

    pub fn into_layer(self) -> AnnotationLayer {
        let mut layer = AnnotationLayer::new(self.document, self.annotator)
            .with_annotations(self.annotations)
            .with_relations(self.relations)
            .with_rejections(self.rejected)
            .with_relation_rejections(self.rejected_relations);
        layer.source_sha256 = self.source_sha256;
        layer.status = self.status;
        layer
    }
}

/// Stable, pretty-printed JSON with a final newline: what every project file looks like.
pub fn to_pretty_json<T: Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

/// [`LayerFile`] as written, borrowing the layer (a 100k-span layer is not copied to be saved).
#[derive(Serialize)]
pub(super) struct LayerFileRef<'a> {
    pub(super) format: &'a str,
    pub(super) version: u32,
    pub(super) document: &'a str,
    pub(super) annotator: &'a str,
    pub(super) source_sha256: &'a str,
    pub(super) status: DocStatus,
    pub(super) annotations: &'a [Annotation],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub(super) relations: &'a [Relation],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub(super) rejected: &'a [Rejection],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub(super) rejected_relations: &'a [RelationRejection],
}

/// Serialises a layer exactly as it is stored.
pub fn layer_to_json(layer: &AnnotationLayer) -> String {
    // Everything in it came from `&str`s and serde_json: UTF-8.
    String::from_utf8(layer_bytes(layer)).unwrap_or_default()
}

/// [`layer_to_json`] as the bytes a write puts in the file (not checked as UTF-8 again: the
/// writes of an import would check tens of megabytes for nothing).
pub(super) fn layer_bytes(layer: &AnnotationLayer) -> Vec<u8> {
    lines_json(&LayerFileRef {
        format: "tagdesk-annotations",
        version: LAYER_FORMAT_VERSION,
        document: &layer.document,
        annotator: &layer.annotator,
        source_sha256: &layer.source_sha256,
        status: layer.status,
        annotations: layer.annotations(),
        relations: layer.relations(),
        rejected: layer.rejections(),
        rejected_relations: layer.relation_rejections(),
    })
}

impl LayerFile {
    /// The file's text (version 2: one annotation per line), as [`layer_to_json`] writes it.
    pub fn to_json(&self) -> String {
        let bytes = lines_json(&LayerFileRef {
            format: "tagdesk-annotations",
            version: LAYER_FORMAT_VERSION,
            document: &self.document,
            annotator: &self.annotator,
            source_sha256: &self.source_sha256,
            status: self.status,
            annotations: &self.annotations,
            relations: &self.relations,
            rejected: &self.rejected,
            rejected_relations: &self.rejected_relations,
        });
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// Version 2's layout: the header fields one per line, as before, and every annotation, relation
/// and rejection as one compact JSON object on its own line — a change to one span is a
/// one-line diff, and the file is a fraction of the pretty one's size. Deterministic: the
/// fields in their struct order, the arrays in the layer's order.
fn lines_json(file: &LayerFileRef<'_>) -> Vec<u8> {
    /// `"name": value` as a header field, compact.
    fn field<T: Serialize + ?Sized>(out: &mut Vec<u8>, name: &str, value: &T) {
        out.extend_from_slice(b",\n  ");
        let _ = serde_json::to_writer(&mut *out, name);
        out.extend_from_slice(b": ");
        let _ = serde_json::to_writer(&mut *out, value);
    }
    /// An array, an item a line, each serialised straight into the one buffer (a layer has tens
    /// of thousands: no string of their own).
    fn array<T: Serialize>(out: &mut Vec<u8>, name: &str, items: &[T], always: bool) {
        array_with(out, name, items, always, |out, item| {
            let _ = serde_json::to_writer(out, item);
        });
    }
    fn array_with<T>(
        out: &mut Vec<u8>,
        name: &str,
        items: &[T],
        always: bool,
        write: impl Fn(&mut Vec<u8>, &T),
    ) {
        if items.is_empty() && !always {
            return;
        }
        out.extend_from_slice(b",\n  ");
        let _ = serde_json::to_writer(&mut *out, name);
        if items.is_empty() {
            out.extend_from_slice(b": []");
            return;
        }
        out.extend_from_slice(b": [\n");
        for (i, item) in items.iter().enumerate() {
            out.extend_from_slice(b"    ");
            write(out, item);
            out.extend_from_slice(if i + 1 < items.len() { b",\n" } else { b"\n" });
        }
        out.extend_from_slice(b"  ]");
    }
    let mut out: Vec<u8> = Vec::with_capacity(512 + file.annotations.len() * 256);
    out.extend_from_slice(b"{\n  \"format\": ");
    let _ = serde_json::to_writer(&mut out, file.format);
    field(&mut out, "version", &file.version);
    field(&mut out, "document", file.document);
    field(&mut out, "annotator", file.annotator);
    field(&mut out, "source_sha256", file.source_sha256);
    field(&mut out, "status", &file.status);
    array_with(&mut out, "annotations", file.annotations, true, |out, a| {
        a.write_json(out);
    });
    array(&mut out, "relations", file.relations, false);
    array(&mut out, "rejected", file.rejected, false);
    array(
        &mut out,
        "rejected_relations",
        file.rejected_relations,
        false,
    );
    out.extend_from_slice(b"\n}\n");
    out
}

/// The layer a [`LayerWrite`] writes: serialised already, or a copy to serialise there.
pub(super) enum LayerSource {
    Json(Vec<u8>),
    Owned(Box<AnnotationLayer>),
}

/// One layer's file write, self-contained so it can run on a worker thread: serialise, check
/// that the file on disk is still the one we read (else keep ours aside and write nothing),
/// write atomically, hash.
pub struct LayerWrite {
    pub key: LayerKey,
    pub(super) path: PathBuf,
    pub(super) source: LayerSource,
    /// Hash of the file as last read or written; `None` when there was none.
    pub(super) base: Option<String>,
    /// Size, time and inode showed the file unchanged when the write was prepared.
    pub(super) base_unchanged: bool,
    /// A listing of its folder showed no file there (set by [`super::StagedLayers::stage`]):
    /// nothing to compare with, no permissions to keep.
    pub(super) absent: bool,
    pub(super) conflict_copy: PathBuf,
    /// Called with the new file's hash just before the file is replaced: the workspace records
    /// there, in the layer's crash journal, how many edit lines the file holds (the project
    /// knows nothing of the journal).
    pub(super) checkpoint: Option<Checkpoint>,
}

/// A hook a [`LayerWrite`] calls with the new file's hash before it replaces the file.
pub type Checkpoint = Box<dyn FnOnce(&str) + Send>;

/// A layer written to its temporary file, waiting for the commit.
pub(super) struct Staged {
    pub(super) key: LayerKey,
    pub(super) path: PathBuf,
    pub(super) temporary: tempfile::TempPath,
    pub(super) base: Option<String>,
    pub(super) hash: String,
    pub(super) checkpoint: Option<Checkpoint>,
}

/// What a [`LayerWrite`] did: the new file's hash and stamp, or why nothing was written.
pub struct LayerWritten {
    pub key: LayerKey,
    pub(super) outcome: Result<(String, Option<FileStamp>), ProjectError>,
}

impl LayerWritten {
    /// Why the layer was not written, if it was not.
    pub fn error(&self) -> Option<&ProjectError> {
        self.outcome.as_ref().err()
    }
}

impl LayerWrite {
    /// Calls `hook` with the new file's hash just before the file is replaced (the crash
    /// journal records then how many of its edit lines the file holds).
    #[must_use]
    pub fn with_checkpoint(mut self, hook: impl FnOnce(&str) + Send + 'static) -> Self {
        self.checkpoint = Some(Box::new(hook));
        self
    }

    pub fn run(mut self) -> LayerWritten {
        let (json, conflict) = self.serialise_and_check();
        let outcome = if let Some(conflict) = conflict {
            Err(conflict)
        } else {
            let hash = content_hash(&json);
            if let Some(checkpoint) = self.checkpoint {
                checkpoint(&hash);
            }
            write_atomic(&self.path, &json)
                .map_err(|e| ProjectError::io("cannot save", &self.path, e))
                .map(|()| (hash, file_stamp(&self.path)))
        };
        LayerWritten {
            key: self.key,
            outcome,
        }
    }

    /// The file's new content, and the conflict when someone else changed the file since we
    /// read it (helix-style: never overwrite it; read and compared by hash unless size and time
    /// showed it as we left it) — ours then already kept aside.
    pub(super) fn serialise_and_check(&mut self) -> (Vec<u8>, Option<ProjectError>) {
        let json = match std::mem::replace(&mut self.source, LayerSource::Json(Vec::new())) {
            LayerSource::Json(json) => json,
            LayerSource::Owned(layer) => layer_bytes(&layer),
        };
        let current = if self.base_unchanged {
            self.base.clone()
        } else if self.absent {
            None
        } else {
            std::fs::read(&self.path)
                .ok()
                .map(|bytes| content_hash(&bytes))
        };
        if current.is_none() || current == self.base {
            return (json, None);
        }
        let conflict = match write_atomic(&self.conflict_copy, &json) {
            Ok(()) => ProjectError::ChangedOnDisk {
                path: self.path.clone(),
                kept: self.conflict_copy.clone(),
            },
            Err(e) => ProjectError::io("cannot keep your version", &self.conflict_copy, e),
        };
        (json, Some(conflict))
    }

    /// The first half of a write that is part of a commit ([`super::commit`]): the new file,
    /// beside its target under a temporary name, not yet durable (unless `sync`). A conflict
    /// ends the write here, as [`Self::run`] would.
    pub(super) fn stage(mut self, sync: bool) -> Result<Staged, LayerWritten> {
        let (json, conflict) = self.serialise_and_check();
        if let Some(conflict) = conflict {
            return Err(LayerWritten {
                key: self.key,
                outcome: Err(conflict),
            });
        }
        let path = self.path;
        match super::atomic::write_beside(&path, &json, sync, self.absent) {
            Ok(temporary) => Ok(Staged {
                key: self.key,
                hash: content_hash(&json),
                path,
                temporary,
                base: self.base,
                checkpoint: self.checkpoint,
            }),
            Err(e) => Err(LayerWritten {
                outcome: Err(ProjectError::io("cannot save", &path, e)),
                key: self.key,
            }),
        }
    }
}

/// A layer file as read from disk.
pub enum LayerRead {
    /// There is no file (any more).
    Gone,
    Read {
        hash: String,
        stamp: Option<FileStamp>,
        /// The layer, or why the file does not parse.
        parsed: Result<Box<AnnotationLayer>, ProjectError>,
    },
}

/// Reads and parses a layer file (any thread).
pub fn read_layer(path: &Path) -> LayerRead {
    let Ok((bytes, stamp)) = read_stamped(path) else {
        return LayerRead::Gone;
    };
    read_layer_bytes(path, &bytes, stamp)
}

pub(super) fn read_layer_bytes(path: &Path, bytes: &[u8], stamp: Option<FileStamp>) -> LayerRead {
    LayerRead::Read {
        hash: content_hash(bytes),
        stamp,
        parsed: parse_layer_bytes(path, bytes).map(Box::new),
    }
}

/// An annotation file's bytes as a layer; errors name the file and the place.
pub(super) fn parse_layer_bytes(
    path: &Path,
    bytes: &[u8],
) -> Result<AnnotationLayer, ProjectError> {
    let json = std::str::from_utf8(bytes).map_err(|e| ProjectError::Invalid {
        path: path.to_owned(),
        message: format!("not UTF-8 (invalid byte at byte {})", e.valid_up_to()),
    })?;
    Ok(parse_layer(path, json)?.into_layer())
}

/// A check of one layer file against what was last read or written ([`Project::layer_check`]).
pub struct LayerCheck {
    pub key: LayerKey,
    pub(super) path: PathBuf,
    pub(super) known_hash: Option<String>,
    pub(super) known_stamp: Option<FileStamp>,
}

impl LayerCheck {
    /// Checks of every layer file in an annotator's folder as it is now, on any thread (a
    /// folder that arrived whole: the watcher names only the folder); `known` holds what the
    /// project knew of that annotator's layers, the others are new to it.
    pub fn in_folder(folder: &Path, annotator: &str, known: Vec<LayerCheck>) -> Vec<LayerCheck> {
        let mut known: std::collections::HashMap<LayerKey, LayerCheck> =
            known.into_iter().map(|c| (c.key.clone(), c)).collect();
        super::annotator_layer_files(folder, annotator)
            .into_iter()
            .map(|(key, path)| {
                known.remove(&key).unwrap_or(LayerCheck {
                    key,
                    path,
                    known_hash: None,
                    known_stamp: None,
                })
            })
            .collect()
    }
}

/// What a [`LayerCheck`] found.
pub enum LayerOnDisk {
    /// Size, time and inode are as we left them: not even read.
    Unchanged,
    /// Read: the same bytes (by hash) as we know; its stamp now.
    Same {
        hash: String,
        stamp: Option<FileStamp>,
    },
    /// Another file, or none: as read (and parsed).
    Changed(LayerRead),
}

impl LayerCheck {
    pub fn run(self) -> LayerOnDisk {
        if self.known_stamp.is_some() && file_stamp(&self.path) == self.known_stamp {
            return LayerOnDisk::Unchanged;
        }
        let stamp = file_stamp(&self.path);
        let Ok(bytes) = std::fs::read(&self.path) else {
            return if self.known_hash.is_none() {
                LayerOnDisk::Unchanged
            } else {
                LayerOnDisk::Changed(LayerRead::Gone)
            };
        };
        let hash = content_hash(&bytes);
        if Some(&hash) == self.known_hash.as_ref() {
            return LayerOnDisk::Same { hash, stamp };
        }
        LayerOnDisk::Changed(read_layer_bytes(&self.path, &bytes, stamp))
    }
}

/// Size and modification time of a file: when both are as we left them, the file is taken as
/// unchanged without reading and hashing it again (saving a 35 MB layer would otherwise read
/// it back twice on the UI thread).
/// A stamp taken within [`RACY`] of the file's modification time is not trusted (as git treats
/// "racily clean" entries): file times come from a coarse clock, so another write in the same
/// tick could leave size and time as they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    pub(super) len: u64,
    pub(super) modified: std::time::SystemTime,
    pub(super) inode: u64,
}

pub(super) const RACY: std::time::Duration = std::time::Duration::from_millis(50);

/// The file's stamp, if it can be trusted to tell "unchanged" (see [`FileStamp`]).
pub(super) fn file_stamp(path: &Path) -> Option<FileStamp> {
    stamp_of(&std::fs::metadata(path).ok()?)
}

/// A file's bytes and the stamp of what was read: one open, one `fstat` (of the file that was
/// opened, even if another is renamed over its name meanwhile), one read of its size.
pub(super) fn read_stamped(path: &Path) -> std::io::Result<(Vec<u8>, Option<FileStamp>)> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok((bytes, stamp_of(&meta)))
}

fn stamp_of(meta: &std::fs::Metadata) -> Option<FileStamp> {
    let modified = meta.modified().ok()?;
    let settled = std::time::SystemTime::now()
        .duration_since(modified)
        .is_ok_and(|age| age > RACY);
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    settled.then_some(FileStamp {
        len: meta.len(),
        modified,
        inode,
    })
}

/// Parses an annotation file's text; errors carry line and column.
pub fn parse_layer(path: &Path, json: &str) -> Result<LayerFile, ProjectError> {
    let version = check_version(path, json, "tagdesk-annotations", LAYER_FORMAT_VERSION)?;
    let file = match by_lines(json) {
        Some(file) => file,
        None => parse_with_serde(path, json, version)?,
    };
    check_spans(path, &file)?;
    Ok(file)
}

/// A version-2 file in the writer's shape, its annotations read by the line reader
/// ([`super::layer_lines`]); `None` for serde to read.
pub(super) fn by_lines(json: &str) -> Option<LayerFile> {
    let (annotations, rest) = super::layer_lines::split_v2(json)?;
    let mut file: LayerFile = serde_json::from_str(&rest).ok()?;
    file.annotations = annotations;
    Some(file)
}

/// Any annotation file serde reads, or where it is wrong.
fn parse_with_serde(path: &Path, json: &str, version: u32) -> Result<LayerFile, ProjectError> {
    // Version 2 writes one annotation a line: the lines count them, but for the ten of the
    // header and the end (and those of relations, if any). Version 1 gives no cheap count.
    let expected = if version >= 2 {
        memchr::memchr_iter(b'\n', json.as_bytes())
            .count()
            .saturating_sub(10)
    } else {
        0
    };
    EXPECTED.set(expected);
    let parsed = serde_json::from_str::<LayerFile>(json);
    EXPECTED.set(0);
    parsed.map_err(|e| ProjectError::parse(path, &e))
}

/// Checks what JSON cannot: each span's extent and pieces.
fn check_spans(path: &Path, file: &LayerFile) -> Result<(), ProjectError> {
    for a in &file.annotations {
        if !a.fragments_ok() {
            return Err(ProjectError::Invalid {
                path: path.to_owned(),
                message: format!(
                    "annotation {}: fragments {:?} must be sorted, apart, and frame {}..{}",
                    a.id,
                    a.fragments(),
                    a.start,
                    a.end
                ),
            });
        }
        if a.start >= a.end {
            return Err(ProjectError::Invalid {
                path: path.to_owned(),
                message: format!(
                    "annotation {} has an empty or inverted span {}..{}",
                    a.id, a.start, a.end
                ),
            });
        }
    }
    Ok(())
}

/// Reads and parses one annotation file, on any thread; errors name the file and the place.
/// For a reader that does not keep the layers (an export that streams them).
pub fn read_layer_file(path: &Path) -> Result<AnnotationLayer, ProjectError> {
    let bytes = std::fs::read(path).map_err(|e| ProjectError::io("cannot read", path, e))?;
    parse_layer_bytes(path, &bytes)
}

/// Parses a manifest's text: version first, then fields, then the schema's consistency.
pub fn parse_manifest(path: &Path, json: &str) -> Result<Manifest, ProjectError> {
    check_version(path, json, "tagdesk-project", PROJECT_FORMAT_VERSION)?;
    let manifest: Manifest =
        serde_json::from_str(json).map_err(|e| ProjectError::parse(path, &e))?;
    let problems = manifest.schema.problems();
    if !problems.is_empty() {
        return Err(ProjectError::Invalid {
            path: path.to_owned(),
            message: format!("bad label schema: {}", problems.join("; ")),
        });
    }
    Ok(manifest)
}

/// Refuses files of a newer format version before anything else is read from them; the
/// version found.
pub(super) fn check_version(
    path: &Path,
    json: &str,
    format: &str,
    supported: u32,
) -> Result<u32, ProjectError> {
    #[derive(Deserialize)]
    struct Probe {
        format: Option<String>,
        version: Option<u32>,
    }
    // Anything but an object (an array, a number, binary junk) is refused in plain words
    // rather than with the probe's internals.
    let first = json.trim_start().chars().next();
    if first.is_some() && first != Some('{') {
        let line = 1 + json[..json.len() - json.trim_start().len()]
            .matches('\n')
            .count();
        return Err(ProjectError::Parse {
            path: path.to_owned(),
            line,
            column: 1,
            message: "expected a JSON object ({ … })".to_owned(),
        });
    }
    // The files tagdesk writes begin with these two members: read them there rather than
    // scanning the whole file twice (a third of opening a big project).
    if let Some((found, version)) = leading_format_and_version(json) {
        return check_probe(path, Some(found), Some(version), format, supported).map(|()| version);
    }
    let probe: Probe = serde_json::from_str(json).map_err(|e| ProjectError::parse(path, &e))?;
    check_probe(
        path,
        probe.format.as_deref(),
        probe.version,
        format,
        supported,
    )
    .map(|()| probe.version.unwrap_or(0))
}

/// `{ "format": "…", "version": N, …` at the very start of a file (the layout tagdesk writes,
/// whitespace aside): the format (no escapes in it) and the version. Anything else: `None`,
/// and the whole file is probed.
fn leading_format_and_version(json: &str) -> Option<(&str, u32)> {
    fn token<'a>(rest: &'a str, t: &str) -> Option<&'a str> {
        rest.trim_start().strip_prefix(t)
    }
    let rest = token(json, "{")?;
    let rest = token(rest, "\"format\"")?;
    let rest = token(rest, ":")?;
    let rest = token(rest, "\"")?;
    let end = rest.find(['"', '\\'])?;
    let (format, rest) = rest.split_at(end);
    let rest = token(rest, "\"")?;
    let rest = token(rest, ",")?;
    let rest = token(rest, "\"version\"")?;
    let rest = token(rest, ":")?.trim_start();
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let version = rest[..digits].parse().ok()?;
    // The number must end there (not "2.5", not "2e3").
    token(&rest[digits..], ",")
        .or_else(|| token(&rest[digits..], "}"))
        .is_some()
        .then_some((format, version))
}

/// The format and version a file gave, checked.
pub(super) fn check_probe(
    path: &Path,
    found_format: Option<&str>,
    version: Option<u32>,
    format: &str,
    supported: u32,
) -> Result<(), ProjectError> {
    if found_format != Some(format) {
        return Err(ProjectError::Invalid {
            path: path.to_owned(),
            message: format!("\"format\" must be \"{format}\""),
        });
    }
    match version {
        Some(found) if found > supported => Err(ProjectError::TooNew {
            path: path.to_owned(),
            found,
            supported,
        }),
        Some(_) => Ok(()),
        None => Err(ProjectError::Invalid {
            path: path.to_owned(),
            message: "\"version\" is missing".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::leading_format_and_version as lead;

    #[test]
    fn the_leading_format_and_version_are_read_where_tagdesk_writes_them() {
        let v2 =
            "{\n  \"format\": \"tagdesk-annotations\",\n  \"version\": 2,\n  \"document\": \"a\"";
        assert_eq!(lead(v2), Some(("tagdesk-annotations", 2)));
        assert_eq!(lead(r#"{"format":"x","version":3}"#), Some(("x", 3)));
        // Anything else is left to the full probe.
        for other in [
            r#"{"version":2,"format":"x"}"#,
            r#"{"format":"x\"y","version":2}"#,
            r#"{"format":"x","version":2.5}"#,
            r#"{"format":"x","version":"2"}"#,
            "[1]",
        ] {
            assert_eq!(lead(other), None, "{other}");
        }
    }
}

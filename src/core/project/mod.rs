//! A project on disk: a plain folder with a manifest `tagdesk.json` and one annotation file per
//! annotator per document under `annotations/<annotator>/<document path>.json`.
//! See `docs/FORMAT.md`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::annotation::{
    Annotation, AnnotationLayer, DocStatus, Rejection, Relation, RelationRejection,
};
use super::schema::Schema;
use super::text::SourceText;

mod atomic;
mod commit;
mod error;
mod layer_file;
mod layer_lines;
mod layer_spans;
mod layers_on_disk;
mod names;
mod scan;

use crate::core::walk::has_extension;
pub use atomic::{AtomicFile, FileBatch, content_hash, write_atomic};
pub use commit::{BATCH, StagedLayers, write_layers};
pub use error::{DocumentError, ProjectError};
pub use layer_file::{
    Checkpoint, FileStamp, LayerCheck, LayerFile, LayerOnDisk, LayerRead, LayerWrite, LayerWritten,
    layer_to_json, parse_layer, parse_manifest, read_layer, read_layer_file, to_pretty_json,
};
use layer_file::{file_stamp, parse_layer_bytes, read_stamped};
pub use layer_spans::{SpanPiece, read_layer_spans};
pub use names::{CURATED, valid_annotator_name, valid_document_path, valid_layer_name};
use scan::relative_or_absolute;
pub use scan::scan_documents;

pub const MANIFEST_FILE: &str = "tagdesk.json";
pub const ANNOTATIONS_DIR: &str = "annotations";
/// Per-machine state (locks, journal); ignored by git.
pub const PRIVATE_DIR: &str = ".tagdesk";
/// The newest manifest format this program reads and writes.
pub const PROJECT_FORMAT_VERSION: u32 = 1;
/// The newest annotation-file format this program reads and writes.
pub const LAYER_FORMAT_VERSION: u32 = 2;

/// One annotator's layer of one document: the key of every layer map and file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LayerKey {
    /// The document's path relative to the source folder (`a/b.txt`).
    pub document: String,
    pub annotator: String,
}

impl LayerKey {
    pub fn new(document: impl Into<String>, annotator: impl Into<String>) -> Self {
        Self {
            document: document.into(),
            annotator: annotator.into(),
        }
    }
}

/// The manifest, `tagdesk.json`. Field order here is the order on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `"tagdesk-project"`.
    pub format: String,
    pub version: u32,
    pub name: String,
    /// The source folder: relative to the project folder, or absolute.
    pub sources: String,
    /// `"labels"` and `"relations"`.
    #[serde(flatten)]
    pub schema: Schema,
}

impl Manifest {
    pub fn new(name: impl Into<String>, sources: impl Into<String>) -> Self {
        Self {
            format: "tagdesk-project".to_owned(),
            version: PROJECT_FORMAT_VERSION,
            name: name.into(),
            sources: sources.into(),
            schema: Schema::default(),
        }
    }
}

/// A source document found in the source folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentEntry {
    /// Relative to the source folder, with `/`.
    pub path: String,
    pub size_bytes: u64,
}

/// One annotation file as read on a worker thread.
struct LoadedLayer {
    key: LayerKey,
    path: PathBuf,
    /// The layer as its file names it (document and annotator not yet checked against the
    /// file's place), and the hash of the file's bytes.
    result: Result<(AnnotationLayer, String), ProjectError>,
    stamp: Option<FileStamp>,
}

/// Reads (once) and parses an annotation file, with the hash of its bytes (empty when `hash`
/// is off: a read-only project never writes, so it needs no base to compare with).
fn load_layer_file(key: &LayerKey, path: &Path, hash: bool) -> LoadedLayer {
    let (result, stamp) = match read_stamped(path) {
        Err(e) => (Err(ProjectError::io("cannot read", path, e)), None),
        // Made into a layer here, on the worker, so the parsed vectors' slack is given back
        // file by file rather than held for the whole project at once.
        Ok((bytes, stamp)) => (
            parse_layer_bytes(path, &bytes).map(|layer| {
                let hash = if hash {
                    content_hash(&bytes)
                } else {
                    String::new()
                };
                (layer, hash)
            }),
            stamp,
        ),
    };
    LoadedLayer {
        key: key.clone(),
        path: path.to_owned(),
        result,
        stamp,
    }
}

/// The annotation files of the project at `root`, by annotator, then path.
fn layer_files_in(root: &Path) -> Vec<(LayerKey, PathBuf)> {
    let dir = root.join(ANNOTATIONS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new(); // No annotations yet.
    };
    let mut annotators: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| !name.starts_with('.'))
        .collect();
    annotators.sort();
    let mut jobs: Vec<(LayerKey, PathBuf)> = Vec::new();
    for annotator in annotators {
        jobs.extend(annotator_layer_files(&dir.join(&annotator), &annotator));
    }
    jobs
}

/// The layer files in one annotator's folder, with their keys.
pub(crate) fn annotator_layer_files(folder: &Path, annotator: &str) -> Vec<(LayerKey, PathBuf)> {
    crate::core::walk::readable_files(folder, &|name| has_extension(name, "json"), &[])
        .into_iter()
        .map(|(rel, path)| {
            let document = rel[..rel.len() - ".json".len()].to_owned();
            (LayerKey::new(document, annotator), path)
        })
        .collect()
}

/// Reads and parses the annotation files (only these annotators', when given; `hash`ed to
/// know them again when saving) on a thread per core, each taking the next files as it is
/// done (not fixed halves: one slow file does not leave a core idle), in order.
fn read_layers(root: &Path, only: Option<&[String]>, hash: bool) -> Vec<LoadedLayer> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const FILES_AT_A_TIME: usize = 16;
    let mut jobs = layer_files_in(root);
    if let Some(only) = only {
        jobs.retain(|(key, _)| only.contains(&key.annotator));
    }
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let next = AtomicUsize::new(0);
    let mut read: Vec<(usize, LoadedLayer)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(jobs.len().div_ceil(FILES_AT_A_TIME)))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let from = next.fetch_add(FILES_AT_A_TIME, Ordering::Relaxed);
                        let Some(part) = jobs.get(from..(from + FILES_AT_A_TIME).min(jobs.len()))
                        else {
                            break;
                        };
                        if part.is_empty() {
                            break;
                        }
                        for (i, (k, p)) in part.iter().enumerate() {
                            mine.push((from + i, load_layer_file(k, p, hash)));
                        }
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    read.sort_unstable_by_key(|(i, _)| *i);
    read.into_iter().map(|(_, loaded)| loaded).collect()
}

/// An annotation file that could not be read. Its layer is locked: never overwritten.
#[derive(Debug, Clone)]
pub struct LayerLoadError {
    pub key: LayerKey,
    pub file: PathBuf,
    pub message: String,
}

/// Reads and decodes a source file (any thread): what [`Project::read_text`] does once it
/// has checked the document is in the project.
pub fn load_text_file(file: &Path) -> Result<LoadedText, DocumentError> {
    let bytes = std::fs::read(file).map_err(|e| DocumentError::Io(e.to_string()))?;
    let sha256 = content_hash(&bytes);
    let text = SourceText::from_bytes(&bytes)?;
    Ok(LoadedText { text, sha256 })
}

/// A source text as loaded, with the hash of its bytes.
#[derive(Debug, Clone)]
pub struct LoadedText {
    pub text: SourceText,
    pub sha256: String,
}

/// How to open a project ([`Project::open_with`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Reading only: annotation files are not hashed and saving is refused.
    pub read_only: bool,
    pub layers: Layers,
}

/// Which annotation files to load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Layers {
    #[default]
    All,
    /// These annotators' only.
    Only(Vec<String>),
    /// None (the manifest, documents and layer list only).
    None,
}

/// An open project: manifest, document list and every annotation layer found on disk.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub source_dir: PathBuf,
    pub documents: Vec<DocumentEntry>,
    pub layers: BTreeMap<LayerKey, AnnotationLayer>,
    /// Annotation files that failed to load. Their layers are read-only this session.
    pub layer_errors: Vec<LayerLoadError>,
    /// Problems found while loading that do not block opening (e.g. a file whose name and
    /// content disagree).
    pub warnings: Vec<String>,
    /// Hash of each annotation file as last read or written: a save first checks the file on
    /// disk still has it, so another writer's changes are never overwritten.
    on_disk: HashMap<LayerKey, String>,
    /// Opened with [`Self::open_read_only`]: never written.
    read_only: bool,
    /// Size and time of each layer file as last read or written (see [`FileStamp`]).
    disk_stamps: HashMap<LayerKey, FileStamp>,
    /// Layers whose file changed on disk under unsaved edits: where our version was kept.
    /// Read-only until the project is reopened.
    pub conflicts: BTreeMap<LayerKey, PathBuf>,
    /// Hash of the manifest as last read or written.
    manifest_on_disk: String,
    /// The entity registry (`entities.json`; empty when there is none).
    pub entities: crate::core::entities::Registry,
    /// Hash of `entities.json` as last read or written (empty: there was none).
    entities_on_disk: String,
    /// Document metadata (`metadata.json`; empty when there is none).
    pub metadata: crate::core::metadata::Metadata,
    /// Opened with only these annotators' layers ([`Self::open_annotators`]); `None`: all.
    only: Option<Vec<String>>,
}

impl Project {
    pub fn manifest_path(root: &Path) -> PathBuf {
        root.join(MANIFEST_FILE)
    }

    pub fn entities_path(root: &Path) -> PathBuf {
        root.join(crate::core::entities::ENTITIES_FILE)
    }

    /// Hash of `entities.json` as last read or written (empty when there was none).
    pub fn entities_hash(&self) -> &str {
        &self.entities_on_disk
    }

    /// Writes the entity registry atomically, unless someone else changed the file since it
    /// was read: then ours is kept under `.tagdesk/conflicts/` and the file is left alone.
    pub fn save_entities(&mut self) -> Result<(), ProjectError> {
        let path = Self::entities_path(&self.root);
        if self.read_only {
            return Err(ProjectError::Invalid {
                path,
                message: "the project was opened read-only".to_owned(),
            });
        }
        let json = self.entities.to_json();
        let current = std::fs::read(&path)
            .ok()
            .map_or_else(String::new, |bytes| content_hash(&bytes));
        if current != self.entities_on_disk {
            let kept = self.conflict_copy_path(crate::core::entities::ENTITIES_FILE);
            write_atomic(&kept, json.as_bytes())
                .map_err(|e| ProjectError::io("cannot keep your version", &kept, e))?;
            return Err(ProjectError::ChangedOnDisk { path, kept });
        }
        write_atomic(&path, json.as_bytes())
            .map_err(|e| ProjectError::io("cannot save", &path, e))?;
        self.entities_on_disk = content_hash(json.as_bytes());
        Ok(())
    }

    pub fn is_project(dir: &Path) -> bool {
        Self::manifest_path(dir).is_file()
    }

    /// Makes `dir` a project (creating the folder if needed). With no `sources`, the project
    /// folder is its own source folder. Refuses to touch an existing project.
    pub fn init(
        dir: &Path,
        sources: Option<&Path>,
        name: Option<&str>,
    ) -> Result<Self, ProjectError> {
        let manifest_path = Self::manifest_path(dir);
        if manifest_path.exists() {
            return Err(ProjectError::AlreadyAProject {
                path: dir.to_owned(),
            });
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| ProjectError::io("cannot create the folder", dir, e))?;
        let sources = match sources {
            None => ".".to_owned(),
            Some(src) => {
                if !src.is_dir() {
                    return Err(ProjectError::Invalid {
                        path: src.to_owned(),
                        message: "the source folder does not exist".to_owned(),
                    });
                }
                relative_or_absolute(src, dir)
            }
        };
        let name = match name {
            Some(n) => n.to_owned(),
            None => dir
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "project".to_owned()),
        };
        let manifest = Manifest::new(name, sources);
        write_atomic(&manifest_path, to_pretty_json(&manifest).as_bytes())
            .map_err(|e| ProjectError::io("cannot write", &manifest_path, e))?;
        let gitignore = dir.join(".gitignore");
        if !gitignore.exists() {
            write_atomic(&gitignore, format!("{PRIVATE_DIR}/\n").as_bytes())
                .map_err(|e| ProjectError::io("cannot write", &gitignore, e))?;
        }
        Self::open(dir)
    }

    /// The one project opener: reads the manifest, lists the documents, finishes a many-file
    /// save a crash interrupted after its commit point, and loads the annotation files the
    /// options ask for. A broken annotation file does not stop the project from opening. The
    /// named openers below are these options under a name.
    pub fn open_with(root: &Path, options: &OpenOptions) -> Result<Self, ProjectError> {
        let only = match &options.layers {
            Layers::All => None,
            Layers::Only(annotators) => Some(annotators.clone()),
            Layers::None => {
                let mut project = Self::scan(root)?;
                project.read_only = options.read_only;
                project.warnings.extend(commit::recover(root));
                return Ok(project);
            }
        };
        if !Self::manifest_path(root).is_file() {
            return Err(ProjectError::NotAProject {
                path: root.to_owned(),
            });
        }
        // The source folder is listed (on a thread of its own) while the annotation files are
        // read: neither needs the other. Threads of the open's own, not the shared pool's: a
        // long job on the pool (training suggestions) never holds a project's opening up.
        let (scanned, (recovered, loaded)) = std::thread::scope(|scope| {
            let scan = scope.spawn(|| Self::scan(root));
            // Committed is committed: a reader sees the step whole too (see `commit`).
            let recovered = commit::recover(root);
            let loaded = read_layers(root, only.as_deref(), !options.read_only);
            let scanned = scan.join().unwrap_or_else(|_| {
                Err(ProjectError::Invalid {
                    path: root.to_owned(),
                    message: "listing the documents stopped unexpectedly".to_owned(),
                })
            });
            (scanned, (recovered, loaded))
        });
        let mut project = scanned?;
        project.read_only = options.read_only;
        project.only = only;
        project.warnings.extend(recovered);
        project.take_in(loaded);
        Ok(project)
    }

    /// Every annotation file, to edit and save.
    pub fn open(root: &Path) -> Result<Self, ProjectError> {
        Self::open_with(root, &OpenOptions::default())
    }

    /// Opened with [`Self::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// To read only (export, statistics, agreement): annotation files are not hashed — nothing
    /// will be compared with them — and saving is refused.
    pub fn open_read_only(root: &Path) -> Result<Self, ProjectError> {
        Self::open_with(
            root,
            &OpenOptions {
                read_only: true,
                ..OpenOptions::default()
            },
        )
    }

    /// Only some annotators' layers: what a command that writes those alone needs (`tagdesk
    /// import --annotator`): the others' files are neither read nor written, and their crash
    /// journals are left for whoever opens the project whole.
    pub fn open_annotators(root: &Path, annotators: &[String]) -> Result<Self, ProjectError> {
        Self::open_with(
            root,
            &OpenOptions {
                layers: Layers::Only(annotators.to_vec()),
                ..OpenOptions::default()
            },
        )
    }

    /// Whether this annotator's layers were loaded (all are, unless [`Self::open_annotators`]).
    pub fn holds_annotator(&self, annotator: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|a| a == annotator))
    }

    /// To read only, without its annotation files: the commands that read those leanly
    /// themselves (`agree`: spans only, see [`read_layer_spans`]) list them with
    /// [`Self::layer_files`].
    pub fn open_without_layers(root: &Path) -> Result<Self, ProjectError> {
        Self::open_with(
            root,
            &OpenOptions {
                read_only: true,
                layers: Layers::None,
            },
        )
    }

    /// The manifest and the list of documents, without reading any annotation file: what a
    /// corpus search needs (layers stay empty; do not save such a project).
    pub fn scan(root: &Path) -> Result<Self, ProjectError> {
        let manifest_path = Self::manifest_path(root);
        if !manifest_path.is_file() {
            return Err(ProjectError::NotAProject {
                path: root.to_owned(),
            });
        }
        let json = std::fs::read_to_string(&manifest_path)
            .map_err(|e| ProjectError::io("cannot read", &manifest_path, e))?;
        let manifest = parse_manifest(&manifest_path, &json)?;
        let source_dir = root.join(&manifest.sources);
        if !source_dir.is_dir() {
            return Err(ProjectError::Invalid {
                path: source_dir,
                message: format!("the source folder \"{}\" does not exist", manifest.sources),
            });
        }
        let documents = scan_documents(root, &source_dir)
            .map_err(|e| ProjectError::io("cannot list the source folder", &source_dir, e))?;
        let entities_path = Self::entities_path(root);
        let (entities, entities_on_disk) = match std::fs::read_to_string(&entities_path) {
            Ok(json) => {
                let registry = crate::core::entities::Registry::parse(&json)
                    .map_err(|e| ProjectError::file(&entities_path, e))?;
                (registry, content_hash(json.as_bytes()))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Default::default(),
            Err(e) => return Err(ProjectError::io("cannot read", &entities_path, e)),
        };
        let metadata_path = root.join(crate::core::metadata::METADATA_FILE);
        let metadata = match std::fs::read_to_string(&metadata_path) {
            Ok(json) => crate::core::metadata::Metadata::parse(&json)
                .map_err(|e| ProjectError::file(&metadata_path, e))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                crate::core::metadata::Metadata::default()
            }
            Err(e) => return Err(ProjectError::io("cannot read", &metadata_path, e)),
        };
        Ok(Self {
            root: root.to_owned(),
            manifest,
            source_dir,
            documents,
            layers: BTreeMap::new(),
            layer_errors: Vec::new(),
            only: None,
            warnings: Vec::new(),
            on_disk: HashMap::new(),
            read_only: false,
            disk_stamps: HashMap::new(),
            conflicts: BTreeMap::new(),
            manifest_on_disk: content_hash(json.as_bytes()),
            entities,
            entities_on_disk,
            metadata,
        })
    }

    /// Every annotation file of the project, by its layer (annotators in order); none read.
    pub fn layer_files(&self) -> Vec<(LayerKey, PathBuf)> {
        layer_files_in(&self.root)
    }

    /// Takes in annotation files read by [`read_layers`], in order.
    fn take_in(&mut self, results: Vec<LoadedLayer>) {
        for loaded in results {
            match loaded.result {
                Ok((mut layer, hash)) => {
                    let LayerKey {
                        document,
                        annotator,
                    } = &loaded.key;
                    if &layer.document != document || &layer.annotator != annotator {
                        self.warnings.push(format!(
                            "{}: the file says document \"{}\" by \"{}\", its place says \
                             \"{document}\" by \"{annotator}\"; its place wins",
                            loaded.path.display(),
                            layer.document,
                            layer.annotator
                        ));
                    }
                    layer.document.clone_from(document);
                    layer.annotator.clone_from(annotator);
                    self.on_disk.insert(loaded.key.clone(), hash);
                    if let Some(stamp) = loaded.stamp {
                        self.disk_stamps.insert(loaded.key.clone(), stamp);
                    }
                    self.layers.insert(loaded.key, layer);
                }
                Err(err) => self.layer_errors.push(LayerLoadError {
                    key: loaded.key,
                    file: loaded.path,
                    message: err.to_string(),
                }),
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    pub fn schema(&self) -> &Schema {
        &self.manifest.schema
    }

    pub fn document(&self, path: &str) -> Option<&DocumentEntry> {
        self.documents
            .binary_search_by(|d| d.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.documents[i])
    }

    pub fn document_file(&self, path: &str) -> PathBuf {
        self.source_dir.join(path)
    }

    pub fn layer_file(&self, key: &LayerKey) -> PathBuf {
        Self::layer_path(&self.root, key)
    }

    /// [`Self::layer_file`] of the project at `root`.
    pub fn layer_path(root: &Path, key: &LayerKey) -> PathBuf {
        root.join(ANNOTATIONS_DIR)
            .join(&key.annotator)
            .join(format!("{}.json", key.document))
    }

    /// Reads and decodes a document.
    pub fn read_text(&self, path: &str) -> Result<LoadedText, DocumentError> {
        if !valid_document_path(path) || self.document(path).is_none() {
            return Err(DocumentError::Missing);
        }
        load_text_file(&self.document_file(path))
    }

    /// Annotators with a layer in this project, sorted.
    /// Every layer of one document, by annotator (a range of the sorted map: no walk over the
    /// whole project).
    pub fn layers_of<'a>(
        &'a self,
        document: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a AnnotationLayer)> + 'a {
        self.layers
            .range(LayerKey::new(document, "")..)
            .take_while(move |(k, _)| k.document == document)
            .map(|(k, l)| (k.annotator.as_str(), l))
    }

    pub fn annotators(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .layers
            .keys()
            .map(|LayerKey { annotator: a, .. }| a.clone())
            .collect();
        names.extend(self.layer_errors.iter().map(|e| e.key.annotator.clone()));
        names.sort();
        names.dedup();
        names
    }

    /// Lists the source folder again. Returns the documents added and removed. Annotations of a
    /// removed document stay (see [`Self::orphaned_layers`]).
    pub fn rescan_documents(&mut self) -> Result<(Vec<String>, Vec<String>), ProjectError> {
        let documents = scan_documents(&self.root, &self.source_dir)
            .map_err(|e| ProjectError::io("cannot list the source folder", &self.source_dir, e))?;
        Ok(self.set_documents(documents))
    }

    /// Layers whose document is not in the source folder (any more): kept, never deleted.
    pub fn orphaned_layers(&self) -> Vec<&LayerKey> {
        self.layers
            .keys()
            .filter(|LayerKey { document: doc, .. }| self.document(doc).is_none())
            .collect()
    }

    /// The document a path in the source folder names, if it is a `.txt` under it.
    pub fn document_for_path(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.source_dir).ok()?;
        let rel = rel.to_str()?.replace('\\', "/");
        (has_extension(&rel, "txt") && valid_document_path(&rel)).then_some(rel)
    }

    /// The layer an annotation file path belongs to, if it is one.
    pub fn layer_key_for_path(&self, path: &Path) -> Option<LayerKey> {
        let rel = path.strip_prefix(self.root.join(ANNOTATIONS_DIR)).ok()?;
        let rel = rel.to_str()?.replace('\\', "/");
        let (annotator, file) = rel.split_once('/')?;
        let document = file.strip_suffix(".json")?;
        (valid_layer_name(annotator).is_ok() && valid_document_path(document))
            .then(|| LayerKey::new(document, annotator))
    }

    /// [`Self::save_manifest`] into a commit of many files ([`StagedLayers`]): written beside
    /// the manifest now, put in place with the commit's layers. A manifest changed on disk
    /// since it was read is not staged: ours is kept aside, as [`Self::save_manifest`] does.
    pub fn stage_manifest(&self, staged: &mut StagedLayers) -> Result<(), ProjectError> {
        let (path, json, current) = self.manifest_to_write()?;
        staged
            .stage_file(&path, json.as_bytes(), current)
            .map_err(|e| ProjectError::io("cannot save", &path, e))
    }

    /// The manifest's path, its new JSON and the hash of the file it replaces — unless the
    /// project is read-only, or someone else changed the file since it was read: then our
    /// version is kept under `.tagdesk/conflicts/` and the file is left alone.
    fn manifest_to_write(&self) -> Result<(PathBuf, String, Option<String>), ProjectError> {
        let path = Self::manifest_path(&self.root);
        if self.read_only {
            return Err(ProjectError::Invalid {
                path,
                message: "the project was opened read-only".to_owned(),
            });
        }
        let json = to_pretty_json(&self.manifest);
        let current = std::fs::read(&path).ok().map(|bytes| content_hash(&bytes));
        if current.as_ref() != Some(&self.manifest_on_disk) {
            let kept = self.conflict_copy_path(MANIFEST_FILE);
            write_atomic(&kept, json.as_bytes())
                .map_err(|e| ProjectError::io("cannot keep your version", &kept, e))?;
            return Err(ProjectError::ChangedOnDisk { path, kept });
        }
        Ok((path, json, current))
    }

    /// Writes the manifest atomically, unless someone else changed it since it was read: then
    /// our version is kept under `.tagdesk/conflicts/` and the file is left alone.
    pub fn save_manifest(&mut self) -> Result<(), ProjectError> {
        let (path, json, _) = self.manifest_to_write()?;
        write_atomic(&path, json.as_bytes())
            .map_err(|e| ProjectError::io("cannot save", &path, e))?;
        self.manifest_on_disk = content_hash(json.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests;

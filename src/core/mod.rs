//! The GUI-free core: texts and offsets, annotations and edits, the label schema, undo history,
//! project persistence, validation and statistics. Nothing here may use egui, eframe or rfd:
//! the CLI and the GUI both drive these functions (`tests/architecture.rs` checks it).

pub mod agreement;
pub mod annotation;
pub mod entities;
pub mod faults;
pub mod history;
pub mod job;
pub mod journal;
pub mod lock;
pub mod metadata;
pub mod network;
pub mod project;
pub mod reanchor;
pub mod recommend;
pub mod review;
pub mod schema;
pub mod search;
pub mod stats;
pub mod suggest;
pub mod team;
pub mod text;
pub mod validate;
pub mod versioned;
pub mod walk;
pub mod workspace;

pub use annotation::{Annotation, AnnotationLayer, DocStatus, Edit};
pub use project::{LayerKey, Project, ProjectError};
pub use schema::{LabelDef, Schema};
pub use text::SourceText;
pub use workspace::Workspace;

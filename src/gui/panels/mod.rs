//! The panels around and under the text, one file each. A panel draws from a [`FrameCtx`]
//! (read-only access plus the action queue) and keeps only its own view state.
//!
//! [`FrameCtx`]: super::state::FrameCtx

pub mod document;
pub mod documents;
pub mod entity_picker;
pub mod labels;
pub mod menu_bar;
pub mod review;
pub mod status_bar;

/// The panels that keep state of their own.
#[derive(Default)]
pub struct Panels {
    pub labels: labels::LabelsPanel,
    pub document: document::DocumentPanel,
    pub documents: documents::DocumentsPanel,
    /// The review panel, when open.
    pub review: Option<review::Review>,
}

//! Spans following their text when a source file changed: planned on any thread
//! ([`crate::core::reanchor`]), applied here as one undo step.

use super::{Workspace, WorkspaceError};
use crate::core::annotation::{AnnotationLayer, Edit};
use crate::core::project::LayerKey;
use crate::core::reanchor::{PlannedReanchor, ReanchorPlan, ReanchorReport};

impl Workspace {
    /// Whether a layer was made against another version of its source text.
    pub fn source_changed(&mut self, key: &LayerKey) -> bool {
        let Some(layer) = self.project.layers.get(key) else {
            return false;
        };
        if layer.source_sha256.is_empty() {
            return false;
        }
        let recorded = layer.source_sha256.clone();
        self.text(&key.document).is_ok_and(|t| t.sha256 != recorded)
    }

    /// After the source text changed: moves each span to where its text now is, flags the ones
    /// that cannot be placed with certainty, and records the new text's hash — one undo step.
    /// `None` when the layer already matches its text.
    pub fn reanchor(&mut self, key: &LayerKey) -> Result<Option<ReanchorReport>, WorkspaceError> {
        if !self.source_changed(key) {
            return Ok(None);
        }
        let text = self.text(&key.document)?;
        let Some(layer) = self.project.layers.get(key) else {
            return Ok(None);
        };
        let plan = ReanchorPlan::new(key.clone(), layer.clone(), text).run();
        self.apply_reanchor(plan).map(Some)
    }

    /// What re-anchoring a layer needs, to plan it on another thread ([`ReanchorPlan::run`];
    /// the layer is shared, not copied); `None` when the layer already matches its text.
    pub fn reanchor_plan(&mut self, key: &LayerKey) -> Option<ReanchorPlan> {
        if !self.source_changed(key) {
            return None;
        }
        let text = self.text(&key.document).ok()?;
        let layer = self.project.layers.get(key)?.clone();
        Some(ReanchorPlan::new(key.clone(), layer, text))
    }

    /// Applies a planned re-anchoring as one undo step — if the layer and its text are still
    /// the ones planned for; otherwise [`WorkspaceError::Stale`] (plan again).
    pub fn apply_reanchor(
        &mut self,
        plan: PlannedReanchor,
    ) -> Result<ReanchorReport, WorkspaceError> {
        let current = self
            .project
            .layers
            .get(&plan.key)
            .map(AnnotationLayer::revision);
        let text_now = self
            .cached_text(&plan.key.document)
            .and_then(|t| t.as_ref().ok().map(|t| t.sha256.clone()));
        if current != Some(plan.revision) || text_now.as_deref() != Some(plan.sha256.as_str()) {
            return Err(WorkspaceError::Stale);
        }
        let mut edits = plan.edits;
        edits.push(Edit::SetSourceHash(plan.sha256));
        self.apply(&plan.key, "re-anchor after the text changed", None, edits)?;
        Ok(plan.report)
    }
}

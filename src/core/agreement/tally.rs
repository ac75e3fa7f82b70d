//! Agreement document by document: each document is measured on its own ([`Tally::measure`],
//! on any thread) into a small [`DocumentPart`] — its matches per pair and label, its tokens
//! as rows of values, its units per label — and the parts are added up in document order
//! ([`Tally::add`]). Nothing holds more than one document's spans and text at a time, so
//! agreement straight from a corpus's files needs the memory of its largest document (and a
//! few numbers per document for the per-document figures), not of the corpus.

use rustc_hash::FxHashMap;

use super::super::annotation::Str;
use super::indexed::{self, IDoc};
use super::spans::{self, SpanTally};
use super::tokens::{self, TokenPart, TokenTally};
use super::unitizing::{self, UnitizingPart, UnitizingTally};
use super::{Counts, Matching, Report, StudyDocument, Tokens};

/// How many documents are read and measured at a time, on all cores, before their parts are
/// added: enough to keep two cores busy past an uneven document, few enough that memory stays
/// that of a handful of documents.
const AT_A_TIME: usize = 32;

/// One document's share of every measure.
pub struct DocumentPart {
    path: String,
    /// The document's labels, sorted: the parts below number them in this order.
    labels: Vec<Str>,
    exact: Vec<Counts>,
    overlap: Vec<Counts>,
    /// `None` without a text.
    token_f1: Option<Vec<Counts>>,
    token: Option<TokenPart>,
    unitizing: Option<UnitizingPart>,
}

/// The measures of the documents added so far.
pub struct Tally {
    annotators: Vec<String>,
    tokens: Tokens,
    pairs: Vec<(usize, usize)>,
    /// Every label seen, by id (in the order first seen).
    labels: Vec<Str>,
    ids: FxHashMap<Str, u32>,
    documents: Vec<String>,
    exact: SpanTally,
    overlap: SpanTally,
    token_f1: SpanTally,
    token: TokenTally,
    unitizing: UnitizingTally,
    warnings: Vec<String>,
}

impl Tally {
    pub fn new(annotators: Vec<String>, tokens: Tokens) -> Self {
        let pairs: Vec<(usize, usize)> = (0..annotators.len())
            .flat_map(|i| (i + 1..annotators.len()).map(move |j| (i, j)))
            .collect();
        Self {
            exact: SpanTally::new(pairs.len()),
            overlap: SpanTally::new(pairs.len()),
            token_f1: SpanTally::new(pairs.len()),
            annotators,
            tokens,
            pairs,
            labels: Vec::new(),
            ids: FxHashMap::default(),
            documents: Vec::new(),
            token: TokenTally::default(),
            unitizing: UnitizingTally::default(),
            warnings: Vec::new(),
        }
    }

    /// Measures one document (its units in the tally's annotator order); any thread.
    pub fn measure(&self, doc: &StudyDocument) -> DocumentPart {
        let labels = indexed::labels_of(doc);
        let idoc = IDoc::new(doc, &labels, self.tokens);
        let span = |m| spans::measure(&idoc, &self.pairs, labels.len(), m);
        DocumentPart {
            path: doc.path.clone(),
            exact: span(Matching::Exact).unwrap_or_default(),
            overlap: span(Matching::Overlap).unwrap_or_default(),
            token_f1: span(Matching::Tokens),
            token: tokens::measure(&idoc, self.annotators.len()),
            unitizing: unitizing::measure(&idoc),
            labels,
        }
    }

    /// Adds a document's part; parts are added in the documents' order (the continuum of the
    /// character measure lays the documents end to end in that order).
    pub fn add(&mut self, part: DocumentPart) {
        let global: Vec<u32> = part
            .labels
            .into_iter()
            .map(|label| {
                let next = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
                *self.ids.entry(label).or_insert_with_key(|label| {
                    self.labels.push(label.clone());
                    next
                })
            })
            .collect();
        self.exact.add(&part.path, &part.exact, &global);
        self.overlap.add(&part.path, &part.overlap, &global);
        if let Some(counts) = &part.token_f1 {
            self.token_f1.add(&part.path, counts, &global);
        }
        if let Some(token) = part.token {
            self.token.add(token, &global);
        }
        if let Some(unitizing) = part.unitizing {
            self.unitizing.add(unitizing, &global);
        }
        self.documents.push(part.path);
    }

    /// Adds a warning to the report (a document left out, a text that could not be read).
    pub fn warn(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    /// Reads (with `read`), measures and adds `inputs` in order, a few documents at a time on
    /// all cores: memory holds those few documents, never the corpus. `read` gives `None` for
    /// an input to leave out; the first error stops.
    pub fn add_all<I: Sync, E: Send>(
        &mut self,
        inputs: &[I],
        read: impl Fn(&I) -> Result<Option<StudyDocument>, E> + Sync,
    ) -> Result<(), E> {
        use rayon::prelude::*;
        for chunk in inputs.chunks(AT_A_TIME) {
            let parts: Vec<Option<DocumentPart>> = chunk
                .par_iter()
                .map(|input| Ok(read(input)?.map(|doc| self.measure(&doc))))
                .collect::<Result<_, E>>()?;
            for part in parts.into_iter().flatten() {
                self.add(part);
            }
        }
        Ok(())
    }

    /// Every figure of the documents added.
    pub fn finish(self) -> Report {
        let mut order: Vec<u32> =
            (0..u32::try_from(self.labels.len()).unwrap_or(u32::MAX)).collect();
        order.sort_unstable_by(|&a, &b| self.labels[a as usize].cmp(&self.labels[b as usize]));
        let span = |t: SpanTally| t.finish(&self.annotators, &self.pairs, &self.labels, &order);
        Report {
            exact: span(self.exact),
            overlap: span(self.overlap),
            token_f1: span(self.token_f1),
            token: self
                .token
                .finish(&self.annotators, &self.labels, &order, self.tokens),
            unitizing: self.unitizing.finish(&self.labels, &order),
            annotators: self.annotators,
            documents: self.documents,
            warnings: self.warnings,
        }
    }
}

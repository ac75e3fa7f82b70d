//! Training the CRF: the averaged perceptron (Collins 2002), as `CRFsuite` runs it, on
//! [`super::crf`]'s decoder.
//!
//! Why not `crfs`'s trainer, which the first version used: on 1,000 documents it took 18 s and
//! 420 MB (BENCHMARKS.md). Half of the time was its generic scoring, and most of the memory
//! its dataset — a 16-byte record (attribute id and a floating-point value) for each of the
//! twenty-odd attributes of every word. Here every attribute is present or absent, so a word is
//! its attributes' 4-byte ids, and the weights are integers while training (a perceptron adds
//! and takes ones): `i32` counts and `i64` sums for the average, exact, so training is
//! deterministic to the bit. Each pass visits the sentences in a seeded shuffled order.
//!
//! Only the (attribute, tag) pairs seen in the training data get a weight, as in `CRFsuite`:
//! the table is sparse per attribute (the tags it was seen with).

use std::collections::HashMap;

use super::crf::Weights;

/// The training data, compact: each word as its attributes' ids.
#[derive(Default)]
pub struct Trainer {
    names: HashMap<String, u32>,
    tags: HashMap<String, u16>,
    tag_names: Vec<String>,
    /// Attribute ids of every word of every sentence, one after the other.
    attributes: Vec<u32>,
    /// Where each word's attributes start in `attributes` (one more entry at the end).
    words: Vec<u32>,
    /// Where each sentence's words start in `words`.
    sentences: Vec<u32>,
    /// Each word's gold tag.
    gold: Vec<u16>,
}

impl Trainer {
    pub fn new() -> Self {
        Self {
            words: vec![0],
            ..Self::default()
        }
    }

    fn tag_id(&mut self, tag: &str) -> u16 {
        if let Some(&id) = self.tags.get(tag) {
            return id;
        }
        #[allow(clippy::cast_possible_truncation)]
        let id = self.tag_names.len() as u16;
        self.tags.insert(tag.to_owned(), id);
        self.tag_names.push(tag.to_owned());
        id
    }

    /// Adds a sentence: each word's attributes and its gold tag.
    pub fn append(&mut self, x: Vec<Vec<String>>, tags: &[String]) {
        self.sentences
            .push(u32::try_from(self.words.len() - 1).unwrap_or(u32::MAX));
        for (attributes, tag) in x.into_iter().zip(tags) {
            for a in attributes {
                let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
                let id = *self.names.entry(a).or_insert(next);
                self.attributes.push(id);
            }
            self.words
                .push(u32::try_from(self.attributes.len()).unwrap_or(u32::MAX));
            let t = self.tag_id(tag);
            self.gold.push(t);
        }
    }

    fn sentence(&self, s: usize) -> std::ops::Range<usize> {
        let start = self.sentences[s] as usize;
        let end = self
            .sentences
            .get(s + 1)
            .map_or(self.words.len() - 1, |&e| e as usize);
        start..end
    }

    fn word_attributes(&self, w: usize) -> &[u32] {
        &self.attributes[self.words[w] as usize..self.words[w + 1] as usize]
    }

    /// Trains for `passes` passes and hands out the averaged weights.
    pub fn train(mut self, passes: usize, seed: u64) -> Weights {
        // "O" first, so that an untrained model tags nothing.
        if !self.tags.contains_key("O") {
            self.tag_id("O");
        }
        let nt = self.tag_names.len();
        // The tags each attribute was tags_of with: its weights' slots.
        let na = self.names.len();
        let mut tags_of: Vec<Vec<u16>> = vec![Vec::new(); na];
        for word in 0..self.gold.len() {
            let tag = self.gold[word];
            for &a in self.word_attributes(word) {
                let tags = &mut tags_of[a as usize];
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        let mut slot_of: Vec<u32> = Vec::with_capacity(na + 1);
        let mut slot_tag: Vec<u16> = Vec::new();
        for tags in &mut tags_of {
            tags.sort_unstable();
            slot_of.push(u32::try_from(slot_tag.len()).unwrap_or(u32::MAX));
            slot_tag.extend_from_slice(tags);
        }
        slot_of.push(u32::try_from(slot_tag.len()).unwrap_or(u32::MAX));
        drop(tags_of);
        let slots = slot_tag.len();
        // Weights and the sums for the average: state slots, then L × L transitions.
        let mut weight = vec![0i32; slots + nt * nt];
        let mut sums = vec![0i64; slots + nt * nt];
        let mut step: i64 = 1;
        let mut order: Vec<usize> = (0..self.sentences.len()).collect();
        let mut state = seed | 1;
        let mut scores: Vec<f64> = Vec::new();
        let mut trans = vec![0.0; nt * nt];
        for _ in 0..passes {
            super::shuffle(&mut order, &mut state);
            for &s in &order {
                let range = self.sentence(s);
                let len = range.len();
                if len == 0 {
                    continue;
                }
                scores.clear();
                scores.resize(len * nt, 0.0);
                for (k, word) in range.clone().enumerate() {
                    for &a in self.word_attributes(word) {
                        let a = a as usize;
                        for slot in slot_of[a] as usize..slot_of[a + 1] as usize {
                            scores[k * nt + usize::from(slot_tag[slot])] += f64::from(weight[slot]);
                        }
                    }
                }
                for (x, &y) in trans.iter_mut().zip(&weight[slots..]) {
                    *x = f64::from(y);
                }
                let predicted = super::crf::viterbi(&scores, &trans, nt);
                let gold = &self.gold[range.clone()];
                let mut update = |slot: usize, by: i32| {
                    weight[slot] += by;
                    sums[slot] += step * i64::from(by);
                };
                for (k, word) in range.enumerate() {
                    let (g, p) = (usize::from(gold[k]), predicted[k]);
                    if g != p {
                        for &a in self.word_attributes(word) {
                            let a = a as usize;
                            let tags = &slot_tag[slot_of[a] as usize..slot_of[a + 1] as usize];
                            if let Ok(i) = tags.binary_search(&gold[k]) {
                                update(slot_of[a] as usize + i, 1);
                            }
                            #[allow(clippy::cast_possible_truncation)]
                            if let Ok(i) = tags.binary_search(&(p as u16)) {
                                update(slot_of[a] as usize + i, -1);
                            }
                        }
                    }
                    if k > 0 {
                        let (g0, p0) = (usize::from(gold[k - 1]), predicted[k - 1]);
                        if (g0, g) != (p0, p) {
                            update(slots + g0 * nt + g, 1);
                            update(slots + p0 * nt + p, -1);
                        }
                    }
                }
                step += 1;
            }
        }
        // The average: weight − sums / step.
        #[allow(clippy::cast_precision_loss)]
        let average = |i: usize| f64::from(weight[i]) - sums[i] as f64 / step as f64;
        let mut names: Vec<(String, u32)> = self.names.into_iter().collect();
        names.sort_unstable_by_key(|(_, id)| *id);
        let mut state_weights = HashMap::new();
        for (name, id) in names {
            let a = id as usize;
            let weights: Vec<(u32, f64)> = (slot_of[a] as usize..slot_of[a + 1] as usize)
                .map(|slot| (u32::from(slot_tag[slot]), average(slot)))
                .filter(|(_, x)| *x != 0.0)
                .collect();
            if !weights.is_empty() {
                state_weights.insert(name, weights);
            }
        }
        let trans = (0..nt * nt).map(|i| average(slots + i)).collect();
        Weights::new(self.tag_names, trans, state_weights)
    }
}

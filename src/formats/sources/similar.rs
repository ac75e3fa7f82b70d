//! Duplicate articles, as news databases deliver them (the same story twice in a batch, or in
//! two batches): the cosine similarity of their counts of word pairs (bigrams: two texts on one
//! topic share words, a reprint shares their order), compared among articles of the same day
//! (as `LexisNexisTools`' `lnt_similarity` compares articles within a date).

use std::collections::HashMap;

use super::Article;

/// Two articles (indices into the list given) and how alike they are (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    /// The earlier one, which is kept.
    pub first: usize,
    /// The later one, which may be left out.
    pub second: usize,
    pub similarity: f64,
}

/// Pairs of articles at least `threshold` alike (0.95 catches reprints with a changed line)
/// and of nearly the same length (the shorter at least 80 % of the longer: a story and its
/// follow-up that repeats it are not duplicates).
pub fn duplicates(articles: &[Article], threshold: f64) -> Vec<Duplicate> {
    let vectors: Vec<HashMap<String, f64>> = articles.iter().map(|a| words(&a.text)).collect();
    let lengths: Vec<f64> = vectors.iter().map(|v| v.values().sum::<f64>()).collect();
    let norms: Vec<f64> = vectors
        .iter()
        .map(|v| v.values().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let mut out = Vec::new();
    for i in 0..articles.len() {
        for j in i + 1..articles.len() {
            let day = |a: &Article| a.date.get(..10).unwrap_or_default().to_owned();
            let alike_length = lengths[i].min(lengths[j]) >= 0.8 * lengths[i].max(lengths[j]);
            if day(&articles[i]) != day(&articles[j]) || !alike_length || norms[i] == 0.0 {
                continue;
            }
            let (small, large) = if vectors[i].len() < vectors[j].len() {
                (&vectors[i], &vectors[j])
            } else {
                (&vectors[j], &vectors[i])
            };
            let dot: f64 = small
                .iter()
                .filter_map(|(w, x)| large.get(w).map(|y| x * y))
                .sum();
            let similarity = dot / (norms[i] * norms[j]);
            if similarity >= threshold {
                out.push(Duplicate {
                    first: i,
                    second: j,
                    similarity,
                });
            }
        }
    }
    out
}

fn words(text: &str) -> HashMap<String, f64> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut counts = HashMap::new();
    for pair in words.windows(2) {
        *counts
            .entry(format!("{} {}", pair[0], pair[1]))
            .or_insert(0.0) += 1.0;
    }
    counts
}

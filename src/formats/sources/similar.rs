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
/// follow-up that repeats it are not duplicates). Articles with the very same words are paired
/// with the first of them at once (similarity 1); only the distinct ones are compared, pair by
/// pair within a day, on all cores.
pub fn duplicates(articles: &[Article], threshold: f64) -> Vec<Duplicate> {
    use rayon::prelude::*;
    let mut out = Vec::new();
    // The same words: a duplicate of the first with them.
    let mut first_with: HashMap<u64, usize> = HashMap::new();
    let mut distinct = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        let key = fingerprint(a);
        if let Some(&first) = first_with.get(&key) {
            out.push(Duplicate {
                first,
                second: i,
                similarity: 1.0,
            });
        } else {
            first_with.insert(key, i);
            distinct.push(i);
        }
    }
    let vectors: Vec<HashMap<String, f64>> = distinct
        .par_iter()
        .map(|&i| words(&articles[i].text))
        .collect();
    let lengths: Vec<f64> = vectors.iter().map(|v| v.values().sum::<f64>()).collect();
    let norms: Vec<f64> = vectors
        .iter()
        .map(|v| v.values().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let days: Vec<&str> = distinct
        .iter()
        .map(|&i| articles[i].date.get(..10).unwrap_or_default())
        .collect();
    let near: Vec<Duplicate> = (0..distinct.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let (vectors, lengths, norms, distinct, days) =
                (&vectors, &lengths, &norms, &distinct, &days);
            (i + 1..distinct.len()).filter_map(move |j| {
                let alike_length = lengths[i].min(lengths[j]) >= 0.8 * lengths[i].max(lengths[j]);
                if days[i] != days[j] || !alike_length || norms[i] == 0.0 || norms[j] == 0.0 {
                    return None;
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
                (similarity >= threshold).then(|| Duplicate {
                    first: distinct[i],
                    second: distinct[j],
                    similarity,
                })
            })
        })
        .collect();
    out.extend(near);
    out.sort_by_key(|d| (d.second, d.first));
    out
}

/// A hash of the article's words (case and punctuation aside) and its day.
fn fingerprint(a: &Article) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    a.date.get(..10).unwrap_or_default().hash(&mut h);
    for w in a
        .text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        w.to_lowercase().hash(&mut h);
    }
    h.finish()
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

//! The CRF's weights and decoding with confidences: Viterbi for the best tag sequence,
//! forward–backward (in log space) for each word's marginal probability of its tag — how sure
//! the model is of each span (shown on hover, and a floor the user sets) and of each sentence
//! (the active-learning order). Trained by [`super::perceptron`].
//!
//! Stored form ([`Weights::to_bytes`]): the tags as one JSON line, then little-endian binary —
//! the L × L transition weights (`f64`), the number of attributes (`u32`), and for each
//! attribute in name order its name (`u32` length, UTF-8), its number of weights (`u32`) and
//! each as tag (`u32`) and weight (`f64`). Binary because the weights must come back to the
//! bit: the model read back suggests exactly what the trained one did.

use std::collections::HashMap;

/// The weights of a first-order linear-chain CRF.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// The tags, by id.
    pub labels: Vec<String>,
    /// `trans[i * L + j]`: the weight of tag `i` followed by tag `j`.
    trans: Vec<f64>,
    /// Each attribute's weights, by tag id.
    state: HashMap<String, Vec<(u32, f64)>>,
}

/// A sentence decoded: its best tags, each word's probability of its tag, and the probability
/// of the whole sequence.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub tags: Vec<usize>,
    pub confidence: Vec<f64>,
    pub sequence: f64,
}

/// The best tag sequence for state scores `scores` (`T × L`) and transitions `trans` (`L × L`).
pub fn viterbi(scores: &[f64], trans: &[f64], l: usize) -> Vec<usize> {
    viterbi_scored(scores, trans, l).0
}

#[allow(clippy::needless_range_loop)]
fn viterbi_scored(scores: &[f64], trans: &[f64], l: usize) -> (Vec<usize>, f64) {
    let n = scores.len() / l.max(1);
    if n == 0 {
        return (Vec::new(), 0.0);
    }
    let mut best = scores[..l].to_vec();
    let mut next = vec![0.0; l];
    let mut back = vec![0usize; n * l];
    for t in 1..n {
        for j in 0..l {
            let (mut max, mut arg) = (f64::MIN, 0);
            for i in 0..l {
                let s = best[i] + trans[i * l + j];
                if max < s {
                    (max, arg) = (s, i);
                }
            }
            back[t * l + j] = arg;
            next[j] = max + scores[t * l + j];
        }
        std::mem::swap(&mut best, &mut next);
    }
    let (mut max, mut last) = (f64::MIN, 0);
    for (j, &s) in best.iter().enumerate() {
        if max < s {
            (max, last) = (s, j);
        }
    }
    let mut tags = vec![0; n];
    tags[n - 1] = last;
    for t in (1..n).rev() {
        tags[t - 1] = back[t * l + tags[t]];
    }
    (tags, max)
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.0.len() < n {
            return Err("the weights are cut short".to_owned());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
    }
}

impl Weights {
    pub fn new(
        labels: Vec<String>,
        trans: Vec<f64>,
        state: HashMap<String, Vec<(u32, f64)>>,
    ) -> Self {
        Self {
            labels,
            trans,
            state,
        }
    }

    /// The stored form (see the module).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(&self.labels).unwrap_or_default();
        out.push(b'\n');
        for x in &self.trans {
            out.extend_from_slice(&x.to_le_bytes());
        }
        let mut names: Vec<&String> = self.state.keys().collect();
        names.sort_unstable();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
        out.extend_from_slice(&count(names.len()));
        for name in names {
            out.extend_from_slice(&count(name.len()));
            out.extend_from_slice(name.as_bytes());
            let weights = &self.state[name];
            out.extend_from_slice(&count(weights.len()));
            for (tag, x) in weights {
                out.extend_from_slice(&tag.to_le_bytes());
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Weights from their stored form; what is wrong with it otherwise.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let line = memchr::memchr(b'\n', bytes).ok_or("no tags line")?;
        let labels: Vec<String> = serde_json::from_slice(&bytes[..line])
            .map_err(|e| format!("the tags are unreadable: {e}"))?;
        let l = labels.len();
        let mut r = Reader(&bytes[line + 1..]);
        let trans = (0..l * l).map(|_| r.f64()).collect::<Result<Vec<_>, _>>()?;
        let n = r.u32()? as usize;
        let mut state = HashMap::with_capacity(n.min(1 << 24));
        for _ in 0..n {
            let len = r.u32()? as usize;
            let name = std::str::from_utf8(r.take(len)?)
                .map_err(|_| "an attribute name is not UTF-8".to_owned())?
                .to_owned();
            let k = r.u32()? as usize;
            let mut weights = Vec::with_capacity(k.min(l));
            for _ in 0..k {
                let tag = r.u32()?;
                if tag as usize >= l {
                    return Err(format!("attribute {name} names tag {tag} of {l}"));
                }
                weights.push((tag, r.f64()?));
            }
            state.insert(name, weights);
        }
        if !r.0.is_empty() {
            return Err(format!("{} bytes after the weights", r.0.len()));
        }
        Ok(Self {
            labels,
            trans,
            state,
        })
    }

    /// Each word's score for each tag (`T × L`).
    fn state_scores(&self, x: &[Vec<String>]) -> Vec<f64> {
        let l = self.labels.len();
        let mut out = vec![0.0; x.len() * l];
        for (t, attributes) in x.iter().enumerate() {
            let row = &mut out[t * l..(t + 1) * l];
            for a in attributes {
                if let Some(weights) = self.state.get(a.as_str()) {
                    for &(j, w) in weights {
                        row[j as usize] += w;
                    }
                }
            }
        }
        out
    }

    /// The best tags of a sentence, each word's marginal probability of its tag, and the
    /// sequence's probability.
    #[allow(clippy::needless_range_loop)]
    pub fn decode(&self, x: &[Vec<String>]) -> Decoded {
        let (l, n) = (self.labels.len(), x.len());
        if n == 0 || l == 0 {
            return Decoded {
                tags: Vec::new(),
                confidence: Vec::new(),
                sequence: 1.0,
            };
        }
        let state = self.state_scores(x);
        let (tags, max) = viterbi_scored(&state, &self.trans, l);
        // Forward–backward in log space.
        let mut alpha = vec![0.0; n * l];
        alpha[..l].copy_from_slice(&state[..l]);
        let mut terms = vec![0.0; l];
        for t in 1..n {
            for j in 0..l {
                for i in 0..l {
                    terms[i] = alpha[(t - 1) * l + i] + self.trans[i * l + j];
                }
                alpha[t * l + j] = log_sum_exp(&terms) + state[t * l + j];
            }
        }
        let mut beta = vec![0.0; n * l];
        for t in (0..n - 1).rev() {
            for i in 0..l {
                for j in 0..l {
                    terms[j] =
                        self.trans[i * l + j] + state[(t + 1) * l + j] + beta[(t + 1) * l + j];
                }
                beta[t * l + i] = log_sum_exp(&terms);
            }
        }
        let log_z = log_sum_exp(&alpha[(n - 1) * l..]);
        let confidence = tags
            .iter()
            .enumerate()
            .map(|(t, &j)| (alpha[t * l + j] + beta[t * l + j] - log_z).exp().min(1.0))
            .collect();
        Decoded {
            tags,
            confidence,
            sequence: (max - log_z).exp().min(1.0),
        }
    }
}

fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights() -> Weights {
        // Two tags, O and B-x: "a" leans to B-x, "b" to O; B-x rarely follows B-x.
        let mut state = HashMap::new();
        state.insert("a".to_owned(), vec![(1, 2.0)]);
        state.insert("b".to_owned(), vec![(0, 1.0)]);
        Weights {
            labels: vec!["O".to_owned(), "B-x".to_owned()],
            trans: vec![0.0, 0.2, 0.0, -3.0],
            state,
        }
    }

    fn x(words: &[&str]) -> Vec<Vec<String>> {
        words.iter().map(|w| vec![(*w).to_owned()]).collect()
    }

    /// Brute force over every sequence: the marginals and the best path agree with it.
    #[test]
    fn decoding_agrees_with_brute_force() {
        let w = weights();
        let sentence = x(&["a", "a", "b"]);
        let d = w.decode(&sentence);
        let state = w.state_scores(&sentence);
        let score = |tags: &[usize]| -> f64 {
            let mut s = state[tags[0]];
            for t in 1..tags.len() {
                s += w.trans[tags[t - 1] * 2 + tags[t]] + state[t * 2 + tags[t]];
            }
            s
        };
        let all: Vec<Vec<usize>> = (0..8)
            .map(|m| (0..3).map(|t| (m >> t) & 1).collect())
            .collect();
        let z: f64 = all.iter().map(|s| score(s).exp()).sum();
        let best = all
            .iter()
            .max_by(|a, b| score(a).total_cmp(&score(b)))
            .unwrap();
        assert_eq!(&d.tags, best);
        assert_eq!(Weights::from_bytes(&w.to_bytes()).unwrap(), w);
        assert!((d.sequence - score(best).exp() / z).abs() < 1e-9);
        for t in 0..3 {
            let p: f64 = all
                .iter()
                .filter(|s| s[t] == d.tags[t])
                .map(|s| score(s).exp())
                .sum::<f64>()
                / z;
            assert!((d.confidence[t] - p).abs() < 1e-9, "word {t}");
        }
    }
}

//! Decoding a trained CRF with confidences. `crfs` trains the model and writes it in
//! `CRFsuite`'s binary format, but its tagger answers only the best tag sequence. The
//! suggestions need more: how sure the model is of each span (shown on hover, and a floor the
//! user sets) and of each sentence (the active-learning order). So the weights are read out of
//! the model file once ([`Weights::read`]; the layout is `CRFsuite`'s, documented in its
//! `crf1m_model.c`: a header of twelve 32-bit little-endian words, then the feature records of
//! 20 bytes, type · source · target · weight) and decoded here: Viterbi for the best sequence,
//! forward–backward (in log space) for each word's marginal probabilities.

use std::collections::HashMap;

use crfs::Attribute;

/// `CRFsuite`'s feature types.
const STATE: u32 = 0;
const TRANSITION: u32 = 1;
const CHUNK_SIZE: usize = 12;
const FEATURE_SIZE: usize = 20;

/// The weights of a first-order linear-chain CRF.
#[derive(Debug, Clone)]
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

fn word(buf: &[u8], at: usize) -> Result<u32, String> {
    buf.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| format!("model file cut short at byte {at}"))
}

fn float(buf: &[u8], at: usize) -> Result<f64, String> {
    buf.get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map(f64::from_le_bytes)
        .ok_or_else(|| format!("model file cut short at byte {at}"))
}

impl Weights {
    /// The weights of a model `crfs` wrote.
    pub fn read(bytes: &[u8]) -> Result<Self, String> {
        let model = crfs::Model::new(bytes).map_err(|e| format!("not a CRF model: {e}"))?;
        let num_features = word(bytes, 16)? as usize;
        let off_features = word(bytes, 28)? as usize;
        let labels: Vec<String> = (0..model.num_labels())
            .map(|i| model.to_label(i).unwrap_or_default().to_owned())
            .collect();
        let l = labels.len();
        let mut trans = vec![0.0; l * l];
        let mut by_attr: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
        for f in 0..num_features {
            let at = off_features + CHUNK_SIZE + FEATURE_SIZE * f;
            let (kind, source, target) =
                (word(bytes, at)?, word(bytes, at + 4)?, word(bytes, at + 8)?);
            let weight = float(bytes, at + 12)?;
            match kind {
                TRANSITION if (source as usize) < l && (target as usize) < l => {
                    trans[source as usize * l + target as usize] = weight;
                }
                STATE if (target as usize) < l => {
                    by_attr.entry(source).or_default().push((target, weight));
                }
                _ => return Err(format!("feature {f} of the model is malformed")),
            }
        }
        let mut state = HashMap::with_capacity(by_attr.len());
        for (id, weights) in by_attr {
            let name = model
                .to_attr(id)
                .ok_or_else(|| format!("the model names no attribute {id}"))?;
            state.insert(name.to_owned(), weights);
        }
        Ok(Self {
            labels,
            trans,
            state,
        })
    }

    /// Each word's score for each tag (`T × L`).
    fn state_scores(&self, x: &[Vec<Attribute>]) -> Vec<f64> {
        let l = self.labels.len();
        let mut out = vec![0.0; x.len() * l];
        for (t, attributes) in x.iter().enumerate() {
            let row = &mut out[t * l..(t + 1) * l];
            for a in attributes {
                if let Some(weights) = self.state.get(a.name.as_str()) {
                    for &(j, w) in weights {
                        row[j as usize] += w * a.value;
                    }
                }
            }
        }
        out
    }

    /// The best tags of a sentence, each word's marginal probability of its tag, and the
    /// sequence's probability.
    #[allow(clippy::needless_range_loop)]
    pub fn decode(&self, x: &[Vec<Attribute>]) -> Decoded {
        let (l, n) = (self.labels.len(), x.len());
        if n == 0 || l == 0 {
            return Decoded {
                tags: Vec::new(),
                confidence: Vec::new(),
                sequence: 1.0,
            };
        }
        let state = self.state_scores(x);
        // Viterbi.
        let mut best = state[..l].to_vec();
        let mut back = vec![0usize; n * l];
        for t in 1..n {
            let mut next = vec![0.0; l];
            for j in 0..l {
                let (mut max, mut arg) = (f64::MIN, 0);
                for i in 0..l {
                    let s = best[i] + self.trans[i * l + j];
                    if max < s {
                        (max, arg) = (s, i);
                    }
                }
                back[t * l + j] = arg;
                next[j] = max + state[t * l + j];
            }
            best = next;
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

    fn x(words: &[&str]) -> Vec<Vec<Attribute>> {
        words
            .iter()
            .map(|w| vec![Attribute::new(*w, 1.0)])
            .collect()
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

//! What the CRF sees of each word: the word itself (lowercased), its shape, its first and
//! last letters, its case, whether it is a number, its place in the sentence, its neighbours
//! (their words, shapes and endings, and the word pairs), and whether the project has coded it as part of a name of some label (the gazetteer).

use std::collections::{BTreeMap, BTreeSet};

use super::{Example, Word};

/// Every word of every coded span, lowercased, with the labels it was coded under.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Gazetteer(BTreeMap<String, BTreeSet<String>>);

impl Gazetteer {
    pub fn from_examples(examples: &[Example<'_>], labels: &BTreeSet<&str>) -> Self {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for example in examples {
            for sentence in super::sentences(example.text) {
                for word in &sentence {
                    for span in &example.spans {
                        let inside = span.range.start <= word.range.start
                            && word.range.end <= span.range.end;
                        if inside && labels.contains(span.label.as_str()) && is_wordlike(word.text)
                        {
                            out.entry(word.text.to_lowercase())
                                .or_default()
                                .insert(span.label.clone());
                        }
                    }
                }
            }
        }
        Self(out)
    }

    fn labels_of(&self, word: &str) -> Option<&BTreeSet<String>> {
        self.0.get(&word.to_lowercase())
    }
}

fn is_wordlike(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// The shape of a word: each letter as `X` or `x`, each digit as `d`, anything else as
/// itself, runs of the same kept to two ("Xxx", "dd", "X.X.").
fn shape(word: &str) -> String {
    let mut out = String::new();
    let mut last: Option<char> = None;
    let mut run = 0;
    for c in word.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if Some(k) == last {
            run += 1;
        } else {
            run = 1;
            last = Some(k);
        }
        if run <= 2 {
            out.push(k);
        }
    }
    out
}

fn affix(word: &str, n: usize, end: bool) -> String {
    let chars: Vec<char> = word.chars().collect();
    let n = n.min(chars.len());
    let part = if end {
        &chars[chars.len() - n..]
    } else {
        &chars[..n]
    };
    part.iter().collect::<String>().to_lowercase()
}

/// The attributes of every word of a sentence.
pub fn sentence_features(words: &[Word<'_>], gazetteer: &Gazetteer) -> Vec<Vec<String>> {
    let lower: Vec<String> = words.iter().map(|w| w.text.to_lowercase()).collect();
    (0..words.len())
        .map(|i| {
            let w = words[i].text;
            let mut f = vec![
                "bias".to_owned(),
                format!("w={}", lower[i]),
                format!("shape={}", shape(w)),
                format!("pre3={}", affix(w, 3, false)),
                format!("suf3={}", affix(w, 3, true)),
                format!("suf2={}", affix(w, 2, true)),
            ];
            let first = w.chars().next();
            if first.is_some_and(char::is_uppercase) {
                f.push("title".to_owned());
            }
            if w.chars().all(|c| !c.is_lowercase()) && w.chars().any(char::is_uppercase) {
                f.push("upper".to_owned());
            }
            if w.chars().any(char::is_numeric) {
                f.push("digit".to_owned());
            }
            if i == 0 {
                f.push("first".to_owned());
            }
            if i + 1 == words.len() {
                f.push("last".to_owned());
            }
            if let Some(labels) = gazetteer.labels_of(w) {
                for label in labels {
                    f.push(format!("gaz={label}"));
                }
            }
            for (offset, name) in [(-2isize, "-2"), (-1, "-1"), (1, "+1"), (2, "+2")] {
                let Some(j) = i.checked_add_signed(offset).filter(|&j| j < words.len()) else {
                    continue;
                };
                f.push(format!("w{name}={}", lower[j]));
                if offset.abs() == 1 {
                    f.push(format!("shape{name}={}", shape(words[j].text)));
                    let pair = if offset < 0 {
                        format!("bi{name}={}|{}", lower[j], lower[i])
                    } else {
                        format!("bi{name}={}|{}", lower[i], lower[j])
                    };
                    f.push(pair);
                    f.push(format!("suf3{name}={}", affix(words[j].text, 3, true)));
                    if gazetteer.labels_of(words[j].text).is_some() {
                        f.push(format!("gaz{name}"));
                    }
                }
            }
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::shape;

    #[test]
    fn shapes_keep_runs_to_two() {
        assert_eq!(shape("Lavrov"), "Xxx");
        assert_eq!(shape("U.S."), "X.X.");
        assert_eq!(shape("2016"), "dd");
        assert_eq!(shape("ლავროვი"), "xx");
    }
}

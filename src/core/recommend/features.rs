//! What the CRF sees of each word: the word itself (lowercased), its shape, its first and
//! last letters, its case, whether it is a number, its place in the sentence, its neighbours
//! (their words, shapes and endings, and the word pairs), whether the project has coded it as
//! part of a name of some label (the gazetteer), whether it is a word of a name or alias in
//! the project's entity registry, and how the document writes it elsewhere
//! (with a capital mid-sentence, or in lower case).

use std::collections::{BTreeMap, BTreeSet};

use super::{Example, Word};

/// Every word of every coded span, lowercased, with the labels it was coded under and the
/// number of documents it was coded in.
///
/// Training sees each document through the gazetteer of the *other* documents (it is
/// subtracted, [`Gazetteer::of_one`]): else every coded name is in the gazetteer while the
/// model learns, the model learns to trust the gazetteer alone, and misses the names it has
/// never seen — the very ones a learned suggestion is for.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Gazetteer {
    words: Counts,
    /// The words of the names and aliases in the project's entity registry, with the labels
    /// of the spans that link to them: known at prediction time as at training time, so never
    /// subtracted.
    #[serde(default)]
    registry: BTreeMap<String, BTreeSet<String>>,
}

type Counts = BTreeMap<String, BTreeMap<String, u32>>;

impl Gazetteer {
    /// The gazetteer of one document.
    pub fn of_one(example: &Example<'_>, labels: &BTreeSet<&str>) -> Self {
        let mut out = Self::default();
        for sentence in super::sentences(example.text) {
            for span in example
                .spans
                .iter()
                .filter(|s| labels.contains(s.label.as_str()))
            {
                let inside = sentence
                    .iter()
                    .filter(|w| span.range.start <= w.range.start && w.range.end <= span.range.end);
                for w in inside.filter(|w| is_wordlike(w.text)) {
                    out.words
                        .entry(w.text.to_lowercase())
                        .or_default()
                        .insert(span.label.clone(), 1);
                }
            }
        }
        out
    }

    /// Adds the entity registry's names and aliases, each with a label (`names`).
    pub fn add_names(&mut self, names: &[(String, String)]) {
        use unicode_segmentation::UnicodeSegmentation;
        for (name, label) in names {
            for word in name.unicode_words() {
                self.registry
                    .entry(word.to_lowercase())
                    .or_default()
                    .insert(label.clone());
            }
        }
    }

    /// The labels of the registry's names `word` is part of.
    fn registry_labels(&self, lower: &str) -> Option<&BTreeSet<String>> {
        self.registry.get(lower)
    }

    /// Adds another gazetteer's counts.
    pub fn add(&mut self, other: &Self) {
        for (key, labels) in &other.words {
            let entry = self.words.entry(key.clone()).or_default();
            for (label, n) in labels {
                *entry.entry(label.clone()).or_default() += n;
            }
        }
    }

    fn lookup<'a>(counts: &'a Counts, minus: Option<&'a Counts>, key: &str) -> Vec<&'a str> {
        let Some(labels) = counts.get(key) else {
            return Vec::new();
        };
        let less = minus.and_then(|m| m.get(key));
        labels
            .iter()
            .filter(|(l, n)| **n > less.and_then(|x| x.get(*l)).copied().unwrap_or(0))
            .map(|(l, _)| l.as_str())
            .collect()
    }

    /// The labels `word` was coded under (in other documents than `minus`'s).
    fn labels_of<'a>(&'a self, word: &str, minus: Option<&'a Self>) -> Vec<&'a str> {
        Self::lookup(&self.words, minus.map(|m| &m.words), &word.to_lowercase())
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

/// What a document says of its words' case: the words (lowercased) it writes with a capital
/// where a sentence does not start, and those it writes in lower case. "Unión" written with a
/// capital mid-sentence elsewhere in the article is likely a name at the start of this one;
/// "La" never is.
#[derive(Debug, Default)]
pub struct Casing {
    capital: BTreeSet<String>,
    lower: BTreeSet<String>,
}

impl Casing {
    pub fn of(text: &str) -> Self {
        let mut out = Self::default();
        for words in super::sentences(text) {
            for w in words.iter().skip(1) {
                let first = w.text.chars().next();
                if first.is_some_and(char::is_uppercase) {
                    out.capital.insert(w.text.to_lowercase());
                } else if first.is_some_and(char::is_lowercase) {
                    out.lower.insert(w.text.to_lowercase());
                }
            }
        }
        out
    }
}

/// The attributes of every word of a sentence.
pub fn sentence_features(
    words: &[Word<'_>],
    gazetteer: &Gazetteer,
    minus: Option<&Gazetteer>,
    casing: &Casing,
) -> Vec<Vec<String>> {
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
            if casing.capital.contains(&lower[i]) {
                f.push("doc_capital".to_owned());
            }
            if casing.lower.contains(&lower[i]) {
                f.push("doc_lower".to_owned());
            }
            if i + 1 == words.len() {
                f.push("last".to_owned());
            }
            if let Some(labels) = gazetteer.registry_labels(&lower[i]) {
                for label in labels {
                    f.push(format!("reg={label}"));
                }
            }
            {
                for label in gazetteer.labels_of(w, minus) {
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
                    if !gazetteer.labels_of(words[j].text, minus).is_empty() {
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

    /// A word of a registered name carries the registry's label, whatever its case.
    #[test]
    fn a_registered_word_carries_its_label() {
        let mut g = super::Gazetteer::default();
        g.add_names(&[("Volodymyr Zelensky".to_owned(), "actor".to_owned())]);
        let text = "then zelensky arrived";
        let words = &crate::core::recommend::sentences(text)[0];
        let f = super::sentence_features(words, &g, None, &super::Casing::of(text));
        assert!(f[1].contains(&"reg=actor".to_owned()));
        assert!(!f[0].contains(&"reg=actor".to_owned()));
    }

    #[test]
    fn shapes_keep_runs_to_two() {
        assert_eq!(shape("Lavrov"), "Xxx");
        assert_eq!(shape("U.S."), "X.X.");
        assert_eq!(shape("2016"), "dd");
        assert_eq!(shape("ლავროვი"), "xx");
    }
}

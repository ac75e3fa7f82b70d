//! Discourse networks from statements (issue "Discourse networks", part 3): who backs which
//! concept (two-mode, actor × concept) and who agrees or disagrees with whom (one-mode,
//! actor × actor), with the Discourse Network Analyzer's aggregations and normalisations —
//! and its known bugs fixed:
//!
//! * the qualifier's range is taken over the levels the schema defines ([`Levels`]), not over
//!   the values observed (in DNA one added neutral statement changes every other tie);
//! * `cosine` is the real cosine of the two actors' concept-count vectors; DNA's variant (its
//!   "cosine": the product of the two activities) is kept under its own name, [`Normalization::DnaCosine`];
//! * duplicates counted once per week, month or year use a key that includes the year (DNA
//!   compares only the week or month number).
//!
//! Pure functions over [`Statement`]s; no GUI, no files (writers are in [`write`]).

pub mod filter;
pub mod graph;
pub mod groups;
pub mod layout;
pub mod picture;
pub mod statements;
pub mod write;

pub use filter::{Filter, Window, windows};
pub use graph::{Edge, Network, Node};

use std::collections::{BTreeMap, BTreeSet};

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Self {
        Self { year, month, day }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The ISO 8601 week: (week-based year, week 1–53).
    pub fn iso_week(self) -> (i32, u8) {
        let days = self.days();
        // 1970-01-01 was a Thursday: Monday = 0.
        let weekday = (days + 3).rem_euclid(7);
        // The Thursday of this week decides the week's year.
        let thursday = days - weekday + 3;
        let year = civil_year(thursday);
        let jan1 = Date::new(year, 1, 1).days();
        let week = (thursday - jan1) / 7 + 1;
        (year, u8::try_from(week).unwrap_or(53))
    }
}

/// The year of a day count (inverse of [`Date::days`], year only).
fn civil_year(days: i64) -> i32 {
    Date::from_days(days).year
}

impl Date {
    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Self {
            year: i32::try_from(yoe + era * 400 + i64::from(month <= 2)).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        crate::core::metadata::parse_date(text).map(|(y, m, d)| Self::new(y, m, d))
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One statement: an actor's stance (a qualifier level) on a concept, in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub actor: String,
    pub concept: String,
    /// The qualifier's level (the sample: support +1, neutral 0, oppose −1).
    pub level: i64,
    pub document: String,
    /// The document's date, when it has one.
    pub date: Option<Date>,
    /// The claim span it was read from (to go back to it from a tie).
    pub claim: Option<ClaimRef>,
}

/// Where a statement was coded: the claim span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRef {
    pub annotator: String,
    pub id: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The qualifier's value as coded (`support`).
    pub stance: String,
}

/// An observed conflict: a disagreement span with (at least) two actors it is `between` —
/// coded directly, not inferred from stances. DNA cannot represent these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedConflict {
    pub a: String,
    pub b: String,
    pub document: String,
    pub date: Option<Date>,
    /// The disagreement span (its `stance` is empty) and the concept of the claim it
    /// `disputes`, when it has one.
    pub span: Option<ClaimRef>,
    pub concept: Option<String>,
}

/// The qualifier's levels as the schema defines them, whether observed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels {
    levels: Vec<i64>,
}

impl Levels {
    pub fn new(levels: impl IntoIterator<Item = i64>) -> Self {
        let levels: BTreeSet<i64> = levels.into_iter().collect();
        Self {
            levels: levels.into_iter().collect(),
        }
    }

    /// The levels, lowest first.
    pub fn values(&self) -> &[i64] {
        &self.levels
    }

    /// max − min over the defined levels; 0 with one level.
    pub fn range(&self) -> i64 {
        match (self.levels.first(), self.levels.last()) {
            (Some(lo), Some(hi)) => hi - lo,
            _ => 0,
        }
    }
}

/// Which statements count more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    /// Every statement counts.
    All,
    /// The same actor, concept and level count once per document.
    PerDocument,
    /// … once per ISO week (the key holds the week's year).
    PerWeek,
    /// … once per calendar month (with its year).
    PerMonth,
    /// … once per year.
    PerYear,
    /// … once over the whole range.
    Once,
}

/// Drops the duplicates `rule` does not count, keeping the first of each (input order).
pub fn deduplicate(statements: &[Statement], rule: Duplicates) -> Vec<Statement> {
    let mut seen = BTreeSet::new();
    statements
        .iter()
        .filter(|s| {
            let when = match rule {
                Duplicates::All => return true,
                Duplicates::PerDocument => format!("doc:{}", s.document),
                Duplicates::PerWeek => s.date.map_or_else(
                    || format!("doc:{}", s.document),
                    |d| {
                        let (year, week) = d.iso_week();
                        format!("{year}-W{week}")
                    },
                ),
                Duplicates::PerMonth => s.date.map_or_else(
                    || format!("doc:{}", s.document),
                    |d| format!("{}-{}", d.year, d.month),
                ),
                Duplicates::PerYear => s
                    .date
                    .map_or_else(|| format!("doc:{}", s.document), |d| d.year.to_string()),
                Duplicates::Once => String::new(),
            };
            seen.insert((s.actor.clone(), s.concept.clone(), s.level, when))
        })
        .cloned()
        .collect()
}

/// `x(i, c, k)`: how often actor `i` made a statement on concept `c` at level `k`.
struct Counts {
    actors: Vec<String>,
    concepts: Vec<String>,
    /// actor → concept → level → count.
    x: Vec<Vec<BTreeMap<i64, f64>>>,
}

impl Counts {
    fn new(statements: &[Statement]) -> Self {
        let actors: Vec<String> = statements
            .iter()
            .map(|s| s.actor.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let concepts: Vec<String> = statements
            .iter()
            .map(|s| s.concept.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut x = vec![vec![BTreeMap::new(); concepts.len()]; actors.len()];
        for s in statements {
            let (Ok(i), Ok(c)) = (
                actors.binary_search(&s.actor),
                concepts.binary_search(&s.concept),
            ) else {
                continue;
            };
            *x[i][c].entry(s.level).or_insert(0.0) += 1.0;
        }
        Self {
            actors,
            concepts,
            x,
        }
    }

    /// `Σ_k x(i, c, k)`.
    fn on(&self, i: usize, c: usize) -> f64 {
        self.x[i][c].values().sum()
    }

    /// `Σ_c Σ_k x(i, c, k)`: the actor's statements.
    fn activity(&self, i: usize) -> f64 {
        (0..self.concepts.len()).map(|c| self.on(i, c)).sum()
    }
}

/// How a one-mode tie weighs two actors' statements on the same concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// `Σ_c Σ_k Σ_k' x(i,c,k)·x(j,c,k')·(1 − |k−k'|/range)`: agreement.
    Congruence,
    /// The same weighted by `|k−k'|/range`: disagreement.
    Conflict,
    /// Congruence − conflict: a signed network.
    Subtract,
    /// `Σ_c (Σ_k x(i,c,k))·(Σ_k x(j,c,k))`: co-occurrence, stances ignored.
    Ignore,
}

/// How a one-mode tie is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    None,
    /// By the average activity of the two actors, `(act_i + act_j) / 2`.
    Average,
    /// As DNA: by m10 + m01 + m11 over (concept, level) cells (statements only one of them
    /// made, plus the products of those both made).
    Jaccard,
    /// By `|u_i|·|u_j|`, `u` being the actors' concept-count vectors: with `Ignore` the weight
    /// is then the cosine similarity of `u_i` and `u_j`.
    Cosine,
    /// DNA's "cosine": by `act_i · act_j` (the product of the activities, not a cosine).
    DnaCosine,
}

/// A square (one-mode) or rectangular (two-mode) weighted network.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `values[row][column]`.
    pub values: Vec<Vec<f64>>,
}

impl Matrix {
    /// The weight between two named nodes.
    pub fn get(&self, row: &str, column: &str) -> Option<f64> {
        let r = self.rows.iter().position(|x| x == row)?;
        let c = self.columns.iter().position(|x| x == column)?;
        Some(self.values[r][c])
    }
}

/// The actor × actor network.
pub fn one_mode(
    statements: &[Statement],
    levels: &Levels,
    aggregation: Aggregation,
    normalization: Normalization,
) -> Matrix {
    let counts = Counts::new(statements);
    let n = counts.actors.len();
    #[expect(clippy::cast_precision_loss)]
    let range = levels.range() as f64;
    let mut values = vec![vec![0.0; n]; n];
    for (i, row) in values.iter_mut().enumerate() {
        for (j, value) in row.iter_mut().enumerate() {
            if i == j {
                continue;
            }
            let mut w = 0.0;
            for c in 0..counts.concepts.len() {
                if aggregation == Aggregation::Ignore {
                    w += counts.on(i, c) * counts.on(j, c);
                    continue;
                }
                for (&k1, &a) in &counts.x[i][c] {
                    for (&k2, &b) in &counts.x[j][c] {
                        #[expect(clippy::cast_precision_loss)]
                        let distance = if range > 0.0 {
                            (k1 - k2).abs() as f64 / range
                        } else {
                            0.0
                        };
                        let joint = a * b;
                        w += match aggregation {
                            Aggregation::Congruence => joint * (1.0 - distance),
                            Aggregation::Conflict => joint * distance,
                            Aggregation::Subtract => joint * (1.0 - distance) - joint * distance,
                            Aggregation::Ignore => 0.0,
                        };
                    }
                }
            }
            let norm = match normalization {
                Normalization::None => 1.0,
                Normalization::Average => f64::midpoint(counts.activity(i), counts.activity(j)),
                Normalization::Jaccard => jaccard_norm(&counts, i, j),
                Normalization::Cosine => {
                    let length = |a: usize| {
                        (0..counts.concepts.len())
                            .map(|c| counts.on(a, c).powi(2))
                            .sum::<f64>()
                            .sqrt()
                    };
                    length(i) * length(j)
                }
                Normalization::DnaCosine => counts.activity(i) * counts.activity(j),
            };
            *value = if norm == 0.0 { 0.0 } else { w / norm };
        }
    }
    Matrix {
        rows: counts.actors.clone(),
        columns: counts.actors,
        values,
    }
}

/// DNA's Jaccard denominator over (concept, level) cells.
fn jaccard_norm(counts: &Counts, i: usize, j: usize) -> f64 {
    let (mut m10, mut m01, mut m11) = (0.0, 0.0, 0.0);
    for c in 0..counts.concepts.len() {
        let levels: BTreeSet<i64> = counts.x[i][c]
            .keys()
            .chain(counts.x[j][c].keys())
            .copied()
            .collect();
        for k in levels {
            let a = counts.x[i][c].get(&k).copied().unwrap_or(0.0);
            let b = counts.x[j][c].get(&k).copied().unwrap_or(0.0);
            if b == 0.0 {
                m10 += a;
            }
            if a == 0.0 {
                m01 += b;
            }
            if a > 0.0 && b > 0.0 {
                m11 += a * b;
            }
        }
    }
    m10 + m01 + m11
}

/// How a two-mode tie sums an actor's statements on a concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoModeAggregation {
    /// How many statements.
    Ignore,
    /// `Σ_k level·x`: support minus opposition, weighted by level.
    Subtract,
    /// 1 only positive levels, 2 only negative, 3 both, 4 only neutral (level 0).
    Combine,
}

/// How a two-mode tie is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoModeNormalization {
    None,
    /// By the actor's statements (the row).
    Activity,
    /// By the concept's statements (the column).
    Prominence,
}

/// The actor × concept network.
pub fn two_mode(
    statements: &[Statement],
    aggregation: TwoModeAggregation,
    normalization: TwoModeNormalization,
) -> Matrix {
    let counts = Counts::new(statements);
    let (n, m) = (counts.actors.len(), counts.concepts.len());
    let mut values = vec![vec![0.0; m]; n];
    for (i, row) in values.iter_mut().enumerate() {
        for (c, value) in row.iter_mut().enumerate() {
            let cell = &counts.x[i][c];
            *value = match aggregation {
                TwoModeAggregation::Ignore => cell.values().sum(),
                #[expect(clippy::cast_precision_loss)]
                TwoModeAggregation::Subtract => cell.iter().map(|(&k, &x)| k as f64 * x).sum(),
                TwoModeAggregation::Combine => {
                    let positive = cell.keys().any(|&k| k > 0);
                    let negative = cell.keys().any(|&k| k < 0);
                    match (positive, negative, cell.is_empty()) {
                        (true, false, _) => 1.0,
                        (false, true, _) => 2.0,
                        (true, true, _) => 3.0,
                        (false, false, false) => 4.0,
                        (false, false, true) => 0.0,
                    }
                }
            };
        }
    }
    match normalization {
        TwoModeNormalization::None => {}
        TwoModeNormalization::Activity => {
            for (i, row) in values.iter_mut().enumerate() {
                let activity = counts.activity(i);
                for value in row {
                    *value = if activity == 0.0 {
                        0.0
                    } else {
                        *value / activity
                    };
                }
            }
        }
        TwoModeNormalization::Prominence => {
            for c in 0..m {
                let prominence: f64 = (0..n).map(|i| counts.on(i, c)).sum();
                for row in &mut values {
                    row[c] = if prominence == 0.0 {
                        0.0
                    } else {
                        row[c] / prominence
                    };
                }
            }
        }
    }
    Matrix {
        rows: counts.actors,
        columns: counts.concepts,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_iso_weeks_follow_the_calendar() {
        assert_eq!(Date::new(1970, 1, 1).days(), 0);
        assert_eq!(Date::new(2000, 3, 1).days(), 11_017);
        // 2021-01-03 is a Sunday in week 53 of 2020; 2021-01-04 starts week 1 of 2021.
        assert_eq!(Date::new(2021, 1, 3).iso_week(), (2020, 53));
        assert_eq!(Date::new(2021, 1, 4).iso_week(), (2021, 1));
        // 2024-12-30 is Monday of week 1 of 2025.
        assert_eq!(Date::new(2024, 12, 30).iso_week(), (2025, 1));
    }
}

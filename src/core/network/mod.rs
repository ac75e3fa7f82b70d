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

mod counts;
pub mod filter;
pub mod graph;
pub mod groups;
pub mod layout;
pub mod picture;
pub mod statements;
pub mod write;

pub use filter::{Filter, Window, windows};
pub use graph::{Edge, Network, Node};

use std::collections::BTreeSet;

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
    /// The entities' ids: the actor (the first actor of a conflict) and the concept (empty when
    /// there is none). Two entities may share a name; these never do.
    pub actor_id: String,
    pub concept_id: String,
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
    one_mode_parts(statements, levels, normalization).get(aggregation)
}

/// The three one-mode weights of every pair, computed in one pass: agreement (congruence),
/// disagreement (conflict) and co-occurrence (stances ignored), each normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct OneModeParts {
    pub actors: Vec<String>,
    /// Row-major `n × n`.
    pub congruence: Vec<f64>,
    pub conflict: Vec<f64>,
    pub ignore: Vec<f64>,
}

impl OneModeParts {
    /// The network one aggregation gives (`subtract` is congruence − conflict).
    pub fn get(&self, aggregation: Aggregation) -> Matrix {
        let n = self.actors.len();
        let cell = |k: usize| match aggregation {
            Aggregation::Congruence => self.congruence[k],
            Aggregation::Conflict => self.conflict[k],
            Aggregation::Subtract => self.congruence[k] - self.conflict[k],
            Aggregation::Ignore => self.ignore[k],
        };
        Matrix {
            rows: self.actors.clone(),
            columns: self.actors.clone(),
            values: (0..n)
                .map(|i| (0..n).map(|j| cell(i * n + j)).collect())
                .collect(),
        }
    }
}

/// Every pair's congruence, conflict and co-occurrence (see [`OneModeParts`]). The rows are
/// shared out over the machine's cores.
pub fn one_mode_parts(
    statements: &[Statement],
    levels: &Levels,
    normalization: Normalization,
) -> OneModeParts {
    let counts = counts::Counts::new(statements, levels);
    let n = counts.actors.len();
    let mut congruence = vec![0.0; n * n];
    let mut conflict = vec![0.0; n * n];
    let mut ignore = vec![0.0; n * n];
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(n.max(1));
    // Thread t takes rows t, t + threads, …: the upper triangle shrinks row by row, so
    // interleaving balances the work.
    let rows: Vec<Vec<(usize, Vec<[f64; 3]>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let counts = &counts;
                scope.spawn(move || {
                    (t..n)
                        .step_by(threads)
                        .map(|i| {
                            let row = (i + 1..n)
                                .map(|j| counts.pair(i, j, normalization))
                                .collect();
                            (i, row)
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (i, row) in rows.into_iter().flatten() {
        for (offset, [c, k, g]) in row.into_iter().enumerate() {
            let j = i + 1 + offset;
            for (m, v) in [(&mut congruence, c), (&mut conflict, k), (&mut ignore, g)] {
                m[i * n + j] = v;
                m[j * n + i] = v;
            }
        }
    }
    OneModeParts {
        actors: counts.actors,
        congruence,
        conflict,
        ignore,
    }
}

/// How a two-mode tie sums an actor's statements on a concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoModeAggregation {
    /// How many statements.
    Ignore,
    /// `Σ_k level·x`: support minus opposition, weighted by level (with two levels 0 and 1,
    /// DNA's boolean coding, 0 counts as −1: it is the disagreement, not a neutral).
    Subtract,
    /// DNA's `combine`: each level a bit over the levels, lowest first — with −1 / 0 / +1,
    /// opposition 4, neutral 2, support 1, and a tie the sum of the bits of the levels the
    /// actor used on the concept (3 = neutral and support, 5 = both sides …).
    Combine,
}

impl Levels {
    /// The weight `Subtract` gives a level: the level itself, but −1 for 0 when the levels are
    /// exactly 0 and 1 (DNA's boolean: no = disagree).
    fn signed(&self, level: i64) -> i64 {
        if self.levels == [0, 1] && level == 0 {
            -1
        } else {
            level
        }
    }

    /// DNA's bit for a level in `Combine`: `2^(n − 1 − k)` for the k-th of n levels, lowest
    /// first (its `lexRank`); 0 for a level not among them.
    fn combine_bit(&self, level: i64) -> u64 {
        let n = self.levels.len();
        self.levels
            .iter()
            .position(|&l| l == level)
            .map_or(0, |k| 1u64 << (n - 1 - k))
    }
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

/// The actor × concept network. `levels`: the qualifier's levels as the schema defines them
/// (`Combine` and DNA's boolean `Subtract` depend on them).
pub fn two_mode(
    statements: &[Statement],
    levels: &Levels,
    aggregation: TwoModeAggregation,
    normalization: TwoModeNormalization,
) -> Matrix {
    // The levels the statements use count too (a level the schema lost still has its bit).
    let levels = Levels::new(
        levels
            .values()
            .iter()
            .copied()
            .chain(statements.iter().map(|s| s.level)),
    );
    let counts = counts::Counts::new(statements, &levels);
    let (n, m) = (counts.actors.len(), counts.concepts.len());
    let mut values = vec![vec![0.0; m]; n];
    for (i, row) in values.iter_mut().enumerate() {
        for (c, value) in row.iter_mut().enumerate() {
            let cell: Vec<(i64, f64)> = counts.cell_levels(i, c).collect();
            *value = match aggregation {
                TwoModeAggregation::Ignore => cell.iter().map(|(_, x)| x).sum(),
                #[expect(clippy::cast_precision_loss)]
                TwoModeAggregation::Subtract => {
                    cell.iter().map(|&(k, x)| levels.signed(k) as f64 * x).sum()
                }
                #[expect(clippy::cast_precision_loss)]
                TwoModeAggregation::Combine => {
                    cell.iter()
                        .filter(|&&(_, x)| x > 0.0)
                        .map(|&(k, _)| levels.combine_bit(k))
                        .fold(0, |bits, bit| bits | bit) as f64
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

/// The layer a network is drawn from when none is chosen, and a line saying which and why:
/// the curated layer when it has claims (`claim_label` spans), else the annotator with the most
/// claims (a curated layer with one decision in it is no network yet).
pub fn default_layer(project: &crate::core::Project, claim_label: &str) -> (String, String) {
    use crate::core::project::CURATED;
    let mut claims: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (key, layer) in &project.layers {
        let n = layer
            .annotations()
            .iter()
            .filter(|a| *a.label == *claim_label)
            .count();
        *claims.entry(key.annotator.as_str()).or_default() += n;
    }
    if claims.get(CURATED).is_some_and(|n| *n > 0) {
        return (CURATED.to_owned(), "the curated layer".to_owned());
    }
    if statements::is_from_dna(project) {
        return (
            statements::EVERY_ANNOTATOR.to_owned(),
            "every coder's statements, as DNA draws them".to_owned(),
        );
    }
    let best = claims
        .iter()
        .filter(|(a, _)| **a != CURATED)
        .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)));
    let Some((annotator, n)) = best else {
        return (CURATED.to_owned(), "no layer has claims yet".to_owned());
    };
    let curated = if claims.contains_key(CURATED) {
        "the curated layer has no claims yet"
    } else {
        "there is no curated layer yet"
    };
    (
        (*annotator).to_owned(),
        format!(
            "{annotator}'s layer ({curated}; {annotator} has the most claims: {n}); \
             choose another layer to compare"
        ),
    )
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

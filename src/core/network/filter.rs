//! Which statements a network is made of: a date range, actors' entity attributes (e.g. only
//! governments), and time windows (one network per window, deterministic).

use super::statements::Extracted;
use super::{Date, ObservedConflict, Statement};

/// What to keep. Empty means everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// First and last day kept (inclusive). With either set, undated statements go.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Actors must have every one of these `(attribute, value)` pairs.
    pub actor_attributes: Vec<(String, String)>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none() && self.actor_attributes.is_empty()
    }

    fn keeps_date(&self, date: Option<Date>) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        date.is_some_and(|d| self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t))
    }

    fn keeps_actor(&self, extracted: &Extracted, actor: &str) -> bool {
        self.actor_attributes.iter().all(|(key, value)| {
            extracted
                .entities
                .get(actor)
                .and_then(|e| e.attributes.get(key))
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
    }

    /// The statements and observed conflicts this filter keeps (a conflict needs both actors).
    pub fn apply(&self, extracted: &Extracted) -> (Vec<Statement>, Vec<ObservedConflict>) {
        let statements = extracted
            .statements
            .iter()
            .filter(|s| self.keeps_date(s.date) && self.keeps_actor(extracted, &s.actor))
            .cloned()
            .collect();
        let conflicts = extracted
            .conflicts
            .iter()
            .filter(|c| {
                self.keeps_date(c.date)
                    && self.keeps_actor(extracted, &c.a)
                    && self.keeps_actor(extracted, &c.b)
            })
            .cloned()
            .collect();
        (statements, conflicts)
    }
}

/// `key=value` as an attribute filter.
pub fn parse_attribute(text: &str) -> Option<(String, String)> {
    let (key, value) = text.split_once('=')?;
    let (key, value) = (key.trim(), value.trim());
    (!key.is_empty() && !value.is_empty()).then(|| (key.to_owned(), value.to_owned()))
}

/// A length of time: days (`30d`, `2w`, or a bare number of days) or calendar months (`3m`,
/// `1y` = 12 months), as DNA's windows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(i64),
    Months(i64),
}

impl Period {
    /// `date` moved on by `times` of this period. A month that has no such day takes its last
    /// (31 January + 1 month = 28 or 29 February).
    pub fn after(self, date: Date, times: i64) -> Date {
        match self {
            Self::Days(n) => Date::from_days(date.days() + n * times),
            Self::Months(n) => {
                let months = i64::from(date.year) * 12 + i64::from(date.month) - 1 + n * times;
                let year = i32::try_from(months.div_euclid(12)).unwrap_or(i32::MAX);
                let month = u8::try_from(months.rem_euclid(12) + 1).unwrap_or(1);
                let last = (28..=31u8)
                    .rev()
                    .find(|&d| {
                        crate::core::metadata::parse_date(&format!("{year:04}-{month:02}-{d:02}"))
                            .is_some()
                    })
                    .unwrap_or(28);
                Date::new(year, month, date.day.min(last))
            }
        }
    }
}

/// A period: `30d`, `2w`, `3m`, `1y`, or a bare number of days.
pub fn parse_period(text: &str) -> Option<Period> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "d"),
    };
    let n: i64 = number.parse().ok()?;
    if n <= 0 {
        return None;
    }
    match unit {
        "d" => Some(Period::Days(n)),
        "w" => Some(Period::Days(n * 7)),
        "m" => Some(Period::Months(n)),
        "y" => Some(Period::Months(n * 12)),
        _ => None,
    }
}

/// One time window: the statements dated in `[start, end]` (both inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub start: Date,
    pub end: Date,
    pub statements: Vec<Statement>,
    pub conflicts: Vec<ObservedConflict>,
}

/// Windows of `length` days, the first starting on the earliest date, each `step` days after
/// the one before, until one reaches the latest date. Undated statements are in none.
/// Deterministic: the same statements give the same windows, in date order.
pub fn windows(
    statements: &[Statement],
    conflicts: &[ObservedConflict],
    length: i64,
    step: i64,
) -> Vec<Window> {
    windows_of(
        statements,
        conflicts,
        Period::Days(length.max(1)),
        Period::Days(step.max(1)),
    )
}

/// Windows of any period (calendar months and years too): the k-th starts `k` steps after the
/// earliest date and lasts `length` (its last day the one before `length` later).
pub fn windows_of(
    statements: &[Statement],
    conflicts: &[ObservedConflict],
    length: Period,
    step: Period,
) -> Vec<Window> {
    let dates = statements
        .iter()
        .filter_map(|s| s.date)
        .chain(conflicts.iter().filter_map(|c| c.date));
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for k in 0.. {
        let start = step.after(first, k).days();
        let end = (length.after(Date::from_days(start), 1).days() - 1).max(start);
        let inside = |d: Option<Date>| d.is_some_and(|d| (start..=end).contains(&d.days()));
        out.push(Window {
            start: Date::from_days(start),
            end: Date::from_days(end),
            statements: statements
                .iter()
                .filter(|s| inside(s.date))
                .cloned()
                .collect(),
            conflicts: conflicts
                .iter()
                .filter(|c| inside(c.date))
                .cloned()
                .collect(),
        });
        if end >= last.days() {
            break;
        }
    }
    out
}

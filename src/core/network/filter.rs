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

/// A length of time in days: `30d`, `2w`, `3m` (30-day months are not calendar months, so
/// `m` is refused: use days or weeks), or a bare number of days.
pub fn parse_days(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "d"),
    };
    let n: i64 = number.parse().ok()?;
    let days = match unit {
        "d" => n,
        "w" => n * 7,
        _ => return None,
    };
    (days > 0).then_some(days)
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
    let dates = statements
        .iter()
        .filter_map(|s| s.date)
        .chain(conflicts.iter().filter_map(|c| c.date));
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return Vec::new();
    };
    let (length, step) = (length.max(1), step.max(1));
    let mut out = Vec::new();
    let mut start = first.days();
    loop {
        let end = start + length - 1;
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
        start += step;
    }
    out
}

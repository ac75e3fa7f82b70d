//! News-database dates in the languages Nexis writes them: English ("January 11, 2010 Monday",
//! "July 1, 2019 Monday 9:20 AM GMT"), German ("11. Januar 2010 Montag"), French ("11 janvier
//! 2010 lundi"), Spanish ("11 de enero de 2010 lunes"), and ISO dates.

/// Month names and abbreviations, lower case, with their number.
const MONTHS: &[(&str, u8)] = &[
    // English
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("okt", 10),
    ("dezember", 12),
    ("dez", 12),
    // French
    ("janvier", 1),
    ("janv", 1),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("mars", 3),
    ("avril", 4),
    ("avr", 4),
    ("juin", 6),
    ("juillet", 7),
    ("juil", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("déc", 12),
    // Spanish
    ("enero", 1),
    ("ene", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("abr", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("ago", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("dic", 12),
];

/// The date in `text` as `YYYY-MM-DD`, followed by `THH:MM` when a time of day is given; `None`
/// when there is no day, month and year in it.
pub fn parse_news_date(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(iso) = words.iter().find_map(|w| iso_date(w)) {
        return Some(iso);
    }
    let month_at = words
        .iter()
        .position(|w| MONTHS.iter().any(|(name, _)| name == w))?;
    let month = MONTHS.iter().find(|(name, _)| *name == words[month_at])?.1;
    let year = words
        .iter()
        .filter_map(|w| w.parse::<i32>().ok().filter(|_| w.len() == 4))
        .find(|y| (1800..=2200).contains(y))?;
    // The day: the number nearest the month that is not the year ("11 de enero", "January 11").
    let day = [
        month_at.checked_sub(1),
        Some(month_at + 1),
        month_at.checked_sub(2),
    ]
    .into_iter()
    .flatten()
    .filter_map(|i| words.get(i))
    .find_map(|w| w.parse::<u8>().ok().filter(|d| (1..=31).contains(d)))?;
    let date = format!("{year:04}-{month:02}-{day:02}");
    crate::core::metadata::parse_date(&date)?;
    match time_of_day(&words) {
        Some((h, m)) => Some(format!("{date}T{h:02}:{m:02}")),
        None => Some(date),
    }
}

fn iso_date(word: &str) -> Option<String> {
    let date = word.get(..10)?;
    crate::core::metadata::parse_date(date).map(|_| date.to_owned())
}

/// "9:20 am", "21:04", "9:20am".
fn time_of_day(words: &[&str]) -> Option<(u8, u8)> {
    for (i, w) in words.iter().enumerate() {
        let (clock, suffix) = match w.strip_suffix("am").or_else(|| w.strip_suffix("pm")) {
            Some(c) => (c, Some(&w[c.len()..])),
            None => (*w, None),
        };
        let Some((h, m)) = clock.split_once(':') else {
            continue;
        };
        let (Ok(mut h), Ok(m)) = (h.parse::<u8>(), m.get(..2).unwrap_or(m).parse::<u8>()) else {
            continue;
        };
        let half = suffix.or_else(|| {
            words
                .get(i + 1)
                .copied()
                .filter(|n| *n == "am" || *n == "pm")
        });
        match half {
            Some("pm") if h < 12 => h += 12,
            Some("am") if h == 12 => h = 0,
            _ => {}
        }
        if h < 24 && m < 60 {
            return Some((h, m));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse_news_date;

    #[test]
    fn dates_in_the_languages_nexis_writes() {
        for (text, want) in [
            ("January 11, 2010 Monday", "2010-01-11"),
            ("July 1, 2019 Monday 9:20 AM GMT", "2019-07-01T09:20"),
            ("July 4, 2019 Thursday 1:04 PM GMT", "2019-07-04T13:04"),
            ("11. Januar 2010 Montag", "2010-01-11"),
            ("3. März 2015", "2015-03-03"),
            ("11 janvier 2010 lundi", "2010-01-11"),
            ("1 août 2019", "2019-08-01"),
            ("11 de enero de 2010 lunes", "2010-01-11"),
            ("2019-07-05", "2019-07-05"),
        ] {
            assert_eq!(parse_news_date(text).as_deref(), Some(want), "{text}");
        }
        for text in [
            "Lorem ipsum dolor sit amet",
            "The Guardian(London)",
            "February 30, 2010",
        ] {
            assert_eq!(parse_news_date(text), None, "{text}");
        }
    }
}

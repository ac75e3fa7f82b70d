//! Factiva batches ("Full Article/Report plus Indexing", saved as RTF or HTML): each article is
//! a run of two-letter field codes, each followed by its value — on the same line after a tab
//! (the HTML export's table rows, as the HTML converter gives them) or on the lines after it
//! (the RTF export's paragraphs). HD headline, BY byline, WC length, PD date, SN source, SE
//! section, LP lead paragraphs and TD the text (together the body), AN the accession number,
//! whose "Document …" line ends the article. Indexing (CO, IN, NS, RE, IPD …) is left out.

use super::{Article, parse_news_date};

/// The field codes of the display, in the order Factiva writes them.
const CODES: &[&str] = &[
    "HD", "CLM", "SE", "BY", "CR", "WC", "PD", "ET", "SN", "SC", "ED", "PG", "LA", "CY", "LP",
    "TD", "CT", "RF", "ART", "CO", "IN", "NS", "RE", "IPC", "IPD", "PUB", "AN",
];

/// A field code line: (code, the value on the same line).
fn field(line: &str) -> Option<(&'static str, &str)> {
    let (head, rest) = match line.split_once('\t') {
        Some((h, r)) => (h.trim(), r.trim()),
        None => (line.trim(), ""),
    };
    CODES
        .iter()
        .copied()
        .find(|c| *c == head)
        .map(|c| (c, rest))
}

/// The articles of a Factiva batch, or `None` when the text is not one (no headline, date and
/// source fields).
pub fn split(text: &str) -> Option<Vec<Article>> {
    let lines: Vec<&str> = text.lines().collect();
    let has = |code: &str| {
        lines
            .iter()
            .any(|l| field(l).is_some_and(|(c, _)| c == code))
    };
    if !(has("HD") && has("PD") && has("SN")) {
        return None;
    }
    let mut out = Vec::new();
    let mut current: Option<Fields> = None;
    let mut code: Option<&'static str> = None;
    for line in lines {
        if let Some((c, value)) = field(line) {
            if c == "HD"
                && let Some(done) = current.take()
            {
                out.push(done.into_article(out.len() + 1));
            }
            let fields = current.get_or_insert_with(Fields::default);
            code = Some(c);
            fields.add(c, value);
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("Document ") && code == Some("AN") {
            if let Some(done) = current.take() {
                out.push(done.into_article(out.len() + 1));
            }
            code = None;
            continue;
        }
        if let (Some(fields), Some(c)) = (current.as_mut(), code) {
            fields.add(c, line);
        }
    }
    if let Some(done) = current.take() {
        out.push(done.into_article(out.len() + 1));
    }
    (!out.is_empty()).then_some(out)
}

#[derive(Default)]
struct Fields {
    values: Vec<(&'static str, Vec<String>)>,
}

impl Fields {
    fn add(&mut self, code: &'static str, line: &str) {
        match self.values.last_mut() {
            Some((c, lines)) if *c == code => lines.push(line.to_owned()),
            _ => self.values.push((code, vec![line.to_owned()])),
        }
    }

    /// A field's value: its lines joined (empty lines at either end dropped).
    fn get(&self, code: &str, sep: &str) -> String {
        let lines: Vec<&str> = self
            .values
            .iter()
            .filter(|(c, _)| *c == code)
            .flat_map(|(_, l)| l.iter().map(String::as_str))
            .collect();
        let first = lines.iter().position(|l| !l.trim().is_empty());
        let last = lines.iter().rposition(|l| !l.trim().is_empty());
        match (first, last) {
            (Some(a), Some(b)) => lines[a..=b]
                .iter()
                .map(|l| l.trim_end())
                .collect::<Vec<_>>()
                .join(sep),
            _ => String::new(),
        }
    }

    fn into_article(self, position: usize) -> Article {
        let title = self.get("HD", " ");
        let date_text = self.get("PD", " ");
        let lead = self.get("LP", "\n");
        let text = self.get("TD", "\n");
        let body = match (lead.is_empty(), text.is_empty()) {
            (false, false) => format!("{lead}\n\n{text}"),
            (false, true) => lead,
            _ => text,
        };
        Article {
            position,
            date: parse_news_date(&date_text).unwrap_or_default(),
            date_text,
            outlet: self.get("SN", " "),
            byline: self.get("BY", " "),
            section: self.get("SE", " "),
            length: self.get("WC", " "),
            text: if body.is_empty() {
                title.clone()
            } else {
                format!("{title}\n\n{body}")
            },
            title,
        }
    }
}

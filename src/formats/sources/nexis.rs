//! News-database batches recognised in converted text and split into articles.
//!
//! * Nexis (the classic TXT download): a cover page, then blocks that each begin with a line
//!   "N of M DOCUMENTS": outlet, date line, headline, `BYLINE:` / `SECTION:` / `LENGTH:` fields,
//!   the body, and a trailer (`LOAD-DATE:`, `LANGUAGE:`, `PUBLICATION-TYPE:` …).
//! * Nexis Uni (DOCX, and the PDF and RTF it makes from the same layout): a cover page listing
//!   the documents, then per article the headline, outlet, date line, `Section:` / `Length:` /
//!   `Byline:` fields, a line "Body", the body, an optional "Classification" block and a line
//!   "End of Document".
//!
//! The cover page and the trailers are not part of any article. An article's text is its
//! headline, an empty line and its body; the rest goes to its metadata.

use super::{Article, parse_news_date};

/// Fields that end the body of a classic Nexis article.
const TRAILER: &[&str] = &[
    "LOAD-DATE",
    "LANGUAGE",
    "PUBLICATION-TYPE",
    "GRAPHIC",
    "URL",
    "JOURNAL-CODE",
    "DOCUMENT-TYPE",
    "SUBJECT",
    "CORRECTION-DATE",
    "NOTES",
    "PUB-TYPE",
];

/// The articles of a recognised batch, and which layout it was; `None` when the text is not
/// a batch.
pub fn split(text: &str) -> Option<(&'static str, Vec<Article>)> {
    let lines: Vec<&str> = text.lines().collect();
    if let Some(found) = classic(&lines) {
        return Some(("Nexis", found));
    }
    uni(&lines).map(|found| ("Nexis Uni", found))
}

/// "12 of 100 DOCUMENTS" → (12, 100).
fn marker(line: &str) -> Option<(usize, usize)> {
    let mut words = line.split_whitespace();
    let n = words.next()?.parse().ok()?;
    (words.next()? == "of").then_some(())?;
    let m = words.next()?.parse().ok()?;
    let word = words.next()?;
    (words.next().is_none() && (word == "DOCUMENTS" || word == "DOCUMENT")).then_some((n, m))
}

/// `NAME: value` with NAME in capitals (`BYLINE: Andrew Sparrow`).
fn caps_field(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    (!name.is_empty()
        && name.len() <= 24
        && name.chars().all(|c| c.is_ascii_uppercase() || c == '-'))
    .then(|| (name, value.trim()))
}

fn classic(lines: &[&str]) -> Option<Vec<Article>> {
    let starts: Vec<(usize, usize)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| marker(l).map(|(n, _)| (i, n)))
        .collect();
    if starts.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for (k, &(at, n)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(lines.len(), |&(next, _)| next);
        let block = &lines[at + 1..end];
        let mut rest = block
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let mut article = Article {
            position: n,
            ..Article::default()
        };
        let Some((_, outlet)) = rest.next() else {
            continue;
        };
        article.outlet = outlet.trim().to_owned();
        // The date line (an edition line may come before it).
        let mut after_date = 0;
        for (i, line) in rest.by_ref().take(3) {
            if let Some(date) = parse_news_date(line) {
                article.date = date;
                article.date_text = line.trim().to_owned();
                after_date = i + 1;
                break;
            }
        }
        // An edition line may follow the date in its paragraph ("Edition 1;" "Scotland").
        let mut i = after_date;
        while i < block.len() && !block[i].trim().is_empty() && caps_field(block[i]).is_none() {
            i += 1;
        }
        // Headline: the paragraph after that, unless a field comes first.
        while i < block.len() && block[i].trim().is_empty() {
            i += 1;
        }
        let mut title = Vec::new();
        while i < block.len() && !block[i].trim().is_empty() && caps_field(block[i]).is_none() {
            title.push(block[i].trim());
            i += 1;
        }
        article.title = title.join(" ");
        // Header fields, then the body up to the trailer.
        let mut body_start = i;
        let mut j = i;
        while j < block.len() {
            let line = block[j].trim();
            if line.is_empty() {
                j += 1;
                continue;
            }
            match caps_field(line) {
                Some((name, value)) if !TRAILER.contains(&name) => {
                    match name {
                        "BYLINE" => article.byline = value.to_owned(),
                        "SECTION" => article.section = value.to_owned(),
                        "LENGTH" => article.length = value.to_owned(),
                        _ => {}
                    }
                    j += 1;
                    body_start = j;
                }
                _ => break,
            }
        }
        let body_end = (body_start..block.len())
            .find(|&b| caps_field(block[b].trim()).is_some_and(|(name, _)| TRAILER.contains(&name)))
            .unwrap_or(block.len());
        article.text = compose(&article.title, &block[body_start..body_end]);
        out.push(article);
    }
    Some(out)
}

/// `Name: value` of a Nexis Uni header (`Length: 355 words`), by lower-cased name.
fn uni_field(line: &str) -> Option<(String, &str)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim().to_lowercase();
    [
        "section",
        "length",
        "byline",
        "highlight",
        "dateline",
        "edition",
    ]
    .contains(&name.as_str())
    .then(|| (name, value.trim()))
}

fn uni(lines: &[&str]) -> Option<Vec<Article>> {
    let lines = &without_page_heads(lines);
    let ends: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == "End of Document")
        .map(|(i, _)| i)
        .collect();
    if ends.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut from = 0;
    for end in ends {
        let segment = &lines[from..end];
        from = end + 1;
        let Some(body_at) = segment.iter().position(|l| l.trim() == "Body") else {
            continue;
        };
        let mut article = Article {
            position: out.len() + 1,
            ..Article::default()
        };
        // Backwards from "Body": the fields, then the date line, the outlet, the headline.
        let mut i = body_at;
        let mut date_at = None;
        while i > 0 {
            i -= 1;
            let line = segment[i].trim();
            if line.is_empty() || line.starts_with("Copyright") {
                continue;
            }
            if let Some((name, value)) = uni_field(line) {
                match name.as_str() {
                    "section" => article.section = value.to_owned(),
                    "length" => article.length = value.to_owned(),
                    "byline" => article.byline = value.to_owned(),
                    _ => {}
                }
                continue;
            }
            if let Some(date) = parse_news_date(line) {
                article.date = date;
                article.date_text = line.to_owned();
                date_at = Some(i);
            }
            break;
        }
        let mut before = segment[..date_at.unwrap_or(0)]
            .iter()
            .rev()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty());
        if let Some(at) = date_at {
            article.outlet = before.next().unwrap_or_default().to_owned();
            // The headline: the lines above the outlet up to an empty one (a long headline
            // wraps in a PDF).
            let outlet_at = segment[..at]
                .iter()
                .rposition(|l| !l.trim().is_empty())
                .unwrap_or(0);
            let title_end = segment[..outlet_at]
                .iter()
                .rposition(|l| !l.trim().is_empty())
                .map_or(0, |e| e + 1);
            let top = segment[..title_end]
                .iter()
                .rposition(|l| l.trim().is_empty())
                .map_or(0, |b| b + 1);
            article.title = segment[top..title_end]
                .iter()
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ");
        }
        let body = &segment[body_at + 1..];
        let body_end = body
            .iter()
            .position(|l| {
                let l = l.trim();
                l == "Classification" || l.starts_with("Load-Date:")
            })
            .unwrap_or(body.len());
        article.text = compose(&article.title, &body[..body_end]);
        out.push(article);
    }
    (!out.is_empty()).then_some(out)
}

/// The lines without the head a Nexis Uni PDF puts atop each page an article runs on to: "Page
/// 5 of 25", the article's headline again (up to three lines, cut short with "...."), and the
/// empty line under them. Left in, they would stand in the middle of the article's text.
fn without_page_heads<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let page_line = |l: &str| {
        let words: Vec<&str> = l.split_whitespace().collect();
        matches!(words[..], ["Page", n, "of", m] if n.parse::<u32>().is_ok() && m.parse::<u32>().is_ok())
    };
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        if page_line(lines[i]) {
            let head = lines[i + 1..]
                .iter()
                .take(4)
                .position(|l| l.trim().is_empty());
            if let Some(n) = head.filter(|&n| n <= 3) {
                i += n + 2;
                continue;
            }
        }
        out.push(lines[i]);
        i += 1;
    }
    out
}

/// The headline, an empty line, and the body without its leading and trailing empty lines.
fn compose(title: &str, body: &[&str]) -> String {
    let first = body.iter().position(|l| !l.trim().is_empty());
    let last = body.iter().rposition(|l| !l.trim().is_empty());
    let body = match (first, last) {
        (Some(a), Some(b)) => body[a..=b].join("\n"),
        _ => String::new(),
    };
    if title.is_empty() {
        body
    } else if body.is_empty() {
        title.to_owned()
    } else {
        format!("{title}\n\n{body}")
    }
}

//! HTML (Factiva's HTML export, saved web pages): tokenised by html5gum (WHATWG-compliant),
//! the text of the body with block elements as lines and `<br>` as a line break; whitespace
//! collapsed as a browser shows it (but in `<pre>`); scripts, styles and the head left out.
//! The bytes must be UTF-8 (what Factiva and `LibreOffice` write).

use html5gum::{Token, Tokenizer};

pub struct Html;

/// Elements that make a line of their own.
const BLOCKS: &[&[u8]] = &[
    b"p",
    b"div",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"li",
    b"tr",
    b"blockquote",
    b"pre",
    b"dt",
    b"dd",
    b"figcaption",
    b"section",
    b"article",
    b"header",
    b"footer",
    b"table",
    b"ul",
    b"ol",
    b"dl",
    b"address",
    b"center",
];

/// Elements whose content is not text.
const SKIPPED: &[&[u8]] = &[
    b"script",
    b"style",
    b"head",
    b"title",
    b"noscript",
    b"template",
];

impl super::Converter for Html {
    fn name(&self) -> &'static str {
        "HTML page"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["html", "htm"]
    }

    fn convert(&self, bytes: &[u8]) -> Result<String, String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let html = std::str::from_utf8(bytes).map_err(|e| {
            format!(
                "not UTF-8 (byte {}): save the page as UTF-8 first",
                e.valid_up_to()
            )
        })?;
        let mut out = Text::default();
        let mut skipping = 0usize;
        let mut pre = 0usize;
        for Ok(token) in Tokenizer::new(html) {
            match token {
                Token::StartTag(tag) => {
                    let name = tag.name.to_ascii_lowercase();
                    if SKIPPED.contains(&name.as_slice()) {
                        if !tag.self_closing {
                            skipping += 1;
                        }
                    } else if skipping > 0 {
                    } else if name == b"br" {
                        out.line_break();
                    } else if name == b"td" || name == b"th" {
                        // Cells of a row: apart by a tab (Factiva's field tables).
                        out.cell();
                    } else if BLOCKS.contains(&name.as_slice()) {
                        out.end_block();
                        if tag.self_closing {
                            // `<p/>` (as XHTML writers put it): an empty paragraph.
                            out.line_break();
                        } else if name == b"pre" {
                            pre += 1;
                        }
                    }
                }
                Token::EndTag(tag) => {
                    let name = tag.name.to_ascii_lowercase();
                    if SKIPPED.contains(&name.as_slice()) {
                        skipping = skipping.saturating_sub(1);
                    } else if skipping == 0 && BLOCKS.contains(&name.as_slice()) {
                        out.end_block();
                        if name == b"pre" {
                            pre = pre.saturating_sub(1);
                        }
                    }
                }
                Token::String(text) if skipping == 0 => {
                    out.push(&String::from_utf8_lossy(&text), pre > 0);
                }
                _ => {}
            }
        }
        Ok(out.finish())
    }
}

/// The text as it is built: lines, the current one with collapsed whitespace.
#[derive(Default)]
struct Text {
    lines: Vec<String>,
    line: String,
    /// A space is owed before the next word (collapsed whitespace).
    space: bool,
}

impl Text {
    fn push(&mut self, text: &str, pre: bool) {
        if pre {
            for (i, part) in text.split('\n').enumerate() {
                if i > 0 {
                    self.line_break();
                }
                self.line.push_str(part);
            }
            return;
        }
        for c in text.chars() {
            // HTML's white space (not the no-break space): collapsed to one.
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                self.space = !self.line.is_empty();
            } else {
                if self.space {
                    self.line.push(' ');
                    self.space = false;
                }
                self.line.push(c);
            }
        }
    }

    fn cell(&mut self) {
        if !self.line.is_empty() {
            self.line.push('\t');
        }
        self.space = false;
    }

    fn line_break(&mut self) {
        self.lines.push(std::mem::take(&mut self.line));
        self.space = false;
    }

    /// A block begins or ends: the current line ends, unless it is empty (nested blocks make
    /// no empty lines; an empty paragraph is `<p><br></p>`, whose break made its line).
    fn end_block(&mut self) {
        if !self.line.is_empty() {
            self.lines.push(std::mem::take(&mut self.line));
        }
        self.space = false;
    }

    fn finish(mut self) -> String {
        if !self.line.is_empty() {
            self.lines.push(self.line);
        }
        // An empty paragraph kept visible as a no-break space is an empty line.
        for line in &mut self.lines {
            if line.trim().is_empty() {
                line.clear();
            }
        }
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        while self.lines.first().is_some_and(String::is_empty) {
            self.lines.remove(0);
        }
        self.lines.join("\n")
    }
}

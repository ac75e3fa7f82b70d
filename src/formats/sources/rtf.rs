//! RTF (Nexis Uni's and Factiva's RTF, Word's "Save as RTF"): the body's text, each paragraph
//! (`\par`) a line; `\line` a line break, `\tab` a tab, `\uN` characters (and the `\ucN`
//! fallback characters after them skipped), `\'hh` bytes decoded in the document's code page
//! (`\ansicpg`, by `encoding_rs`); font, colour and style tables, document information,
//! pictures, headers, footers, footnotes, field instructions and every `\*` destination left
//! out. Groups may nest at most [`MAX_DEPTH`] deep.

pub struct Rtf;

/// Deeper nesting is refused (hostile input; real files nest a few dozen deep).
const MAX_DEPTH: usize = 1024;

/// Destinations whose text is not the document's.
const SKIPPED: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "header",
    "headerl",
    "headerr",
    "headerf",
    "footer",
    "footerl",
    "footerr",
    "footerf",
    "footnote",
    "fldinst",
    "object",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "listtable",
    "listoverridetable",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "pgdsctbl",
    "filetbl",
    "revtbl",
    "userprops",
    "ftnsep",
    "ftnsepc",
    "aftnsep",
    "aftnsepc",
    "bkmkstart",
    "bkmkend",
    "pn",
    "listtext",
    "nonshppict",
    "shp",
    "mmathPr",
    "xe",
    "tc",
    "atnid",
    "atnauthor",
    "annotation",
];

#[derive(Clone)]
struct Group {
    skip: bool,
    /// Characters to skip after a `\u` (the fallback for readers without Unicode).
    uc: usize,
}

impl super::Converter for Rtf {
    fn name(&self) -> &'static str {
        "RTF document"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["rtf"]
    }

    fn convert(&self, bytes: &[u8]) -> Result<String, String> {
        if !bytes.starts_with(b"{\\rtf") {
            return Err("not an RTF document (it does not begin with {\\rtf)".to_owned());
        }
        let mut out = Out::default();
        let mut stack: Vec<Group> = Vec::new();
        let mut group = Group { skip: false, uc: 1 };
        let mut codepage: &'static encoding_rs::Encoding = encoding_rs::WINDOWS_1252;
        // Fallback characters still to skip after a `\u`.
        let mut pending_skip = 0usize;
        // The first control word of a group may name a destination.
        let mut group_start = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'{' => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(format!("groups nest deeper than {MAX_DEPTH} (byte {i})"));
                    }
                    stack.push(group.clone());
                    group_start = true;
                    pending_skip = 0;
                    i += 1;
                }
                b'}' => {
                    out.flush_bytes(codepage);
                    group = stack
                        .pop()
                        .ok_or_else(|| format!("an unmatched }} at byte {i}"))?;
                    group_start = false;
                    pending_skip = 0;
                    i += 1;
                }
                b'\\' => {
                    let (word, param, next) = control(bytes, i + 1);
                    i = next;
                    let starts = std::mem::take(&mut group_start);
                    if word == "*" {
                        group.skip = true;
                        continue;
                    }
                    if starts && SKIPPED.contains(&word.as_str()) {
                        group.skip = true;
                    }
                    if word == "ansicpg"
                        && let Some(cp) = param
                    {
                        codepage =
                            encoding_rs::Encoding::for_label(format!("windows-{cp}").as_bytes())
                                .or_else(|| {
                                    encoding_rs::Encoding::for_label(format!("cp{cp}").as_bytes())
                                })
                                .unwrap_or(encoding_rs::WINDOWS_1252);
                    }
                    if word == "uc" {
                        group.uc = usize::try_from(param.unwrap_or(1)).unwrap_or(1).min(8);
                    }
                    if group.skip {
                        continue;
                    }
                    // A fallback character may be a `\'hh`: it counts as one.
                    if pending_skip > 0 && word == "'" {
                        pending_skip -= 1;
                        continue;
                    }
                    match word.as_str() {
                        "par" | "line" | "row" | "page" | "sect" => {
                            out.flush_bytes(codepage);
                            out.text.push('\n');
                        }
                        "tab" | "cell" => out.push_char('\t', codepage),
                        "emdash" => out.push_char('—', codepage),
                        "endash" => out.push_char('–', codepage),
                        "bullet" => out.push_char('•', codepage),
                        "lquote" => out.push_char('‘', codepage),
                        "rquote" => out.push_char('’', codepage),
                        "ldblquote" => out.push_char('“', codepage),
                        "rdblquote" => out.push_char('”', codepage),
                        "~" => out.push_char('\u{a0}', codepage),
                        "_" => out.push_char('\u{2011}', codepage),
                        "\\" | "{" | "}" => {
                            out.push_char(word.chars().next().unwrap_or(' '), codepage);
                        }
                        "'" => {
                            if let Some(byte) = param.and_then(|p| u8::try_from(p).ok()) {
                                out.bytes.push(byte);
                            }
                        }
                        "u" => {
                            if let Some(n) = param {
                                let n = if n < 0 { n + 65_536 } else { n };
                                out.push_char(
                                    u32::try_from(n)
                                        .ok()
                                        .and_then(char::from_u32)
                                        .unwrap_or('\u{fffd}'),
                                    codepage,
                                );
                                pending_skip = group.uc;
                            }
                        }
                        _ => {}
                    }
                }
                b'\r' | b'\n' => i += 1,
                _ => {
                    group_start = false;
                    i += 1;
                    if group.skip {
                        continue;
                    }
                    if pending_skip > 0 {
                        pending_skip -= 1;
                        continue;
                    }
                    out.bytes.push(b);
                }
            }
        }
        out.flush_bytes(codepage);
        let mut text = out.text;
        while text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    }
}

/// A control word after a backslash at `at`: (word, parameter, where the next token begins).
/// `\'hh` is ("'", the byte); a control symbol (`\~`, `\*`, `\\`) has no parameter.
fn control(bytes: &[u8], at: usize) -> (String, Option<i32>, usize) {
    let Some(&first) = bytes.get(at) else {
        return (String::new(), None, at);
    };
    if first == b'\'' {
        let hex = bytes
            .get(at + 1..at + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        let byte = hex.and_then(|h| i32::from_str_radix(h, 16).ok());
        return ("'".to_owned(), byte, (at + 3).min(bytes.len()));
    }
    if !first.is_ascii_alphabetic() {
        return ((first as char).to_string(), None, at + 1);
    }
    let mut end = at;
    while end < bytes.len() && bytes[end].is_ascii_alphabetic() && end - at < 32 {
        end += 1;
    }
    let word = String::from_utf8_lossy(&bytes[at..end]).into_owned();
    let mut p = end;
    if p < bytes.len() && bytes[p] == b'-' {
        p += 1;
    }
    while p < bytes.len() && bytes[p].is_ascii_digit() && p - end < 10 {
        p += 1;
    }
    let param = (p > end)
        .then(|| std::str::from_utf8(&bytes[end..p]).ok()?.parse().ok())
        .flatten();
    let next = if param.is_some() { p } else { end };
    // One space after a control word belongs to it.
    let next = if bytes.get(next) == Some(&b' ') {
        next + 1
    } else {
        next
    };
    (word, param, next)
}

#[derive(Default)]
struct Out {
    text: String,
    /// Bytes in the code page not decoded yet (a multi-byte character may span `\'hh`s).
    bytes: Vec<u8>,
}

impl Out {
    fn flush_bytes(&mut self, codepage: &'static encoding_rs::Encoding) {
        if !self.bytes.is_empty() {
            let (decoded, _, _) = codepage.decode(&self.bytes);
            self.text.push_str(&decoded);
            self.bytes.clear();
        }
    }

    fn push_char(&mut self, c: char, codepage: &'static encoding_rs::Encoding) {
        self.flush_bytes(codepage);
        self.text.push(c);
    }
}

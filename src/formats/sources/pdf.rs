//! PDF: the text layer, page by page (pdf-extract, on lopdf). A PDF is a program more than a
//! document, and a hostile one (objects that refer to each other in a loop, a stream that
//! inflates without end) could hang or exhaust the reader; so the text is taken out in a child
//! process — `tagdesk sources pdf-text`, given the bytes on its standard input — under
//! [`TIME_LIMIT`] and [`MEMORY_LIMIT`], and killed past them. Where no tagdesk binary can be
//! found (a library user), it runs on this process, a panic caught.
//!
//! A PDF without a text layer (scanned pages) is refused: "no text layer: run OCR first"; an
//! encrypted one says so. Lines of right-to-left script come back in reading order
//! ([`super::pdf_text`]).

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

pub struct Pdf;

/// How long the child may take.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);
/// How much memory (address space) the child may take.
pub const MEMORY_LIMIT: u64 = 2 << 30;

impl super::Converter for Pdf {
    fn name(&self) -> &'static str {
        "PDF"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["pdf"]
    }

    fn convert(&self, bytes: &[u8]) -> Result<String, String> {
        if !bytes.starts_with(b"%PDF") {
            return Err("not a PDF (it does not begin with %PDF)".to_owned());
        }
        let text = match tagdesk_binary() {
            Some(bin) => in_child(&bin, bytes)?,
            None => in_process(bytes)?,
        };
        tidy(&text)
    }
}

/// The tagdesk binary to run the extraction in: `TAGDESK_BIN`, else this program when it is
/// tagdesk.
fn tagdesk_binary() -> Option<std::path::PathBuf> {
    if let Some(bin) = std::env::var_os("TAGDESK_BIN") {
        return Some(bin.into());
    }
    let exe = std::env::current_exe().ok()?;
    let stem = exe.file_stem()?.to_string_lossy().into_owned();
    (stem == "tagdesk").then_some(exe)
}

fn in_child(bin: &std::path::Path, bytes: &[u8]) -> Result<String, String> {
    let mut child = std::process::Command::new(bin)
        .args(["sources", "pdf-text"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("the PDF reader could not start ({e})"))?;
    let mut stdin = child.stdin.take().ok_or("the PDF reader has no input")?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().ok_or("the PDF reader has no output")?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let mut stderr = child.stderr.take().ok_or("the PDF reader has no output")?;
    let errors = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stderr.read_to_string(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "reading it took longer than {} s: it was stopped (a damaged or hostile PDF)",
                TIME_LIMIT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let said = errors.join().unwrap_or_default();
    if status.success() {
        String::from_utf8(out).map_err(|_| "the PDF reader gave no UTF-8 text".to_owned())
    } else if said.trim().is_empty() {
        Err(format!(
            "the PDF reader stopped ({status}): more than {} GiB of memory, or a damaged PDF",
            MEMORY_LIMIT >> 30
        ))
    } else {
        Err(said.trim().trim_start_matches("error: ").to_owned())
    }
}

fn in_process(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.to_vec();
    std::panic::catch_unwind(move || extract(&bytes))
        .unwrap_or_else(|_| Err("the PDF could not be read (the reader failed on it)".to_owned()))
}

/// The text layer of a PDF (what the child runs), page by page in reading order
/// ([`super::pdf_text::Lines`]).
pub fn extract(bytes: &[u8]) -> Result<String, String> {
    let refused = |e: &dyn std::fmt::Display| {
        let said = e.to_string();
        let lower = said.to_lowercase();
        if lower.contains("crypt") || lower.contains("password") {
            "it is encrypted: save it without a password first".to_owned()
        } else {
            format!("the PDF could not be read: {said}")
        }
    };
    let mut doc = pdf_extract::Document::load_mem(bytes).map_err(|e| refused(&e))?;
    if doc.is_encrypted() {
        doc.decrypt("").map_err(|e| refused(&e))?;
    }
    let mut pages = Vec::new();
    // Pages are numbered from 1; the first that cannot be read ends the text, as in
    // pdf-extract's own page-by-page reader.
    for page in 1.. {
        let mut lines = super::pdf_text::Lines::default();
        if pdf_extract::output_doc_page(&doc, &mut lines, page).is_err() {
            break;
        }
        pages.push(lines.finish());
    }
    Ok(pages.join("\n"))
}

/// Trailing spaces off every line, runs of empty lines cut to one; nothing at all is "no text
/// layer".
fn tidy(text: &str) -> Result<String, String> {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    if out.is_empty() {
        return Err("no text layer (scanned pages?): run OCR first".to_owned());
    }
    Ok(out.join("\n"))
}

/// `tagdesk sources pdf-text`: the child. Limits its own memory, reads the PDF from standard
/// input, writes the text to standard output.
pub fn child_main() -> Result<String, String> {
    limit_memory();
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the PDF: {e}"))?;
    extract(&bytes)
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn limit_memory() {
    let limit = libc::rlimit {
        rlim_cur: MEMORY_LIMIT,
        rlim_max: MEMORY_LIMIT,
    };
    // SAFETY: setrlimit reads the struct given; it only lowers this process's own limit.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &raw const limit);
    }
}

#[cfg(not(unix))]
fn limit_memory() {}

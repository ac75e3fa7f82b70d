//! EPUB: the chapters in the spine's order (`META-INF/container.xml` → the package document →
//! its spine), each XHTML chapter's block elements as lines; scripts and styles left out.

use super::xml::{Role, parse, text_of};

const XHTML: &str = "http://www.w3.org/1999/xhtml";

pub struct Epub;

impl super::Converter for Epub {
    fn name(&self) -> &'static str {
        "EPUB book"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["epub"]
    }

    fn convert(&self, bytes: &[u8]) -> Result<String, String> {
        let mut zip = super::open_zip(bytes, "EPUB book")?;
        let container = super::zip_member(&mut zip, "META-INF/container.xml")?;
        let container = parse(&container, "META-INF/container.xml", false)?;
        let opf_path = container
            .descendants()
            .find(|n| n.tag_name().name() == "rootfile")
            .and_then(|n| n.attribute("full-path"))
            .ok_or("META-INF/container.xml names no package document")?
            .to_owned();
        let opf = super::zip_member(&mut zip, &opf_path)?;
        let opf = parse(&opf, &opf_path, false)?;
        let base = opf_path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let href_of = |id: &str| {
            opf.descendants()
                .find(|n| n.tag_name().name() == "item" && n.attribute("id") == Some(id))
                .and_then(|n| n.attribute("href"))
        };
        let mut chapters = Vec::new();
        for itemref in opf
            .descendants()
            .filter(|n| n.tag_name().name() == "itemref")
            .take(super::limits::MAX_EPUB_PARTS)
        {
            let Some(href) = itemref.attribute("idref").and_then(href_of) else {
                continue;
            };
            let path = if base.is_empty() {
                href.to_owned()
            } else {
                format!("{base}/{href}")
            };
            let xhtml = super::zip_member(&mut zip, &path)?;
            // XHTML carries a doctype; roxmltree still bounds entity expansion.
            let doc = parse(&xhtml, &path, true)?;
            let Some(body) = doc.descendants().find(|n| n.has_tag_name((XHTML, "body"))) else {
                continue;
            };
            chapters.push(text_of(body, false, &|n| match n.tag_name().name() {
                "script" | "style" | "head" => Role::Skip,
                "br" => Role::Insert("\n".to_owned()),
                "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "div" | "tr"
                | "blockquote" | "pre" | "dt" | "dd" | "figcaption" | "section" => Role::Block,
                _ => Role::Pass,
            }));
        }
        if chapters.is_empty() {
            return Err("the book has no chapters with text".to_owned());
        }
        // An empty paragraph is kept visible in XHTML as a no-break space (LibreOffice writes
        // `<p>&nbsp;</p>`): such a line is empty.
        let text = chapters.join("\n");
        Ok(text
            .split('\n')
            .map(|line| if line.trim().is_empty() { "" } else { line })
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

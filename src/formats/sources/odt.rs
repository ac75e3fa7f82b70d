//! `OpenDocument` text (ODT): `content.xml`'s `office:text`, each paragraph and heading a line;
//! `text:s` (spaces), tabs and line breaks kept; notes and annotations left out.

use super::xml::{Role, parse, text_of};

const OFFICE: &str = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
const TEXT: &str = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";

pub struct Odt;

impl super::Converter for Odt {
    fn name(&self) -> &'static str {
        "OpenDocument text"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["odt"]
    }

    fn convert(&self, bytes: &[u8]) -> Result<String, String> {
        let mut zip = super::open_zip(bytes, "OpenDocument text")?;
        let xml = super::zip_member(&mut zip, "content.xml")?;
        let doc = parse(&xml, "content.xml", false)?;
        let body = doc
            .descendants()
            .find(|n| n.has_tag_name((OFFICE, "text")))
            .ok_or("content.xml has no office:text")?;
        Ok(text_of(body, false, &|n| {
            if n.has_tag_name((OFFICE, "annotation")) {
                return Role::Skip;
            }
            if n.tag_name().namespace() != Some(TEXT) {
                return Role::Pass;
            }
            match n.tag_name().name() {
                "p" | "h" => Role::Block,
                "s" => {
                    let count = n
                        .attribute((TEXT, "c"))
                        .and_then(|c| c.parse::<usize>().ok())
                        .unwrap_or(1)
                        .min(1000);
                    Role::Insert(" ".repeat(count))
                }
                "tab" => Role::Insert("\t".to_owned()),
                "line-break" => Role::Insert("\n".to_owned()),
                "note" | "tracked-changes" | "sequence-decls" => Role::Skip,
                _ => Role::Pass,
            }
        }))
    }
}

//! Word (DOCX, Office Open XML): `word/document.xml`'s body, each paragraph (`w:p`) a line;
//! runs' text (`w:t`), tabs and breaks kept; deleted text (`w:delText`), field codes
//! (`w:instrText`), comments and footnotes left out.

use super::xml::{Role, parse, text_of};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

pub struct Docx;

impl super::Converter for Docx {
    fn name(&self) -> &'static str {
        "Word document"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["docx"]
    }

    fn convert(&self, bytes: &[u8]) -> Result<String, String> {
        let mut zip = super::open_zip(bytes, "Word document")?;
        let xml = super::zip_member(&mut zip, "word/document.xml")?;
        let doc = parse(&xml, "word/document.xml", false)?;
        let body = doc
            .descendants()
            .find(|n| n.has_tag_name((W, "body")))
            .ok_or("word/document.xml has no body")?;
        Ok(text_of(body, true, &|n| {
            if n.tag_name().namespace() != Some(W) {
                return Role::Pass;
            }
            match n.tag_name().name() {
                "p" => Role::Block,
                "t" => Role::Text,
                "tab" => Role::Insert("\t".to_owned()),
                "br" | "cr" => Role::Insert("\n".to_owned()),
                "noBreakHyphen" => Role::Insert("\u{2011}".to_owned()),
                "delText" | "instrText" | "commentReference" | "footnoteReference" => Role::Skip,
                _ => Role::Pass,
            }
        }))
    }
}

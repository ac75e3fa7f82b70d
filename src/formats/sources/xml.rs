//! XML parts of a package, parsed within bounds: DTDs refused (no entity expansion) unless the
//! format needs one (XHTML's doctype), and a node limit. Text is gathered by walking the tree
//! without recursion, so deep nesting costs no stack.

use super::limits;

/// Parses an XML part; `part` names it in messages.
pub fn parse<'a>(
    text: &'a str,
    part: &str,
    allow_dtd: bool,
) -> Result<roxmltree::Document<'a>, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd,
        nodes_limit: limits::MAX_XML_NODES,
    };
    roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| format!("{part} is not well-formed XML: {e}"))
}

/// What a node means for the text.
pub enum Role {
    /// Its text is kept.
    Text,
    /// A paragraph or heading: it ends a line.
    Block,
    /// A break inside a line: this string is written (a tab, a line break, spaces).
    Insert(String),
    /// Left out with everything in it (comments, deleted text, scripts).
    Skip,
    /// Nothing of its own; its children count.
    Pass,
}

/// The text of `root`'s subtree: `role` says what each element is. With `only_in_text`, text
/// nodes count only inside `Text` elements (Word keeps all text in `w:t`; whitespace between
/// elements is not text); otherwise every text node counts (`OpenDocument`, XHTML). Lines are the
/// blocks, in document order.
pub fn text_of(
    root: roxmltree::Node,
    only_in_text: bool,
    role: &dyn Fn(roxmltree::Node) -> Role,
) -> String {
    enum Visit<'a, 'input> {
        Enter(roxmltree::Node<'a, 'input>),
        /// Leaving a block that began at this length of the output.
        Leave(usize),
        LeaveText,
    }
    let mut out = String::new();
    let mut inside_text = 0usize;
    // An explicit stack instead of recursion.
    let mut stack = vec![Visit::Enter(root)];
    while let Some(visit) = stack.pop() {
        let node = match visit {
            // A block ends its line; an empty one is an empty line; one whose last nested
            // block ended the line adds nothing.
            Visit::Leave(start) => {
                if out.len() == start || !out.ends_with('\n') {
                    out.push('\n');
                }
                continue;
            }
            Visit::LeaveText => {
                inside_text -= 1;
                continue;
            }
            Visit::Enter(node) => node,
        };
        if node.is_text() {
            if let Some(t) = node.text()
                && (!only_in_text || inside_text > 0)
            {
                out.push_str(t);
            }
            continue;
        }
        if !node.is_element() && !node.is_root() {
            continue;
        }
        match role(node) {
            Role::Skip => continue,
            Role::Insert(s) => {
                out.push_str(&s);
                continue;
            }
            Role::Block => stack.push(Visit::Leave(out.len())),
            Role::Text => {
                inside_text += 1;
                stack.push(Visit::LeaveText);
            }
            Role::Pass => {}
        }
        let children: Vec<_> = node.children().collect();
        for child in children.into_iter().rev() {
            stack.push(Visit::Enter(child));
        }
    }
    // The last line ends without a newline.
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

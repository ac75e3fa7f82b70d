//! The label schema: which labels exist, their colours, hotkeys and descriptions.

use serde::{Deserialize, Serialize};

/// One label of the schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelDef {
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// A single key (`"1"` … `"9"`, or a letter) that applies the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotkey: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl LabelDef {
    /// The colour as RGB bytes; a grey when the string is not `#rrggbb`.
    pub fn rgb(&self) -> [u8; 3] {
        parse_hex_color(&self.color).unwrap_or([0x99, 0x99, 0x99])
    }
}

/// Parses `#rrggbb` (or `rrggbb`).
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#').unwrap_or(s);
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The labels of a project, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Schema {
    pub labels: Vec<LabelDef>,
}

impl Default for Schema {
    /// actor / claim / disagreement: who said what, against whom.
    fn default() -> Self {
        let label = |name: &str, color: &str, hotkey: &str, description: &str| LabelDef {
            name: name.to_owned(),
            color: color.to_owned(),
            hotkey: Some(hotkey.to_owned()),
            description: description.to_owned(),
        };
        Self {
            labels: vec![
                label(
                    "actor",
                    "#4e79a7",
                    "1",
                    "A person, government or organisation that speaks or acts.",
                ),
                label(
                    "claim",
                    "#f28e2b",
                    "2",
                    "A statement an actor makes about the world or a policy.",
                ),
                label(
                    "disagreement",
                    "#e15759",
                    "3",
                    "A passage where actors oppose each other or a claim.",
                ),
            ],
        }
    }
}

impl Schema {
    pub fn get(&self, name: &str) -> Option<&LabelDef> {
        self.labels.iter().find(|l| l.name == name)
    }

    pub fn by_hotkey(&self, key: &str) -> Option<&LabelDef> {
        self.labels.iter().find(|l| {
            l.hotkey
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(key))
        })
    }

    /// Problems that make the schema unusable: empty or duplicate names, duplicate hotkeys,
    /// bad colours.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, label) in self.labels.iter().enumerate() {
            if label.name.trim().is_empty() {
                problems.push(format!("label #{} has an empty name", i + 1));
            }
            if self.labels[..i].iter().any(|l| l.name == label.name) {
                problems.push(format!("label \"{}\" is defined twice", label.name));
            }
            if parse_hex_color(&label.color).is_none() {
                problems.push(format!(
                    "label \"{}\": colour \"{}\" is not #rrggbb",
                    label.name, label.color
                ));
            }
            if let Some(key) = &label.hotkey {
                if key.chars().count() != 1 {
                    problems.push(format!(
                        "label \"{}\": hotkey \"{key}\" must be a single character",
                        label.name
                    ));
                } else if self.labels[..i]
                    .iter()
                    .any(|l| l.hotkey.as_deref() == Some(key.as_str()))
                {
                    problems.push(format!(
                        "label \"{}\": hotkey \"{key}\" is already used",
                        label.name
                    ));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_is_actor_claim_disagreement_on_1_2_3() {
        let schema = Schema::default();
        assert!(schema.problems().is_empty());
        assert_eq!(schema.by_hotkey("1").unwrap().name, "actor");
        assert_eq!(schema.by_hotkey("2").unwrap().name, "claim");
        assert_eq!(schema.by_hotkey("3").unwrap().name, "disagreement");
        assert_eq!(schema.get("actor").unwrap().rgb(), [0x4e, 0x79, 0xa7]);
    }

    #[test]
    fn schema_problems_are_reported() {
        let mut schema = Schema::default();
        schema.labels[1].hotkey = Some("1".into());
        schema.labels[2].color = "red".into();
        let problems = schema.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}

//! The schema: labels (colour, hotkey, description, attributes) and relation types.

use std::collections::BTreeMap;

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
    /// Fields an annotation with this label can carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDef>,
}

/// A schema-defined field on a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub name: String,
    #[serde(flatten)]
    pub kind: AttributeKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// A number per choice value, for attributes that qualify a claim (the stance: support +1,
    /// neutral 0, oppose −1): what discourse networks weigh agreement by.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, i64>,
}

/// What values an attribute takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum AttributeKind {
    /// One of a fixed list of values (e.g. stance: support / oppose / neutral).
    Choice { values: Vec<String> },
    /// Set or not.
    Flag,
    /// Free text.
    Text,
}

/// An attribute's value on an annotation: a choice or text is a string, a flag a boolean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    Flag(bool),
    Text(String),
}

impl std::fmt::Display for AttributeValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Flag(b) => write!(f, "{}", if *b { "yes" } else { "no" }),
            Self::Text(t) => f.write_str(t),
        }
    }
}

impl AttributeDef {
    /// Whether `value` fits this attribute.
    pub fn accepts(&self, value: &AttributeValue) -> bool {
        match (&self.kind, value) {
            (AttributeKind::Choice { values }, AttributeValue::Text(v)) => values.contains(v),
            (AttributeKind::Flag, AttributeValue::Flag(_))
            | (AttributeKind::Text, AttributeValue::Text(_)) => true,
            _ => false,
        }
    }
}

/// A typed, directed link between two annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationDef {
    pub name: String,
    /// Labels the source may have; empty means any.
    #[serde(default)]
    pub from: Vec<String>,
    /// Labels the target may have; empty means any.
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl RelationDef {
    /// Whether a relation of this type may go from a `from_label` span to a `to_label` span.
    pub fn allows(&self, from_label: &str, to_label: &str) -> bool {
        (self.from.is_empty() || self.from.iter().any(|l| l == from_label))
            && (self.to.is_empty() || self.to.iter().any(|l| l == to_label))
    }
}

/// Attribute values of one annotation, by attribute name (sorted: stable files).
pub type Attributes = BTreeMap<String, AttributeValue>;

/// The attribute every span may carry whatever its label: the id of the entity (in the
/// project's entity registry) the span refers to — an actor, or the concept a claim is about.
/// Kept as an attribute, so every export that carries attributes carries the link, review and
/// agreement compare it like any attribute, and a span without a link costs nothing.
pub const ENTITY_ATTRIBUTE: &str = "entity";

impl LabelDef {
    /// Whether a span with this label may carry `name = value`: an attribute the label defines
    /// and the value fits, or the entity link.
    pub fn fits(&self, name: &str, value: &AttributeValue) -> bool {
        (name == ENTITY_ATTRIBUTE && matches!(value, AttributeValue::Text(_)))
            || self
                .attributes
                .iter()
                .any(|d| d.name == name && d.accepts(value))
    }

    /// The colour as RGB bytes; a grey when the string is not `#rrggbb`.
    pub fn rgb(&self) -> [u8; 3] {
        parse_hex_color(&self.color).unwrap_or([0x99, 0x99, 0x99])
    }
}

/// Single keys the app uses itself, which a label cannot take.
pub const RESERVED_KEYS: [&str; 1] = ["r"];

/// The colours new labels take, in order (Tableau 10: distinct, and readable as fills).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// Parses `#rrggbb` (or `rrggbb`).
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#').unwrap_or(s);
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The labels and relation types of a project, in display order. Stored flattened into the
/// manifest (`"labels"`, `"relations"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub labels: Vec<LabelDef>,
    #[serde(default)]
    pub relations: Vec<RelationDef>,
    /// Typed attributes of entities (the registry's actors and concepts), e.g. an actor's
    /// `type` (government, person…) and `country`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entity_attributes: Vec<EntityAttributeDef>,
}

/// An attribute the entities of one kind carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityAttributeDef {
    /// `actor` or `concept`.
    pub kind: crate::core::entities::EntityKind,
    pub name: String,
    /// The values it may take; empty: free text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl EntityAttributeDef {
    /// Whether `value` fits (any text when there is no list).
    pub fn accepts(&self, value: &str) -> bool {
        self.values.is_empty() || self.values.iter().any(|v| v == value)
    }
}

impl Default for Schema {
    /// actor / claim / disagreement: who said what, against whom; a claim's stance; the
    /// relations `said_by` (claim → actor), `disputes` (disagreement → claim) and `between`
    /// (disagreement → actor).
    fn default() -> Self {
        let label = |name: &str, color: &str, hotkey: &str, description: &str| LabelDef {
            name: name.to_owned(),
            color: color.to_owned(),
            hotkey: Some(hotkey.to_owned()),
            description: description.to_owned(),
            attributes: Vec::new(),
        };
        let relation = |name: &str, from: &str, to: &str, description: &str| RelationDef {
            name: name.to_owned(),
            from: vec![from.to_owned()],
            to: vec![to.to_owned()],
            description: description.to_owned(),
        };
        let mut claim = label(
            "claim",
            "#f28e2b",
            "2",
            "A statement an actor makes about the world or a policy.",
        );
        claim.attributes.push(AttributeDef {
            name: "stance".to_owned(),
            kind: AttributeKind::Choice {
                values: vec![
                    "support".to_owned(),
                    "oppose".to_owned(),
                    "neutral".to_owned(),
                ],
            },
            description: "Does the claim support or oppose the talks' aims?".to_owned(),
            levels: [("support", 1), ("neutral", 0), ("oppose", -1)]
                .into_iter()
                .map(|(v, l)| (v.to_owned(), l))
                .collect(),
        });
        Self {
            labels: vec![
                label(
                    "actor",
                    "#4e79a7",
                    "1",
                    "A person, government or organisation that speaks or acts.",
                ),
                claim,
                label(
                    "disagreement",
                    "#e15759",
                    "3",
                    "A passage where actors oppose each other or a claim.",
                ),
            ],
            relations: vec![
                relation("said_by", "claim", "actor", "Who made the claim."),
                relation(
                    "disputes",
                    "disagreement",
                    "claim",
                    "The claim a disagreement is about.",
                ),
                relation(
                    "between",
                    "disagreement",
                    "actor",
                    "An actor taking part in a disagreement.",
                ),
            ],
            entity_attributes: vec![
                EntityAttributeDef {
                    kind: crate::core::entities::EntityKind::Actor,
                    name: "type".to_owned(),
                    values: ["government", "person", "organisation", "armed group"]
                        .map(str::to_owned)
                        .to_vec(),
                    description: "What kind of actor it is.".to_owned(),
                },
                EntityAttributeDef {
                    kind: crate::core::entities::EntityKind::Actor,
                    name: "country".to_owned(),
                    values: Vec::new(),
                    description: String::new(),
                },
            ],
        }
    }
}

impl Schema {
    /// The labels' names, in the schema's order.
    pub fn label_names(&self) -> Vec<String> {
        self.labels.iter().map(|l| l.name.clone()).collect()
    }

    /// The colour for a new label: the first of [`PALETTE`] no label has yet, else the
    /// palette again in turn.
    pub fn unused_color(&self) -> String {
        let taken = |c: &str| self.labels.iter().any(|l| l.color.eq_ignore_ascii_case(c));
        PALETTE
            .iter()
            .find(|c| !taken(c))
            .unwrap_or(&PALETTE[self.labels.len() % PALETTE.len()])
            .to_string()
    }

    /// The attributes entities of `kind` carry.
    pub fn entity_attributes(
        &self,
        kind: crate::core::entities::EntityKind,
    ) -> impl Iterator<Item = &EntityAttributeDef> {
        self.entity_attributes
            .iter()
            .filter(move |a| a.kind == kind)
    }

    pub fn get(&self, name: &str) -> Option<&LabelDef> {
        self.labels.iter().find(|l| l.name == name)
    }

    pub fn relation(&self, name: &str) -> Option<&RelationDef> {
        self.relations.iter().find(|r| r.name == name)
    }

    /// Relation types allowed from a `from_label` span to a `to_label` span.
    pub fn relations_between(&self, from_label: &str, to_label: &str) -> Vec<&RelationDef> {
        self.relations
            .iter()
            .filter(|r| r.allows(from_label, to_label))
            .collect()
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
                if RESERVED_KEYS.iter().any(|r| r.eq_ignore_ascii_case(key)) {
                    problems.push(format!(
                        "label \"{}\": key \"{key}\" is taken by the app (R links spans)",
                        label.name
                    ));
                } else if key.chars().count() != 1 {
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
        for (i, relation) in self.relations.iter().enumerate() {
            if relation.name.trim().is_empty() {
                problems.push(format!("relation type #{} has an empty name", i + 1));
            }
            if self.relations[..i].iter().any(|r| r.name == relation.name) {
                problems.push(format!(
                    "relation type \"{}\" is defined twice",
                    relation.name
                ));
            }
            for label in relation.from.iter().chain(&relation.to) {
                if self.get(label).is_none() {
                    problems.push(format!(
                        "relation type \"{}\" names label \"{label}\", which is not defined",
                        relation.name
                    ));
                }
            }
        }
        for label in &self.labels {
            for (i, attribute) in label.attributes.iter().enumerate() {
                if label.attributes[..i]
                    .iter()
                    .any(|a| a.name == attribute.name)
                {
                    problems.push(format!(
                        "label \"{}\": attribute \"{}\" is defined twice",
                        label.name, attribute.name
                    ));
                }
            }
        }
        for (i, attribute) in self.entity_attributes.iter().enumerate() {
            if attribute.name.trim().is_empty() {
                problems.push(format!("entity attribute #{} has an empty name", i + 1));
            }
            if self.entity_attributes[..i]
                .iter()
                .any(|a| a.kind == attribute.kind && a.name == attribute.name)
            {
                problems.push(format!(
                    "{} attribute \"{}\" is defined twice",
                    attribute.kind.as_str(),
                    attribute.name
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_label_takes_the_first_colour_no_label_has() {
        let mut schema = Schema::default();
        // The defaults use the palette's first three colours (in some order).
        assert_eq!(schema.unused_color(), "#76b7b2");
        schema.labels[0].color = "#76B7B2".to_owned();
        let freed = schema.unused_color();
        assert!(PALETTE[..3].contains(&freed.as_str()), "{freed}");
        for color in PALETTE {
            let mut label = schema.labels[0].clone();
            label.color = color.to_owned();
            schema.labels.push(label);
        }
        assert!(
            PALETTE.contains(&schema.unused_color().as_str()),
            "all taken: in turn"
        );
    }

    #[test]
    fn default_schema_is_actor_claim_disagreement_on_1_2_3() {
        let schema = Schema::default();
        assert!(schema.problems().is_empty());
        assert_eq!(schema.by_hotkey("1").unwrap().name, "actor");
        assert_eq!(schema.by_hotkey("2").unwrap().name, "claim");
        assert_eq!(schema.by_hotkey("3").unwrap().name, "disagreement");
        assert_eq!(schema.get("actor").unwrap().rgb(), [0x4e, 0x79, 0xa7]);
        let names: Vec<_> = schema
            .relations_between("claim", "actor")
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["said_by"]);
        assert!(schema.relations_between("actor", "claim").is_empty());
        let stance = &schema.get("claim").unwrap().attributes[0];
        assert!(stance.accepts(&AttributeValue::Text("oppose".into())));
        assert!(!stance.accepts(&AttributeValue::Text("maybe".into())));
        assert!(!stance.accepts(&AttributeValue::Flag(true)));
    }

    #[test]
    fn attribute_values_are_plain_json() {
        let mut attributes = Attributes::new();
        attributes.insert("stance".into(), AttributeValue::Text("oppose".into()));
        attributes.insert("hedged".into(), AttributeValue::Flag(true));
        let json = serde_json::to_string(&attributes).unwrap();
        assert_eq!(json, r#"{"hedged":true,"stance":"oppose"}"#);
        assert_eq!(
            serde_json::from_str::<Attributes>(&json).unwrap(),
            attributes
        );
    }

    #[test]
    fn the_link_key_is_reserved() {
        let mut schema = Schema::default();
        schema.labels[0].hotkey = Some("R".into());
        assert!(schema.problems()[0].contains("taken by the app"));
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

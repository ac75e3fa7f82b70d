//! Extending the project's schema for what an import brings ("add labels"): labels, their
//! attributes typed from the values seen, relation types, a codebook's declared labels.

use super::{
    AttributeDef, AttributeKind, AttributeValue, Attributes, FxHashMap, LabelDef, RelationDef,
    Schema, Unit, mapped_pieces,
};

/// Extends `schema` for one unit's spans and relations, in their order, as planning them one
/// by one with "add labels" would; returns what was added.
pub(super) fn extend_schema_for_unit(schema: &mut Schema, unit: &Unit) -> Vec<String> {
    let mut added = Vec::new();
    // The spans that would be imported (or found already there), by input id: their labels.
    let mut imported: FxHashMap<&str, &str> = FxHashMap::default();
    let linked = !unit.layer.relations.is_empty();
    for span in &unit.layer.spans {
        // A known label without attributes fits as it is; unless relations need to know
        // which spans are imported, that is all there is to learn about it.
        if !linked && span.attributes.is_empty() && schema.get(&span.label).is_some() {
            continue;
        }
        let Ok(Some(_)) = mapped_pieces(span, &unit.map, unit.len) else {
            continue;
        };
        let attributes = typed_attributes(schema, &span.label, span.attributes.clone());
        if !fits_span(schema, &span.label, &attributes) {
            added.extend(extend_schema_for_span(schema, &span.label, &attributes));
            if !fits_span(schema, &span.label, &attributes) {
                continue;
            }
        }
        imported.insert(span.id.as_str(), span.label.as_str());
    }
    for link in &unit.layer.relations {
        let (Some(from), Some(to)) = (
            imported.get(link.from.as_str()),
            imported.get(link.to.as_str()),
        ) else {
            continue;
        };
        let fits = schema
            .relation(&link.kind)
            .is_some_and(|d| d.allows(from, to));
        if !fits {
            added.extend(extend_schema_for_link(schema, &link.kind, from, to));
        }
    }
    added
}

pub(super) fn describe(attributes: &Attributes) -> String {
    attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn fits_span(schema: &Schema, label: &str, attributes: &Attributes) -> bool {
    schema
        .get(label)
        .is_some_and(|def| attributes.iter().all(|(n, v)| def.fits(n, v)))
}

/// Adds a codebook's labels (with their colours, descriptions and choice attributes) to
/// `schema` where missing; returns what was added.
pub(super) fn add_declared_labels(schema: &mut Schema, declared: &Schema) -> Vec<String> {
    let mut added = Vec::new();
    for label in &declared.labels {
        let is_new = schema.get(&label.name).is_none();
        added.extend(extend_schema_for_span(
            schema,
            &label.name,
            &Attributes::new(),
        ));
        let Some(def) = schema.labels.iter_mut().find(|l| l.name == label.name) else {
            continue;
        };
        if is_new {
            if label.color.len() == 7 && label.color.starts_with('#') {
                def.color = label.color.to_ascii_lowercase();
            }
            def.description = label.description.clone();
        }
        for attribute in &label.attributes {
            match def.attributes.iter_mut().find(|a| a.name == attribute.name) {
                None => {
                    def.attributes.push(attribute.clone());
                    added.push(format!("attribute {}.{}", label.name, attribute.name));
                }
                Some(existing) => {
                    if let (
                        AttributeKind::Choice { values },
                        AttributeKind::Choice { values: more },
                    ) = (&mut existing.kind, &attribute.kind)
                    {
                        for v in more {
                            if !values.contains(v) {
                                values.push(v.clone());
                                added.push(format!("value {}.{}={v}", label.name, attribute.name));
                            }
                        }
                    }
                }
            }
        }
    }
    added
}

/// Formats that write a flag as text (Label Studio's choices, the `WebAnno` TSV's feature values) give it
/// back as "yes" / "true" / "1" or "no" / "false" / "0": where the schema says the attribute is
/// a flag, that is a flag again (set, or absent as an unset flag is).
pub(super) fn typed_attributes(schema: &Schema, label: &str, attributes: Attributes) -> Attributes {
    let Some(def) = schema.get(label) else {
        return attributes;
    };
    attributes
        .into_iter()
        .filter_map(|(name, value)| {
            let is_flag = def
                .attributes
                .iter()
                .any(|d| d.name == name && d.kind == AttributeKind::Flag);
            let value = match value {
                AttributeValue::Text(t) if is_flag => {
                    match t.trim().to_ascii_lowercase().as_str() {
                        "yes" | "true" | "1" => AttributeValue::Flag(true),
                        "no" | "false" | "0" => return None,
                        _ => AttributeValue::Text(t),
                    }
                }
                AttributeValue::Flag(false) if is_flag => return None,
                other => other,
            };
            Some((name, value))
        })
        .collect()
}

/// Adds `label` and its attributes to `schema` where missing; returns what was added.
pub fn extend_schema_for_span(
    schema: &mut Schema,
    label: &str,
    attributes: &Attributes,
) -> Vec<String> {
    let mut added = Vec::new();
    if schema.get(label).is_none() {
        let used_keys: Vec<String> = schema
            .labels
            .iter()
            .filter_map(|l| l.hotkey.clone())
            .collect();
        let hotkey = (1..=9)
            .map(|d| d.to_string())
            .find(|k| !used_keys.contains(k));
        schema.labels.push(LabelDef {
            name: label.to_owned(),
            color: schema.unused_color(),
            hotkey,
            description: String::new(),
            attributes: Vec::new(),
        });
        added.push(format!("label {label}"));
    }
    let Some(def) = schema.labels.iter_mut().find(|l| l.name == label) else {
        return added;
    };
    for (name, value) in attributes {
        match def.attributes.iter_mut().find(|d| &d.name == name) {
            None => {
                def.attributes.push(AttributeDef {
                    name: name.clone(),
                    kind: match value {
                        AttributeValue::Flag(_) => AttributeKind::Flag,
                        AttributeValue::Text(_) => AttributeKind::Text,
                    },
                    description: String::new(),
                    levels: std::collections::BTreeMap::new(),
                });
                added.push(format!("attribute {label}.{name}"));
            }
            Some(d) => {
                if let (AttributeKind::Choice { values }, AttributeValue::Text(v)) =
                    (&mut d.kind, value)
                    && !values.contains(v)
                {
                    values.push(v.clone());
                    added.push(format!("value {label}.{name}={v}"));
                }
            }
        }
    }
    added
}

/// Makes `schema` allow a `kind` relation from a `from` span to a `to` span.
pub fn extend_schema_for_link(
    schema: &mut Schema,
    kind: &str,
    from: &str,
    to: &str,
) -> Vec<String> {
    match schema.relations.iter_mut().find(|r| r.name == kind) {
        None => {
            schema.relations.push(RelationDef {
                name: kind.to_owned(),
                from: vec![from.to_owned()],
                to: vec![to.to_owned()],
                description: String::new(),
            });
            vec![format!("relation {kind}")]
        }
        Some(def) => {
            let mut added = Vec::new();
            if !def.from.is_empty() && !def.from.iter().any(|l| l == from) {
                def.from.push(from.to_owned());
                added.push(format!("relation {kind} from {from}"));
            }
            if !def.to.is_empty() && !def.to.iter().any(|l| l == to) {
                def.to.push(to.to_owned());
                added.push(format!("relation {kind} to {to}"));
            }
            added
        }
    }
}

//! The registry as CSV, for spreadsheets and for other tools: `id,kind,name,aliases` then one
//! column per attribute; aliases are separated by ` | `. Reading a table merges it: a row with
//! a known id replaces that entity (its kind may not change), a row with a new or empty id adds
//! one. Every problem names its line.

use std::collections::{BTreeMap, BTreeSet};

use super::{Entity, EntityKind, Registry};

/// How aliases are joined in one cell.
pub const ALIAS_SEPARATOR: &str = " | ";

/// Why a table cannot be read (nothing is changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    pub line: u64,
    pub message: String,
}

impl Registry {
    /// The registry as a table, entities in id order, attribute columns in name order.
    pub fn to_csv(&self) -> String {
        let attributes: BTreeSet<&str> = self
            .entities
            .iter()
            .flat_map(|e| e.attributes.keys().map(String::as_str))
            .collect();
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(
            ["id", "kind", "name", "aliases"]
                .into_iter()
                .chain(attributes.iter().copied()),
        );
        for e in &self.entities {
            let mut row = vec![
                e.id.clone(),
                e.kind.as_str().to_owned(),
                e.name.clone(),
                e.aliases.join(ALIAS_SEPARATOR),
            ];
            row.extend(
                attributes
                    .iter()
                    .map(|a| e.attributes.get(*a).cloned().unwrap_or_default()),
            );
            let _ = w.write_record(row);
        }
        w.into_inner()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// This registry with the table's rows merged in, and how many rows there were.
    pub fn merge_csv(&self, text: &str) -> Result<(Self, usize), CsvError> {
        let mut reader = ::csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let at = |line: u64, message: String| CsvError { line, message };
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| at(1, e.to_string()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(name_col), kind_col) = (column("name"), column("kind")) else {
            return Err(at(1, "the header has no \"name\" column".to_owned()));
        };
        let Some(kind_col) = kind_col else {
            return Err(at(1, "the header has no \"kind\" column".to_owned()));
        };
        let id_col = column("id");
        let aliases_col = column("aliases");
        let attribute_cols: Vec<(usize, &String)> = header
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                *i != name_col && *i != kind_col && Some(*i) != id_col && Some(*i) != aliases_col
            })
            .collect();
        let mut next = self.clone();
        let mut rows = 0;
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, ::csv::Position::line);
                at(line, e.to_string())
            })?;
            let line = record.position().map_or(0, ::csv::Position::line);
            rows += 1;
            let cell = |i: usize| record.get(i).unwrap_or("").trim();
            let kind = match cell(kind_col).to_lowercase().as_str() {
                "actor" => EntityKind::Actor,
                "concept" => EntityKind::Concept,
                other => {
                    return Err(at(
                        line,
                        format!("kind \"{other}\" is neither actor nor concept"),
                    ));
                }
            };
            let name = cell(name_col)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                return Err(at(line, "the name is empty".to_owned()));
            }
            let aliases: Vec<String> = aliases_col
                .map(|c| {
                    cell(c)
                        .split('|')
                        .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
                        .filter(|a| !a.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let attributes: BTreeMap<String, String> = attribute_cols
                .iter()
                .filter(|(i, _)| !cell(*i).is_empty())
                .map(|(i, h)| ((*h).clone(), cell(*i).to_owned()))
                .collect();
            let id = id_col.map_or("", cell);
            let id = if id.is_empty() {
                let (with, id) = next
                    .with_new(kind, &name)
                    .map_err(|e| at(line, e.to_string()))?;
                next = with;
                id
            } else {
                if let Some(known) = next.get(id)
                    && known.kind != kind
                {
                    return Err(at(
                        line,
                        format!(
                            "{id} is {} {}; its kind cannot change to {}",
                            if known.kind == EntityKind::Actor {
                                "an"
                            } else {
                                "a"
                            },
                            known.kind.as_str(),
                            kind.as_str()
                        ),
                    ));
                }
                id.to_owned()
            };
            let mut entity = Entity {
                id,
                kind,
                name,
                aliases,
                attributes,
            };
            entity
                .aliases
                .retain(|a| !a.eq_ignore_ascii_case(&entity.name));
            entity.aliases.sort();
            entity.aliases.dedup();
            next.put(entity);
        }
        Ok((next, rows))
    }
}

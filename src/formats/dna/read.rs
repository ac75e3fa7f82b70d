//! Reading a DNA 3 database (`SQLite`, opened read-only) into plain rows; every problem names
//! the table (and row).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

#[derive(Debug, Clone)]
pub struct Coder {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub coder: Option<i64>,
    pub author: String,
    pub source: String,
    pub section: String,
    pub notes: String,
    pub kind: String,
    /// Seconds since 1970 (UTC), as DNA 3 stores it.
    pub date: i64,
}

#[derive(Debug, Clone)]
pub struct StatementType {
    pub id: i64,
    pub label: String,
    pub rgb: (i64, i64, i64),
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub id: i64,
    pub name: String,
    /// `short text`, `long text`, `boolean` or `integer`.
    pub data_type: String,
    pub type_id: i64,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub id: i64,
    pub type_id: i64,
    pub document: i64,
    /// UTF-16 code units, as Java counts.
    pub start: usize,
    pub stop: usize,
    pub coder: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct DnaEntity {
    pub id: i64,
    pub variable: i64,
    pub value: String,
    pub rgb: Option<(i64, i64, i64)>,
    pub child_of: Option<i64>,
}

/// A statement's value of a variable (boolean, integer).
#[derive(Debug, Clone)]
pub struct Datum {
    pub statement: i64,
    pub variable: i64,
    pub value: i64,
}

#[derive(Debug, Clone)]
pub struct ShortText {
    pub statement: i64,
    pub variable: i64,
    pub entity: i64,
}

#[derive(Debug, Clone)]
pub struct LongText {
    pub statement: i64,
    pub variable: i64,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct AttributeVariable {
    pub id: i64,
    pub variable: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct AttributeValue {
    pub entity: i64,
    pub attribute: i64,
    pub value: String,
}

/// A DNA 3 database's contents.
#[derive(Debug, Clone, Default)]
pub struct Database {
    pub version: String,
    pub coders: Vec<Coder>,
    pub documents: Vec<Document>,
    pub statement_types: Vec<StatementType>,
    pub variables: Vec<Variable>,
    pub statements: Vec<Statement>,
    pub entities: Vec<DnaEntity>,
    pub booleans: Vec<Datum>,
    pub integers: Vec<Datum>,
    pub short_texts: Vec<ShortText>,
    pub long_texts: Vec<LongText>,
    pub attribute_variables: Vec<AttributeVariable>,
    pub attribute_values: Vec<AttributeValue>,
    /// Rows of what has no equivalent here (counted for the report).
    pub regexes: usize,
    pub coder_relations: usize,
}

/// `YYYY-MM-DD` (with `THH:MM` when not midnight) of DNA's seconds since 1970, UTC.
pub fn date_of(seconds: i64) -> String {
    let date = crate::core::network::Date::from_days(seconds.div_euclid(86_400)).to_string();
    let secs = seconds.rem_euclid(86_400);
    if secs == 0 {
        date
    } else {
        format!("{date}T{:02}:{:02}", secs / 3600, secs % 3600 / 60)
    }
}

/// Reads a DNA 3 database; a DNA 2 file, another `SQLite` file or anything else is refused with
/// what it is and what to do.
pub fn read(path: &Path) -> Result<Database, String> {
    let at = path.display();
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("{at}: cannot open it ({e})"))?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut q| {
            q.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| format!("{at}: not a DNA database (not `SQLite`: {e})"))?;
    let has = |t: &str| tables.iter().any(|x| x.eq_ignore_ascii_case(t));
    if has("STATEMENTTYPE") && !has("STATEMENTTYPES") {
        return Err(format!(
            "{at}: a DNA 2 database. Open it in DNA 3, which converts DNA 2 files when it opens \
             them, save it, and import that file."
        ));
    }
    for t in [
        "SETTINGS",
        "CODERS",
        "DOCUMENTS",
        "STATEMENTTYPES",
        "VARIABLES",
        "STATEMENTS",
        "ENTITIES",
        "DATABOOLEAN",
        "DATAINTEGER",
        "DATASHORTTEXT",
        "DATALONGTEXT",
    ] {
        if !has(t) {
            return Err(format!(
                "{at}: not a DNA 3 database: the table {t} is missing"
            ));
        }
    }
    let rows = |table: &str, sql: &str| -> Result<rusqlite::Statement<'_>, String> {
        conn.prepare(sql)
            .map_err(|e| format!("{at}: table {table}: {e}"))
    };
    macro_rules! all {
        ($table:expr, $sql:expr, $map:expr) => {{
            let mut q = rows($table, $sql)?;
            let found = q
                .query_map([], $map)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("{at}: table {}: {e}", $table));
            found?
        }};
    }
    let version: Vec<String> = all!(
        "SETTINGS",
        "SELECT Value FROM SETTINGS WHERE Property = 'version'",
        |r| r.get(0)
    );
    let version = version.into_iter().next().unwrap_or_default();
    if !version.is_empty() && !version.starts_with('3') {
        return Err(format!(
            "{at}: DNA version {version}: tagdesk reads DNA 3 databases"
        ));
    }
    let non_negative = |table: &str, id: i64, what: &str, v: i64| -> Result<usize, String> {
        usize::try_from(v)
            .map_err(|_| format!("{at}: table {table}, row {id}: {what} {v} is negative"))
    };
    let raw_statements: Vec<(i64, i64, i64, i64, i64, Option<i64>)> = all!(
        "STATEMENTS",
        "SELECT ID, StatementTypeId, DocumentId, Start, Stop, Coder FROM STATEMENTS ORDER BY ID",
        |r| Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?
        ))
    );
    let mut statements = Vec::new();
    for (id, type_id, document, start, stop, coder) in raw_statements {
        statements.push(Statement {
            id,
            type_id,
            document,
            start: non_negative("STATEMENTS", id, "Start", start)?,
            stop: non_negative("STATEMENTS", id, "Stop", stop)?,
            coder,
        });
    }
    let optional = |t: &str| {
        if has(t) {
            conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
        } else {
            0
        }
    };
    Ok(Database {
        version,
        coders: all!("CODERS", "SELECT ID, Name FROM CODERS ORDER BY ID", |r| Ok(
            Coder {
                id: r.get(0)?,
                name: r.get(1)?,
            }
        )),
        documents: all!(
            "DOCUMENTS",
            "SELECT ID, Title, Text, Coder, Author, Source, Section, Notes, Type, Date FROM DOCUMENTS ORDER BY ID",
            |r| Ok(Document {
                id: r.get(0)?,
                title: r.get(1)?,
                text: r.get(2)?,
                coder: r.get(3)?,
                author: r.get(4)?,
                source: r.get(5)?,
                section: r.get(6)?,
                notes: r.get(7)?,
                kind: r.get(8)?,
                date: r.get(9)?,
            })
        ),
        statement_types: all!(
            "STATEMENTTYPES",
            "SELECT ID, Label, Red, Green, Blue FROM STATEMENTTYPES ORDER BY ID",
            |r| Ok(StatementType {
                id: r.get(0)?,
                label: r.get(1)?,
                rgb: (r.get(2)?, r.get(3)?, r.get(4)?),
            })
        ),
        variables: all!(
            "VARIABLES",
            "SELECT ID, Variable, DataType, StatementTypeId FROM VARIABLES ORDER BY ID",
            |r| Ok(Variable {
                id: r.get(0)?,
                name: r.get(1)?,
                data_type: r.get(2)?,
                type_id: r.get(3)?,
            })
        ),
        statements,
        entities: all!(
            "ENTITIES",
            "SELECT ID, VariableId, Value, Red, Green, Blue, ChildOf FROM ENTITIES ORDER BY ID",
            |r| {
                let rgb: (Option<i64>, Option<i64>, Option<i64>) =
                    (r.get(3)?, r.get(4)?, r.get(5)?);
                Ok(DnaEntity {
                    id: r.get(0)?,
                    variable: r.get(1)?,
                    value: r.get(2)?,
                    rgb: match rgb {
                        (Some(a), Some(b), Some(c)) => Some((a, b, c)),
                        _ => None,
                    },
                    child_of: r.get(6)?,
                })
            }
        ),
        booleans: all!(
            "DATABOOLEAN",
            "SELECT StatementId, VariableId, Value FROM DATABOOLEAN",
            |r| Ok(Datum {
                statement: r.get(0)?,
                variable: r.get(1)?,
                value: r.get(2)?,
            })
        ),
        integers: all!(
            "DATAINTEGER",
            "SELECT StatementId, VariableId, Value FROM DATAINTEGER",
            |r| Ok(Datum {
                statement: r.get(0)?,
                variable: r.get(1)?,
                value: r.get(2)?,
            })
        ),
        short_texts: all!(
            "DATASHORTTEXT",
            "SELECT StatementId, VariableId, Entity FROM DATASHORTTEXT",
            |r| Ok(ShortText {
                statement: r.get(0)?,
                variable: r.get(1)?,
                entity: r.get(2)?,
            })
        ),
        long_texts: all!(
            "DATALONGTEXT",
            "SELECT StatementId, VariableId, COALESCE(Value, '') FROM DATALONGTEXT",
            |r| Ok(LongText {
                statement: r.get(0)?,
                variable: r.get(1)?,
                value: r.get(2)?,
            })
        ),
        attribute_variables: if has("ATTRIBUTEVARIABLES") {
            all!(
                "ATTRIBUTEVARIABLES",
                "SELECT ID, VariableId, AttributeVariable FROM ATTRIBUTEVARIABLES",
                |r| Ok(AttributeVariable {
                    id: r.get(0)?,
                    variable: r.get(1)?,
                    name: r.get(2)?,
                })
            )
        } else {
            Vec::new()
        },
        attribute_values: if has("ATTRIBUTEVALUES") {
            all!(
                "ATTRIBUTEVALUES",
                "SELECT EntityId, AttributeVariableId, AttributeValue FROM ATTRIBUTEVALUES",
                |r| Ok(AttributeValue {
                    entity: r.get(0)?,
                    attribute: r.get(1)?,
                    value: r.get(2)?,
                })
            )
        } else {
            Vec::new()
        },
        regexes: optional("REGEXES"),
        coder_relations: optional("CODERRELATIONS"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_days_and_times_since_1970() {
        assert_eq!(super::date_of(1_106_697_600), "2005-01-26");
        assert_eq!(super::date_of(0), "1970-01-01");
        assert_eq!(
            super::date_of(951_782_400 + 3600 * 13 + 60 * 5),
            "2000-02-29T13:05"
        );
    }
}

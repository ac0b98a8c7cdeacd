//! Records between their canonical form (this crate's structs) and the
//! wire, under a profile.
//!
//! Writing renames every field to the profile's name and writes whole
//! numbers as the profile says. Reading is strict about names: a field the
//! schema requires but the answer lacks, and a value of the wrong kind, are
//! problems named by their wire name and path (`result[0].MATTHC`), and the
//! record is refused; fields the profile does not know are reported by name
//! beside the record read. JSON `null` counts as absent (real systems send
//! it for empty values), and a number may come as text and text as a
//! number, as the public implementations do both.

use super::schema::{Field, Kind, Record};
use super::{NumberEncoding, Profile};
use lienthong_adapter::jsonpath;
use serde_json::{Map, Value};
use std::fmt;

/// What was wrong with a record of an answer, by wire name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldProblems {
    pub missing: Vec<String>,
    pub invalid: Vec<String>,
    /// Not fatal alone: fields this profile does not name.
    pub unknown: Vec<String>,
}

impl FieldProblems {
    pub fn is_fatal(&self) -> bool {
        !self.missing.is_empty() || !self.invalid.is_empty()
    }

    fn merge(&mut self, other: FieldProblems) {
        self.missing.extend(other.missing);
        self.invalid.extend(other.invalid);
        self.unknown.extend(other.unknown);
    }
}

impl fmt::Display for FieldProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!("missing field {}", self.missing.join(", ")));
        }
        if !self.invalid.is_empty() {
            parts.push(format!("bad value in {}", self.invalid.join(", ")));
        }
        if !self.unknown.is_empty() {
            parts.push(format!("unknown field {}", self.unknown.join(", ")));
        }
        f.write_str(&parts.join("; "))
    }
}

/// A record read: its canonical value and the unknown fields it carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    pub value: T,
    pub unknown: Vec<String>,
}

impl Profile {
    /// A canonical record (serialised struct) in this profile's names.
    pub fn encode(&self, record: Record, canonical: &Value) -> Value {
        let Value::Object(fields) = canonical else {
            return canonical.clone();
        };
        let mut out = Map::new();
        for field in record.fields() {
            let wire = self.wire(record, field.name);
            if wire.is_empty() {
                continue;
            }
            let Some(value) = fields.get(field.name).filter(|v| !v.is_null()) else {
                continue;
            };
            let value = match field.kind {
                Kind::Int => self.number(value),
                Kind::Records(of) => match value {
                    Value::Array(items) => {
                        Value::Array(items.iter().map(|i| self.encode(of, i)).collect())
                    }
                    other => other.clone(),
                },
                Kind::Text | Kind::Raw => value.clone(),
            };
            jsonpath::set(&mut out, wire, value);
        }
        Value::Object(out)
    }

    /// A struct written in this profile's names.
    pub fn write<T: serde::Serialize>(&self, record: Record, item: &T) -> Value {
        let canonical = serde_json::to_value(item).unwrap_or(Value::Null);
        self.encode(record, &canonical)
    }

    fn number(&self, value: &Value) -> Value {
        let n = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        match (n, self.encodings.numbers) {
            (Some(n), NumberEncoding::Text) => Value::String(n.to_string()),
            (Some(n), NumberEncoding::Number) => Value::from(n),
            (None, _) => value.clone(),
        }
    }

    /// A wire record in canonical names; `at` prefixes the problems' names.
    pub fn decode(
        &self,
        record: Record,
        wire: &Value,
        at: &str,
    ) -> Result<Decoded<Value>, FieldProblems> {
        let mut problems = FieldProblems::default();
        let value = self.decode_into(record, wire, at, &mut problems);
        if problems.is_fatal() {
            Err(problems)
        } else {
            Ok(Decoded {
                value,
                unknown: problems.unknown,
            })
        }
    }

    /// A wire record as `T`.
    pub fn read<T: serde::de::DeserializeOwned>(
        &self,
        record: Record,
        wire: &Value,
        at: &str,
    ) -> Result<Decoded<T>, FieldProblems> {
        let decoded = self.decode(record, wire, at)?;
        match serde_json::from_value(decoded.value) {
            Ok(value) => Ok(Decoded {
                value,
                unknown: decoded.unknown,
            }),
            Err(e) => Err(FieldProblems {
                invalid: vec![format!("{at}: {e}")],
                ..FieldProblems::default()
            }),
        }
    }

    fn decode_into(
        &self,
        record: Record,
        wire: &Value,
        at: &str,
        problems: &mut FieldProblems,
    ) -> Value {
        let name = |wire_name: &str| {
            if at.is_empty() {
                wire_name.to_string()
            } else {
                format!("{at}.{wire_name}")
            }
        };
        let Value::Object(object) = wire else {
            problems.invalid.push(format!(
                "{} (not an object)",
                if at.is_empty() { "record" } else { at }
            ));
            return Value::Null;
        };
        let fields = record.fields();
        let mut out = Map::new();
        let mut consumed = std::collections::HashSet::new();
        for field in &fields {
            let wire_name = self.wire(record, field.name);
            if wire_name.is_empty() {
                continue;
            }
            consumed.insert(wire_name.split('.').next().unwrap_or(wire_name).to_string());
            let present = jsonpath::get(wire, wire_name).filter(
                |v| !matches!(v, Value::String(s) if s.is_empty() && field.kind == Kind::Int),
            );
            let Some(value) = present else {
                if field.required {
                    problems.missing.push(name(wire_name));
                }
                continue;
            };
            if let Some(v) = self.field_value(field, value, &name(wire_name), problems) {
                out.insert(field.name.to_string(), v);
            }
        }
        let mut unknown: Vec<&String> = object.keys().filter(|k| !consumed.contains(*k)).collect();
        unknown.sort();
        problems
            .unknown
            .extend(unknown.into_iter().map(|k| name(k)));
        Value::Object(out)
    }

    fn field_value(
        &self,
        field: &Field,
        value: &Value,
        at: &str,
        problems: &mut FieldProblems,
    ) -> Option<Value> {
        match field.kind {
            Kind::Text => match value {
                Value::String(s) => Some(Value::String(s.clone())),
                Value::Number(n) => Some(Value::String(n.to_string())),
                Value::Bool(b) => Some(Value::String(b.to_string())),
                _ => {
                    problems.invalid.push(format!("{at} (not text)"));
                    None
                }
            },
            Kind::Int => {
                let n = match value {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                };
                match n {
                    Some(n) => Some(Value::from(n)),
                    None => {
                        problems
                            .invalid
                            .push(format!("{at} (`{value}` is not a whole number)"));
                        None
                    }
                }
            }
            Kind::Raw => Some(value.clone()),
            Kind::Records(of) => match value {
                Value::Array(items) => {
                    let mut list = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let mut inner = FieldProblems::default();
                        let v = self.decode_into(of, item, &format!("{at}[{i}]"), &mut inner);
                        let fatal = inner.is_fatal();
                        problems.merge(inner);
                        if !fatal {
                            list.push(v);
                        }
                    }
                    Some(Value::Array(list))
                }
                _ => {
                    problems.invalid.push(format!("{at} (not a list)"));
                    None
                }
            },
        }
    }
}

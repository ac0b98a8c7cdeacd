//! Protocol profiles: how one deployment of the national portal names
//! things on the wire.
//!
//! The portal's integration protocol is not published, and the public
//! systems that talk to it differ (upper-case procedure fields in one,
//! `isUpdating` as the text `"True"` in another, a deployment that posts
//! `DongBoHoSoMC?MaDinhDanhDV=…&isUpdating=…` with the parameters in the
//! query). So nothing in the adapter hard-codes a wire name: a profile
//! gives the operations (service name, path, where parameters go), the
//! parameter names, the value encodings and every record's field names,
//! and names its source and version. The built-in default
//! (`profiles/dvcqg-public.toml`) follows the public implementations;
//! `[partners.adapter.profile]` overrides any part of it, strictly (an
//! unknown operation, record, field or key is refused, named). The
//! simulator speaks whichever profile it is given, so both sides of a test
//! move together.

pub mod codec;
pub mod schema;

pub use codec::FieldProblems;
pub use schema::{Field, Kind, Record};

use lienthong_adapter::jsonpath;
use lienthong_adapter::AdapterConfigError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The built-in profile, as shipped.
pub const DEFAULT_PROFILE: &str = include_str!("../../profiles/dvcqg-public.toml");

/// The operations the adapter (and the simulator) knows, by their key in
/// `[operations]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    SyncDossiers,
    Progress,
    Lookup,
    NewDossiers,
    Procedures,
    Procedure,
    Agencies,
    Sectors,
    Provinces,
    Communes,
    Districts,
    Fees,
    OnlineServices,
    ResultTypes,
    TreasuryAccounts,
    RevenueItems,
    Banks,
    Rating,
    QuestionAnswer,
}

pub const OPS: &[Op] = &[
    Op::SyncDossiers,
    Op::Progress,
    Op::Lookup,
    Op::NewDossiers,
    Op::Procedures,
    Op::Procedure,
    Op::Agencies,
    Op::Sectors,
    Op::Provinces,
    Op::Communes,
    Op::Districts,
    Op::Fees,
    Op::OnlineServices,
    Op::ResultTypes,
    Op::TreasuryAccounts,
    Op::RevenueItems,
    Op::Banks,
    Op::Rating,
    Op::QuestionAnswer,
];

impl Op {
    pub fn key(self) -> &'static str {
        match self {
            Op::SyncDossiers => "sync_dossiers",
            Op::Progress => "progress",
            Op::Lookup => "lookup",
            Op::NewDossiers => "new_dossiers",
            Op::Procedures => "procedures",
            Op::Procedure => "procedure",
            Op::Agencies => "agencies",
            Op::Sectors => "sectors",
            Op::Provinces => "provinces",
            Op::Communes => "communes",
            Op::Districts => "districts",
            Op::Fees => "fees",
            Op::OnlineServices => "online_services",
            Op::ResultTypes => "result_types",
            Op::TreasuryAccounts => "treasury_accounts",
            Op::RevenueItems => "revenue_items",
            Op::Banks => "banks",
            Op::Rating => "rating",
            Op::QuestionAnswer => "question_answer",
        }
    }

    pub fn parse(key: &str) -> Option<Op> {
        OPS.iter().copied().find(|o| o.key() == key)
    }
}

/// Where an operation's parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// One JSON object: session, unit, service, parameters and `data`.
    Body,
    /// Session, unit, service and parameters in the query string; the body
    /// is the `data` list itself.
    Query,
}

/// How `isUpdating` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoolEncoding {
    /// `"True"` / `"False"`.
    Text,
    /// JSON `true` / `false` (in a query: `true` / `false`).
    Boolean,
}

/// How whole numbers in records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberEncoding {
    /// `"2"`.
    Text,
    /// `2`.
    Number,
}

/// One operation as a deployment exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The `service` value; empty: this deployment does not offer it.
    pub service: String,
    /// Under the endpoint.
    pub path: String,
    pub params: Placement,
}

/// The names of the envelope's members and of the parameters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    pub session: String,
    pub unit: String,
    pub service: String,
    pub data: String,
    pub is_updating: String,
    pub dossier_code: String,
    pub procedure_code: String,
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Encodings {
    pub is_updating: BoolEncoding,
    pub numbers: NumberEncoding,
}

/// A whole profile, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub version: String,
    /// Where these names come from (public code, a deployment's manual).
    pub source: String,
    pub login_path: String,
    pub parameters: Parameters,
    pub encodings: Encodings,
    operations: BTreeMap<Op, Operation>,
    /// Record → canonical field → wire name ("" = not in this deployment).
    names: BTreeMap<Record, BTreeMap<String, String>>,
}

/// `[partners.adapter.profile]` as written: every part optional and laid
/// over the built-in default, except the name, version and source, which a
/// changed profile must give.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileTable {
    pub name: Option<String>,
    pub version: Option<String>,
    pub source: Option<String>,
    pub login_path: Option<String>,
    pub service_path: Option<String>,
    pub parameters: Option<PartialParameters>,
    pub encodings: Option<PartialEncodings>,
    #[serde(default)]
    pub operations: BTreeMap<String, OperationTable>,
    #[serde(default)]
    pub records: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialParameters {
    session: Option<String>,
    unit: Option<String>,
    service: Option<String>,
    data: Option<String>,
    is_updating: Option<String>,
    dossier_code: Option<String>,
    procedure_code: Option<String>,
    since: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialEncodings {
    is_updating: Option<BoolEncoding>,
    numbers: Option<NumberEncoding>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationTable {
    pub service: Option<String>,
    pub path: Option<String>,
    pub params: Option<Placement>,
}

fn bad(key: impl Into<String>, problem: impl Into<String>) -> AdapterConfigError {
    AdapterConfigError::new(key, problem)
}

impl Profile {
    /// The built-in profile.
    pub fn default_profile() -> Profile {
        Profile::build(None).expect("the built-in profile is valid")
    }

    /// The default with a `[profile]` table written as TOML laid over it
    /// (tests, the simulator's second profile).
    pub fn from_toml(text: &str) -> Result<Profile, AdapterConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| bad("profile", e.message().to_string()))?;
        let mut wrapped = toml::Table::new();
        wrapped.insert("profile".into(), toml::Value::Table(table));
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wrapped {
            profile: ProfileTable,
        }
        let read: Wrapped = AdapterConfigError::parse(&wrapped)?;
        Profile::from_table(Some(&read.profile))
    }

    /// The default with `table` laid over it (keys named from the adapter
    /// table: `profile.…`).
    pub fn from_table(table: Option<&ProfileTable>) -> Result<Profile, AdapterConfigError> {
        Profile::build(table)
    }

    fn build(over: Option<&ProfileTable>) -> Result<Profile, AdapterConfigError> {
        let base: ProfileTable = toml::from_str(DEFAULT_PROFILE)
            .map_err(|e| bad("profile", format!("the built-in profile: {e}")))?;
        let mut profile = Profile::assemble(&base, "built-in profile")?;
        if let Some(over) = over {
            let base_name = profile.name.clone();
            profile.lay(over)?;
            if profile.name == base_name {
                return Err(bad(
                    "profile.name",
                    "a changed profile needs its own name (and version and source)",
                ));
            }
        }
        profile.check()?;
        Ok(profile)
    }

    /// The default table read whole: every part required.
    fn assemble(t: &ProfileTable, what: &str) -> Result<Profile, AdapterConfigError> {
        let need = |v: &Option<String>, key: &str| {
            v.clone()
                .ok_or_else(|| bad(format!("profile.{key}"), format!("missing in the {what}")))
        };
        let p = t.parameters.clone().unwrap_or_default();
        let e = t.encodings.clone().unwrap_or_default();
        let service_path = need(&t.service_path, "service_path")?;
        let mut profile = Profile {
            name: need(&t.name, "name")?,
            version: need(&t.version, "version")?,
            source: need(&t.source, "source")?,
            login_path: need(&t.login_path, "login_path")?,
            parameters: Parameters {
                session: need(&p.session, "parameters.session")?,
                unit: need(&p.unit, "parameters.unit")?,
                service: need(&p.service, "parameters.service")?,
                data: need(&p.data, "parameters.data")?,
                is_updating: need(&p.is_updating, "parameters.is_updating")?,
                dossier_code: need(&p.dossier_code, "parameters.dossier_code")?,
                procedure_code: need(&p.procedure_code, "parameters.procedure_code")?,
                since: need(&p.since, "parameters.since")?,
            },
            encodings: Encodings {
                is_updating: e
                    .is_updating
                    .ok_or_else(|| bad("profile.encodings.is_updating", "missing"))?,
                numbers: e
                    .numbers
                    .ok_or_else(|| bad("profile.encodings.numbers", "missing"))?,
            },
            operations: BTreeMap::new(),
            names: BTreeMap::new(),
        };
        for op in OPS {
            let table = t.operations.get(op.key()).ok_or_else(|| {
                bad(
                    format!("profile.operations.{}", op.key()),
                    format!("missing in the {what}"),
                )
            })?;
            profile.operations.insert(
                *op,
                Operation {
                    service: table.service.clone().unwrap_or_default(),
                    path: table.path.clone().unwrap_or_else(|| service_path.clone()),
                    params: table.params.unwrap_or(Placement::Body),
                },
            );
        }
        profile.lay_records(&t.records)?;
        profile.check_operation_keys(&t.operations)?;
        Ok(profile)
    }

    fn check_operation_keys(
        &self,
        operations: &BTreeMap<String, OperationTable>,
    ) -> Result<(), AdapterConfigError> {
        for key in operations.keys() {
            if Op::parse(key).is_none() {
                return Err(bad(
                    format!("profile.operations.{key}"),
                    format!(
                        "unknown operation; known: {}",
                        OPS.iter().map(|o| o.key()).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn lay_records(
        &mut self,
        records: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<(), AdapterConfigError> {
        for (record_key, fields) in records {
            let record = Record::parse(record_key).ok_or_else(|| {
                bad(
                    format!("profile.records.{record_key}"),
                    format!(
                        "unknown record; known: {}",
                        schema::RECORDS
                            .iter()
                            .map(|r| r.key())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            let known = record.fields();
            for (field, wire) in fields {
                let key = format!("profile.records.{record_key}.{field}");
                if !known.iter().any(|f| f.name == field) {
                    return Err(bad(
                        key,
                        format!(
                            "unknown field of `{record_key}`; known: {}",
                            known.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                if !wire.is_empty() && jsonpath::split(wire).is_none() {
                    return Err(bad(
                        key,
                        "must be a field name (dotted for nesting) or \"\"",
                    ));
                }
                self.names
                    .entry(record)
                    .or_default()
                    .insert(field.clone(), wire.clone());
            }
        }
        Ok(())
    }

    fn lay(&mut self, t: &ProfileTable) -> Result<(), AdapterConfigError> {
        let set = |slot: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *slot = v.clone();
            }
        };
        set(&mut self.name, &t.name);
        set(&mut self.version, &t.version);
        set(&mut self.source, &t.source);
        set(&mut self.login_path, &t.login_path);
        if let Some(path) = &t.service_path {
            for op in self.operations.values_mut() {
                op.path = path.clone();
            }
        }
        if let Some(p) = &t.parameters {
            let q = &mut self.parameters;
            set(&mut q.session, &p.session);
            set(&mut q.unit, &p.unit);
            set(&mut q.service, &p.service);
            set(&mut q.data, &p.data);
            set(&mut q.is_updating, &p.is_updating);
            set(&mut q.dossier_code, &p.dossier_code);
            set(&mut q.procedure_code, &p.procedure_code);
            set(&mut q.since, &p.since);
        }
        if let Some(e) = &t.encodings {
            if let Some(v) = e.is_updating {
                self.encodings.is_updating = v;
            }
            if let Some(v) = e.numbers {
                self.encodings.numbers = v;
            }
        }
        self.check_operation_keys(&t.operations)?;
        for (key, table) in &t.operations {
            let Some(op) = Op::parse(key) else { continue };
            let slot = self.operations.get_mut(&op).expect("every operation");
            if let Some(s) = &table.service {
                slot.service = s.clone();
            }
            if let Some(p) = &table.path {
                slot.path = p.clone();
            }
            if let Some(p) = table.params {
                slot.params = p;
            }
        }
        self.lay_records(&t.records)
    }

    fn check(&self) -> Result<(), AdapterConfigError> {
        for (key, value) in [
            ("name", &self.name),
            ("version", &self.version),
            ("source", &self.source),
            ("login_path", &self.login_path),
        ] {
            if value.trim().is_empty() {
                return Err(bad(format!("profile.{key}"), "must not be empty"));
            }
        }
        let p = &self.parameters;
        for (key, value) in [
            ("session", &p.session),
            ("unit", &p.unit),
            ("service", &p.service),
            ("data", &p.data),
            ("is_updating", &p.is_updating),
            ("dossier_code", &p.dossier_code),
            ("procedure_code", &p.procedure_code),
            ("since", &p.since),
        ] {
            if value.trim().is_empty() || value.contains(char::is_whitespace) {
                return Err(bad(
                    format!("profile.parameters.{key}"),
                    "must be a parameter name without spaces",
                ));
            }
        }
        for (op, o) in &self.operations {
            let key = format!("profile.operations.{}", op.key());
            if o.path.trim().is_empty() || o.path.contains(char::is_whitespace) {
                return Err(bad(
                    format!("{key}.path"),
                    "must be a path under `endpoint`",
                ));
            }
            let core = matches!(
                op,
                Op::SyncDossiers | Op::Progress | Op::Lookup | Op::Procedures
            );
            if core && o.service.trim().is_empty() {
                return Err(bad(
                    format!("{key}.service"),
                    "the adapter cannot work without this operation",
                ));
            }
        }
        // Operations sharing a path are told apart by their `service`.
        let mut by_path: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for o in self.operations.values().filter(|o| !o.service.is_empty()) {
            by_path.entry(&o.path).or_default().push(&o.service);
        }
        for (path, services) in by_path {
            let mut seen = std::collections::HashSet::new();
            for s in services {
                if !seen.insert(s) {
                    return Err(bad(
                        "profile.operations",
                        format!("two operations are `{s}` on path `{path}`"),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn operation(&self, op: Op) -> &Operation {
        self.operations
            .get(&op)
            .expect("every operation has an entry")
    }

    /// Whether this deployment offers `op` (a non-empty service).
    pub fn offers(&self, op: Op) -> bool {
        !self.operation(op).service.is_empty()
    }

    /// The operation a request is for: by its path, and by its service
    /// when several share the path (the simulator's routing).
    pub fn operation_at(&self, path: &str, service: Option<&str>) -> Option<Op> {
        let path = path.trim_matches('/');
        let here: Vec<Op> = self
            .operations
            .iter()
            .filter(|(_, o)| !o.service.is_empty() && o.path.trim_matches('/') == path)
            .map(|(op, _)| *op)
            .collect();
        match (here.as_slice(), service) {
            ([one], _) => Some(*one),
            (_, Some(s)) => here.into_iter().find(|op| self.operation(*op).service == s),
            _ => None,
        }
    }

    /// The wire name of a canonical field ("" = not in this deployment).
    pub fn wire<'a>(&'a self, record: Record, field: &'a str) -> &'a str {
        let named = |r: Record| self.names.get(&r).and_then(|m| m.get(field));
        if let Some(name) = named(record) {
            return name;
        }
        if let Some(from) = record.names_from() {
            if let Some(name) = named(from) {
                return name;
            }
        }
        field
    }

    /// `isUpdating` as this profile writes it.
    pub fn is_updating(&self, updating: bool) -> serde_json::Value {
        match self.encodings.is_updating {
            BoolEncoding::Text => (if updating { "True" } else { "False" }).into(),
            BoolEncoding::Boolean => updating.into(),
        }
    }

    /// `isUpdating` as this profile reads it: only its own encoding (a
    /// query parameter is text either way).
    pub fn read_is_updating(&self, value: &serde_json::Value) -> Option<bool> {
        match (self.encodings.is_updating, value) {
            (BoolEncoding::Text, serde_json::Value::String(s)) => match s.as_str() {
                "True" => Some(true),
                "False" => Some(false),
                _ => None,
            },
            (BoolEncoding::Boolean, serde_json::Value::Bool(b)) => Some(*b),
            (BoolEncoding::Boolean, serde_json::Value::String(s)) => match s.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// "name version (source)", for logs and the sync summary.
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.name, self.version, self.source)
    }
}

#[cfg(test)]
mod tests;

//! Inbound translation (pure): a legacy update → one canonical command.
//!
//! The legacy system reports a dossier's new status in its own code; the
//! adapter maps it through `status_map` (unmapped: refused, never guessed)
//! and picks the command that leads there from the dossier's current status
//! (read from the hub), as the hub's transition table says (the planner,
//! `domain::planner`). The table stays the one judge of legality: a command
//! it does not allow is refused by the hub, with the current status named.
//! The same status again is "already done", or, with a new appointment
//! date, an apology with that date (reschedule).

use crate::error::LegacyError;
use crate::settings::{Inbound, Settings};
use lienthong_adapter::domain::planner;
use lienthong_adapter::domain::{CommandName, Status};
use lienthong_adapter::jsonpath;
use lienthong_adapter::pb::{self, command_request::Command};
use lienthong_adapter::prost_types;
use serde_json::Value;

/// What a legacy update says, read through `commands`.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub ma_ho_so: String,
    /// The legacy status code as sent.
    pub legacy_status: String,
    /// The canonical status it maps to.
    pub target: i32,
    pub note: String,
    /// Unix seconds.
    pub due_at: Option<i64>,
    pub request_id: Option<String>,
    pub actor: String,
    pub unit: String,
    pub items: Vec<String>,
    pub result: Option<pb::ResultDocument>,
    pub fee: Option<pb::Fee>,
}

/// What to do about an update (built once per request: its size is no concern).
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Plan {
    /// The dossier already is where the legacy system says.
    Unchanged,
    Execute {
        name: &'static str,
        command: Command,
    },
}

fn text_field(body: &Value, field: &str) -> Result<Option<String>, LegacyError> {
    if field.is_empty() {
        return Ok(None);
    }
    match jsonpath::get(body, field) {
        None => Ok(None),
        Some(v) => match jsonpath::text(v) {
            Some(t) if t.trim().is_empty() => Ok(None),
            Some(t) => Ok(Some(t.trim().to_string())),
            None => Err(LegacyError::BadValue {
                field: field.to_string(),
                problem: "must be a text or a number".to_string(),
            }),
        },
    }
}

fn required(body: &Value, field: &str, role: &'static str) -> Result<String, LegacyError> {
    text_field(body, field)?.ok_or_else(|| LegacyError::Missing {
        field: field.to_string(),
        role,
    })
}

fn items(body: &Value, field: &str) -> Result<Vec<String>, LegacyError> {
    if field.is_empty() {
        return Ok(Vec::new());
    }
    match jsonpath::get(body, field) {
        None => Ok(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| {
                jsonpath::text(v).ok_or_else(|| LegacyError::BadValue {
                    field: field.to_string(),
                    problem: "must be a list of texts".to_string(),
                })
            })
            .collect(),
        Some(v) => match jsonpath::text(v) {
            Some(t) => Ok(vec![t]),
            None => Err(LegacyError::BadValue {
                field: field.to_string(),
                problem: "must be a list of texts or one text".to_string(),
            }),
        },
    }
}

/// Reads an update from the legacy body.
pub fn read(body: &Value, config: &Settings, inbound: &Inbound) -> Result<Update, LegacyError> {
    if !body.is_object() {
        return Err(LegacyError::BadBody("expected an object".to_string()));
    }
    let c = &inbound.commands;
    let ma_ho_so = required(body, &c.ma_ho_so, "ma_ho_so")?;
    let legacy_status = required(body, &c.status, "status")?;
    let target = *config
        .status_in
        .get(&legacy_status)
        .ok_or_else(|| LegacyError::Unmapped {
            field: c.status.clone(),
            value: legacy_status.clone(),
        })?;
    let due_at = match text_field(body, &c.due_date)? {
        None => None,
        Some(t) => Some(
            config
                .date_format
                .parse(&t)
                .ok_or_else(|| LegacyError::BadValue {
                    field: c.due_date.clone(),
                    problem: format!("{t:?} is not a date-time in the configured `date_format`"),
                })?,
        ),
    };
    let result = match text_field(body, &c.result_name)? {
        None => None,
        Some(name) => Some(pb::ResultDocument {
            code: text_field(body, &c.result_code)?.unwrap_or_default(),
            name,
            url: text_field(body, &c.result_url)?.unwrap_or_default(),
        }),
    };
    let fee = match text_field(body, &c.fee_amount)? {
        None => None,
        Some(amount) => Some(pb::Fee {
            code: text_field(body, &c.fee_code)?.unwrap_or_default(),
            name: text_field(body, &c.fee_name)?.unwrap_or_default(),
            amount_vnd: amount.parse().map_err(|_| LegacyError::BadValue {
                field: c.fee_amount.clone(),
                problem: format!("{amount:?} is not a whole amount in VND"),
            })?,
        }),
    };
    Ok(Update {
        ma_ho_so,
        legacy_status,
        target,
        note: text_field(body, &c.note)?.unwrap_or_default(),
        due_at,
        request_id: text_field(body, &c.request_id)?,
        actor: text_field(body, &c.actor)?.unwrap_or_default(),
        unit: text_field(body, &c.unit)?.unwrap_or_default(),
        items: items(body, &c.items)?,
        result,
        fee,
    })
}

fn timestamp(unix_seconds: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: unix_seconds,
        nanos: 0,
    }
}

fn receive(due_at: i64) -> Command {
    Command::Receive(pb::ReceiveDossier {
        due_at: Some(timestamp(due_at)),
    })
}

fn reschedule(apology: String, new_due_at: i64) -> Command {
    Command::Reschedule(pb::RescheduleDossier {
        apology,
        new_due_at: Some(timestamp(new_due_at)),
    })
}

/// The command that takes the dossier from its current status to the
/// update's target: the planner reads which one off the hub's transition
/// table (`domain::planner`); this fills it with what the update carries.
pub fn plan(
    update: &Update,
    current: &pb::Dossier,
    inbound: &Inbound,
) -> Result<Plan, LegacyError> {
    let unsupported = |problem: String| LegacyError::Unsupported {
        ma_ho_so: update.ma_ho_so.clone(),
        problem,
    };
    let no_way = || {
        unsupported(format!(
            "no command leads from status {} to status {}",
            current.status, update.target
        ))
    };
    let c = &inbound.commands;
    let note = update.note.clone();
    let code = |status: i32| u8::try_from(status).ok().and_then(Status::from_code);
    let target = code(update.target).ok_or_else(no_way)?;
    let current_due = current.due_at.as_ref().map(|t| t.seconds);
    let new_due_date = update.due_at.is_some() && update.due_at != current_due;
    let planned = match code(current.status) {
        Some(status) => planner::plan(status, target, new_due_date),
        None => planner::usual(target).map_or(planner::Plan::Unreachable, planner::Plan::Send),
    };
    let name = match planned {
        planner::Plan::AlreadyThere => return Ok(Plan::Unchanged),
        planner::Plan::Unreachable => return Err(no_way()),
        planner::Plan::Send(name) => name,
    };
    let command = match name {
        CommandName::Receive => {
            let due = update.due_at.ok_or_else(|| {
                if c.due_date.is_empty() {
                    LegacyError::NotMapped(
                        "receiving needs the appointment date, but `commands.due_date` maps no legacy field".to_string(),
                    )
                } else {
                    LegacyError::Missing {
                        field: c.due_date.clone(),
                        role: "due_date",
                    }
                }
            })?;
            receive(due)
        }
        CommandName::Refuse => Command::Refuse(pb::RefuseDossier { reason: note }),
        CommandName::Resume => Command::Resume(pb::ResumeProcessing { note }),
        // The legacy body maps no documents and no payment: the hub judges
        // the command as it stands and names the field it misses.
        CommandName::SubmitSupplement => Command::SubmitSupplement(pb::SubmitSupplement {
            documents: Vec::new(),
            new_due_at: update.due_at.map(timestamp),
        }),
        CommandName::RecordPayment => Command::RecordPayment(pb::RecordPayment::default()),
        CommandName::StartProcessing => {
            let unit = if update.unit.is_empty() {
                inbound.processing_unit.clone()
            } else {
                update.unit.clone()
            };
            Command::StartProcessing(pb::StartProcessing {
                processing_unit: unit,
            })
        }
        CommandName::RequestSupplement => {
            let items = if update.items.is_empty() && !note.is_empty() {
                vec![note.clone()]
            } else {
                update.items.clone()
            };
            Command::RequestSupplement(pb::RequestSupplement {
                reason: note,
                items,
            })
        }
        CommandName::RequestFinancialObligation => {
            Command::RequestFinancialObligation(pb::RequestFinancialObligation {
                fees: update.fee.clone().into_iter().collect(),
                note,
            })
        }
        CommandName::Withdraw => Command::Withdraw(pb::WithdrawDossier { reason: note }),
        CommandName::Stop => Command::Stop(pb::StopProcessing { reason: note }),
        CommandName::Finish => Command::Finish(pb::FinishProcessing {
            results: update.result.clone().into_iter().collect(),
        }),
        CommandName::ReturnResult => {
            if current.result_delivery == pb::ResultDelivery::Unspecified as i32 {
                return Err(unsupported(
                    "the dossier names no result delivery (counter, post, electronic) to return it by".to_string(),
                ));
            }
            Command::ReturnResult(pb::ReturnResult {
                delivery: current.result_delivery,
            })
        }
        CommandName::Reschedule => reschedule(note, update.due_at.unwrap_or_default()),
        // A forward changes the agency, a partner event nothing: no status
        // report plans either.
        CommandName::Submit
        | CommandName::Forward
        | CommandName::RecordPartnerEvent
        | CommandName::PublishCatalog
        | CommandName::ManageParked => return Err(no_way()),
    };
    Ok(Plan::Execute {
        name: name.as_str(),
        command,
    })
}

/// The idempotency key: the legacy system's own request id when it sends
/// one, else the dossier, the version it was at and the target — so a
/// repeated update finds the same key, or finds the dossier already there.
pub fn idempotency_key(update: &Update, current: &pb::Dossier) -> String {
    match &update.request_id {
        Some(id) => format!("legacy:req:{id}"),
        None => format!(
            "legacy:{}:v{}:to{}",
            update.ma_ho_so, current.version, update.target
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::AdapterSettings;
    use serde_json::json;

    fn config() -> Settings {
        let text = r#"
            secret_header = "X-S"
            secret = "0123456789abcdef"
            processing_unit = "Vụ Pháp chế"
            [status_map]
            MOI = 1
            TN = 2
            TC = 3
            XL = 4
            BS = 5
            PHI = 6
            RUT = 7
            DUNG = 8
            XONG = 9
            TRA = 10
            [commands]
            ma_ho_so = "so"
            status = "tt"
            note = "ghiChu"
            due_date = "hen"
            request_id = "id"
            items = "ds"
            result_name = "kq.ten"
            result_url = "kq.url"
            fee_amount = "phi"
        "#;
        Settings::from_table(&text.parse::<toml::Table>().unwrap()).unwrap()
    }

    fn go(body: Value, status: i32) -> Result<Plan, LegacyError> {
        let c = config();
        let inbound = c.inbound.clone().unwrap();
        let update = read(&body, &c, &inbound)?;
        let current = pb::Dossier {
            status,
            version: 3,
            result_delivery: pb::ResultDelivery::ByPost as i32,
            ..Default::default()
        };
        plan(&update, &current, &inbound)
    }

    fn name(plan: Plan) -> &'static str {
        match plan {
            Plan::Execute { name, .. } => name,
            Plan::Unchanged => "unchanged",
        }
    }

    #[test]
    fn each_target_status_picks_its_command() {
        let cases = [
            (
                json!({"so": "A", "tt": "TN", "hen": "20991231170000"}),
                1,
                "receive",
            ),
            (json!({"so": "A", "tt": "TC", "ghiChu": "sai"}), 1, "refuse"),
            (json!({"so": "A", "tt": "XL"}), 2, "start_processing"),
            (json!({"so": "A", "tt": "XL"}), 8, "resume"),
            // As the transition table says: the supplement and the payment
            // lift their pauses (the hub then judges what the update lacks).
            (json!({"so": "A", "tt": "XL"}), 5, "submit_supplement"),
            (json!({"so": "A", "tt": "XL"}), 6, "record_payment"),
            (
                json!({"so": "A", "tt": "BS", "ds": ["CCCD"]}),
                4,
                "request_supplement",
            ),
            (
                json!({"so": "A", "tt": "PHI", "phi": 50000}),
                4,
                "request_financial_obligation",
            ),
            (
                json!({"so": "A", "tt": "RUT", "ghiChu": "x"}),
                4,
                "withdraw",
            ),
            (json!({"so": "A", "tt": "DUNG", "ghiChu": "x"}), 4, "stop"),
            (
                json!({"so": "A", "tt": "XONG", "kq": {"ten": "GP"}}),
                4,
                "finish",
            ),
            (json!({"so": "A", "tt": "TRA"}), 9, "return_result"),
            (json!({"so": "A", "tt": "XL"}), 4, "unchanged"),
            (
                json!({"so": "A", "tt": "XL", "hen": "20991231170000", "ghiChu": "xin lỗi"}),
                4,
                "reschedule",
            ),
        ];
        for (body, from, expected) in cases {
            assert_eq!(
                name(go(body.clone(), from).expect("plans")),
                expected,
                "{body}"
            );
        }
    }

    #[test]
    fn the_command_carries_the_legacy_values() {
        let plan = go(json!({"so": "A", "tt": "BS", "ghiChu": "Thiếu ảnh"}), 4).unwrap();
        assert_eq!(
            plan,
            Plan::Execute {
                name: "request_supplement",
                command: Command::RequestSupplement(pb::RequestSupplement {
                    reason: "Thiếu ảnh".into(),
                    items: vec!["Thiếu ảnh".into()],
                })
            }
        );
        let Plan::Execute {
            command: Command::Receive(r),
            ..
        } = go(json!({"so": "A", "tt": "TN", "hen": "20251122143000"}), 1).unwrap()
        else {
            panic!("receive expected")
        };
        assert_eq!(r.due_at.map(|t| t.seconds), Some(1_763_796_600));
        let Plan::Execute {
            command: Command::StartProcessing(s),
            ..
        } = go(json!({"so": "A", "tt": "XL"}), 2).unwrap()
        else {
            panic!("start expected")
        };
        assert_eq!(s.processing_unit, "Vụ Pháp chế");
    }

    #[test]
    fn refusals_name_the_field_and_value() {
        let e = go(json!({"so": "A", "tt": "ZZZ"}), 1).unwrap_err();
        assert_eq!(e.http_status(), 400);
        assert!(
            e.to_string().contains("\"ZZZ\"") && e.to_string().contains("`tt`"),
            "{e}"
        );
        let e = go(json!({"tt": "TN"}), 1).unwrap_err();
        assert!(e.to_string().contains("`so`"), "{e}");
        let e = go(json!({"so": "A", "tt": "TN"}), 1).unwrap_err();
        assert!(e.to_string().contains("`hen`"), "{e}");
        let e = go(json!({"so": "A", "tt": "TN", "hen": "22/11/2025"}), 1).unwrap_err();
        assert!(e.to_string().contains("date_format"), "{e}");
        let e = go(json!({"so": "A", "tt": "MOI"}), 2).unwrap_err();
        assert_eq!(e.http_status(), 409);
        let e = go(json!({"so": "A", "tt": "PHI", "phi": "năm mươi"}), 4).unwrap_err();
        assert!(e.to_string().contains("`phi`"), "{e}");
        let e = go(json!(["not", "an", "object"]), 4).unwrap_err();
        assert_eq!(e.http_status(), 400);
    }

    #[test]
    fn the_key_comes_from_the_legacy_id_or_the_dossier_version() {
        let c = config();
        let inbound = c.inbound.clone().unwrap();
        let current = pb::Dossier {
            version: 7,
            ..Default::default()
        };
        let with_id = read(&json!({"so": "A", "tt": "XL", "id": "YC1"}), &c, &inbound).unwrap();
        assert_eq!(idempotency_key(&with_id, &current), "legacy:req:YC1");
        let without = read(&json!({"so": "A", "tt": "XL"}), &c, &inbound).unwrap();
        assert_eq!(idempotency_key(&without, &current), "legacy:A:v7:to4");
    }
}

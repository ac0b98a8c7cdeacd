//! Message templates: text with `{placeholder}`s (`{{` and `}}` for braces),
//! parsed and checked once at load so that a typo is a configuration error
//! naming its key, never a message sent with a hole in it.

use super::trigger::Trigger;
use super::NotifyError;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`; every placeholder must be one of `allowed`. Errors
    /// name `key` (the full key path of the template).
    pub fn parse(key: &str, text: &str, allowed: &[&str]) -> Result<Template, NotifyError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => {
                                return Err(NotifyError::config(
                                    key,
                                    format!(
                                    "`{{{name}` is not closed with `}}` (write `{{{{` for a brace)"
                                ),
                                ))
                            }
                        }
                    }
                    if !allowed.contains(&name.as_str()) {
                        return Err(NotifyError::config(
                            key,
                            format!(
                                "unknown placeholder {{{name}}}; this template may use {}",
                                allowed
                                    .iter()
                                    .map(|a| format!("{{{a}}}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Value(name));
                }
                '}' => {
                    return Err(NotifyError::config(
                        key,
                        "a `}` without its `{` (write `}}` for a brace)",
                    ))
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { parts })
    }

    pub fn render(&self, values: &HashMap<&'static str, String>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value(name) => {
                    out.push_str(values.get(name.as_str()).map_or("", String::as_str))
                }
            }
        }
        out
    }
}

/// The three texts of one trigger.
#[derive(Clone, Debug)]
pub struct TriggerTemplates {
    pub email_subject: Template,
    pub email_body: Template,
    pub sms: Template,
}

/// Every trigger's templates, complete and checked.
#[derive(Clone, Debug)]
pub struct Templates {
    by_trigger: HashMap<Trigger, TriggerTemplates>,
}

/// The templates shipped with the hub; `[notifications.templates]`
/// replaces any of their texts.
pub const DEFAULTS: &str = include_str!("../../config/notification-templates.vi.toml");

impl Templates {
    /// The shipped texts with `overrides` (the `[notifications.templates]`
    /// table, or an empty one) laid over them, every one checked.
    pub fn load(overrides: &toml::Table) -> Result<Templates, NotifyError> {
        let defaults: toml::Table = toml::from_str(DEFAULTS).map_err(|e| {
            NotifyError::config("notifications.templates", format!("shipped defaults: {e}"))
        })?;
        for (name, value) in overrides {
            let key = format!("notifications.templates.{name}");
            if !Trigger::ALL.iter().any(|t| t.key() == name) {
                return Err(NotifyError::config(
                    key,
                    format!(
                        "unknown trigger; the triggers are {}",
                        Trigger::ALL.map(Trigger::key).join(", ")
                    ),
                ));
            }
            let Some(table) = value.as_table() else {
                return Err(NotifyError::config(key, "must be a table"));
            };
            for field in table.keys() {
                if !["email_subject", "email_body", "sms"].contains(&field.as_str()) {
                    return Err(NotifyError::config(
                        format!("{key}.{field}"),
                        "unknown key; a trigger has email_subject, email_body and sms",
                    ));
                }
            }
        }
        let mut by_trigger = HashMap::new();
        for trigger in Trigger::ALL {
            let allowed = trigger.placeholders();
            let text = |field: &str| -> Result<Template, NotifyError> {
                let key = format!("notifications.templates.{}.{field}", trigger.key());
                let pick = |table: &toml::Table| {
                    table.get(trigger.key()).and_then(|t| t.get(field)).cloned()
                };
                let value = pick(overrides)
                    .or_else(|| pick(&defaults))
                    .ok_or_else(|| NotifyError::config(&key, "missing"))?;
                let Some(text) = value.as_str() else {
                    return Err(NotifyError::config(key, "must be a string"));
                };
                if text.trim().is_empty() {
                    return Err(NotifyError::config(key, "must not be empty"));
                }
                if field == "email_subject" && text.contains(['\r', '\n']) {
                    return Err(NotifyError::config(key, "a subject is one line"));
                }
                Template::parse(&key, text, &allowed)
            };
            by_trigger.insert(
                trigger,
                TriggerTemplates {
                    email_subject: text("email_subject")?,
                    email_body: text("email_body")?,
                    sms: text("sms")?,
                },
            );
        }
        Ok(Templates { by_trigger })
    }

    pub fn of(&self, trigger: Trigger) -> &TriggerTemplates {
        &self.by_trigger[&trigger]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> HashMap<&'static str, String> {
        HashMap::from([("ma_ho_so", "H01.22-250101-0001".to_string())])
    }

    #[test]
    fn placeholders_and_escaped_braces_render() {
        let t = Template::parse("k", "Hồ sơ {ma_ho_so} {{mã}}", &["ma_ho_so"]).unwrap();
        assert_eq!(t.render(&values()), "Hồ sơ H01.22-250101-0001 {mã}");
    }

    #[test]
    fn an_unknown_or_broken_placeholder_names_the_key() {
        let e = Template::parse(
            "notifications.templates.received.sms",
            "{so_tien}",
            &["ma_ho_so"],
        )
        .unwrap_err();
        assert!(
            matches!(&e, NotifyError::Config { key, problem } if key == "notifications.templates.received.sms" && problem.contains("{so_tien}")),
            "{e}"
        );
        assert!(Template::parse("k", "{ma_ho_so", &["ma_ho_so"]).is_err());
        assert!(Template::parse("k", "a } b", &["ma_ho_so"]).is_err());
    }

    #[test]
    fn shipped_templates_load_and_overrides_are_checked() {
        let shipped = Templates::load(&toml::Table::new()).unwrap();
        let received = shipped.of(Trigger::Received);
        assert!(received
            .sms
            .render(&values())
            .contains("H01.22-250101-0001"));

        let wrong: toml::Table =
            toml::from_str("[refused]\nsms = \"Hồ sơ {ma_ho_so}: {so_tien}\"").unwrap();
        let e = Templates::load(&wrong).unwrap_err();
        assert!(
            matches!(&e, NotifyError::Config { key, .. } if key == "notifications.templates.refused.sms"),
            "{e}"
        );
        let unknown: toml::Table = toml::from_str("[received]\nsmss = \"x\"").unwrap();
        let e = Templates::load(&unknown).unwrap_err();
        assert!(
            matches!(&e, NotifyError::Config { key, .. } if key == "notifications.templates.received.smss"),
            "{e}"
        );
        let trigger: toml::Table = toml::from_str("[paid]\nsms = \"x\"").unwrap();
        assert!(Templates::load(&trigger).is_err());
    }
}

//! Reading and writing a partner's JSON by field name, for the adapters
//! whose field names come from configuration (the legacy systems' `fields`,
//! the national portal's protocol profiles).
//!
//! A field name may be dotted (`hoSo.soHoSo`) to reach inside nested
//! objects; outbound, the objects on the way are created. Names are checked
//! when the settings are read, so here a name is a non-empty list of
//! non-empty keys.

use serde_json::{Map, Value};

/// Splits a dotted field name; `None` when a part is empty.
pub fn split(name: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.iter().any(|p| p.trim().is_empty()) {
        None
    } else {
        Some(parts)
    }
}

/// The value at `name`, if the body has one there (JSON `null` counts as none).
pub fn get<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    let mut at = body;
    for part in name.split('.') {
        at = at.as_object()?.get(part)?;
    }
    (!at.is_null()).then_some(at)
}

/// Sets `value` at `name`, creating objects on the way. Returns false when
/// a non-object is in the way (two mappings disagree, e.g. `a` and `a.b`).
pub fn set(body: &mut Map<String, Value>, name: &str, value: Value) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    let Some((last, path)) = parts.split_last() else {
        return false;
    };
    let mut at = body;
    for part in path {
        let next = at
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        match next {
            Value::Object(map) => at = map,
            _ => return false,
        }
    }
    at.insert(last.to_string(), value);
    true
}

/// A scalar as text: strings as they are, numbers and booleans printed.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_names_read_and_write() {
        let mut body = Map::new();
        assert!(set(&mut body, "hoSo.soHoSo", json!("X-1")));
        assert!(set(&mut body, "hoSo.chuHoSo", json!("An")));
        assert!(set(&mut body, "loai", json!(3)));
        let body = Value::Object(body);
        assert_eq!(
            body,
            json!({"hoSo": {"soHoSo": "X-1", "chuHoSo": "An"}, "loai": 3})
        );
        assert_eq!(get(&body, "hoSo.soHoSo"), Some(&json!("X-1")));
        assert_eq!(get(&body, "hoSo.none"), None);
        assert_eq!(get(&body, "loai.x"), None);
        assert_eq!(text(&json!(3)).as_deref(), Some("3"));
    }

    #[test]
    fn a_scalar_in_the_way_is_reported() {
        let mut body = Map::new();
        assert!(set(&mut body, "a", json!(1)));
        assert!(!set(&mut body, "a.b", json!(2)));
        assert_eq!(split("a..b"), None);
        assert_eq!(split("a.b"), Some(vec!["a", "b"]));
    }
}

//! What a browser does with a page, for the demo's clients of the hosted
//! pages: the fields a form would send, the files it asks for, the cookies
//! an answer sets, the errors a refused form shows, and a form with files
//! encoded as `multipart/form-data`. The demo drives the portal and the
//! workspace over plain HTTP, so it reads the pages' HTML the way a browser
//! without JavaScript would: a change to a form's markup that a browser
//! would not survive, the demo does not survive either.

use reqwest::header::SET_COOKIE;
use std::time::Duration;

/// The demo's browser: answers are read as they come (a redirect is an
/// answer to check, not to follow), and no call waits over 30 s.
pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// The `name=value` pairs of every non-empty `Set-Cookie`, as a `Cookie`
/// header.
pub fn cookies_of(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter(|pair| !pair.ends_with('='))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The fields a browser would send for the form whose `action` is
/// `action`: inputs with their values (checkboxes and radio buttons only
/// when checked; file inputs are for [`file_inputs_of`]) and text areas
/// with their text.
pub fn form_posting_to(html: &str, action: &str) -> Option<Vec<(String, String)>> {
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let after = &rest[start..];
        let tag_end = after.find('>')?;
        let end = after.find("</form>").unwrap_or(after.len());
        if attribute(&after[..tag_end], "action").as_deref() == Some(action) {
            return Some(fields(&after[tag_end..end]));
        }
        rest = &after[tag_end..];
    }
    None
}

fn fields(form: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (i, _) in form.match_indices('<') {
        let tag = &form[i..];
        let Some(close) = tag.find('>') else { break };
        let head = &tag[..close];
        if let Some(input) = head.strip_prefix("<input") {
            let kind = attribute(input, "type").unwrap_or_else(|| "text".into());
            let checked = input.contains(" checked");
            if matches!(kind.as_str(), "checkbox" | "radio") && !checked || kind == "file" {
                continue;
            }
            if let Some(name) = attribute(input, "name") {
                found.push((name, attribute(input, "value").unwrap_or_default()));
            }
        } else if let Some(area) = head.strip_prefix("<textarea") {
            if let Some(name) = attribute(area, "name") {
                let text = &tag[close + 1..];
                let text = &text[..text.find("</textarea>").unwrap_or(0)];
                found.push((name, unescape(text)));
            }
        }
    }
    found
}

/// The value of `name="…"` in a tag's text, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The errors a refused form shows (its error summary), else the start of
/// the page's text.
pub fn page_errors(html: &str) -> String {
    let errors: Vec<String> = html
        .match_indices("class=\"field__error\"")
        .filter_map(|(i, _)| {
            let text = &html[i..];
            let text = &text[text.find('>')? + 1..];
            let text = &text[..text.find("</p>")?];
            // Without the markup inside (a hidden "Lỗi: " label).
            let mut plain = String::new();
            let mut in_tag = false;
            for c in text.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => plain.push(c),
                    _ => {}
                }
            }
            Some(unescape(plain.trim()))
        })
        .collect();
    if errors.is_empty() {
        html.chars().take(200).collect()
    } else {
        errors.join(" | ")
    }
}

/// The file inputs of the form whose `action` is `action`: each one's name
/// and whether the page marks it required.
pub fn file_inputs_of(html: &str, action: &str) -> Vec<(String, bool)> {
    let Some(start) = html.find(&format!(" action=\"{action}\"")) else {
        return Vec::new();
    };
    let form = &html[start..];
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    form.match_indices("<input")
        .filter_map(|(i, _)| {
            let tag = &form[i..];
            let tag = &tag[..tag.find('>')?];
            if attribute(tag, "type").as_deref() != Some("file") {
                return None;
            }
            Some((attribute(tag, "name")?, tag.contains(" required")))
        })
        .collect()
}

/// A form with files as a browser encodes it: the `Content-Type` (with its
/// boundary) and the body. Files are `(field, file name, bytes)`.
pub fn multipart(
    fields: &[(String, String)],
    files: &[(String, String, Vec<u8>)],
) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----lienthong-demo-7d2f9c41";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_gives_what_a_browser_would_send() {
        let html = r#"<form class="x" method="post" action="/a/b" novalidate>
          <input type="hidden" name="csrf" value="t&amp;k">
          <input type="checkbox" name="items" value="A">
          <input type="checkbox" name="items" value="B" checked>
          <input type="radio" name="d" value="x" checked>
          <textarea id="r" name="reason" rows="3">L&#39;ý do</textarea>
        </form><form action="/other"><input name="no" value="1"></form>"#;
        assert_eq!(
            form_posting_to(html, "/a/b").unwrap(),
            vec![
                ("csrf".to_string(), "t&k".to_string()),
                ("items".to_string(), "B".to_string()),
                ("d".to_string(), "x".to_string()),
                ("reason".to_string(), "L'ý do".to_string()),
            ]
        );
        assert_eq!(
            form_posting_to(html, "/other").unwrap(),
            vec![("no".to_string(), "1".to_string())]
        );
        assert!(form_posting_to(html, "/missing").is_none());
    }

    #[test]
    fn file_inputs_are_listed_apart_with_whether_they_are_required() {
        let html = r#"<form action="/x"><input type="hidden" name="csrf" value="t">
          <input id="tp-1" name="tp-1" type="file" accept=".pdf" required aria-describedby="a">
          <input id="tp-2" name="tp-2" type="file" accept=".pdf">
          </form><form action="/y"><input name="tp-9" type="file"></form>"#;
        assert_eq!(
            file_inputs_of(html, "/x"),
            vec![("tp-1".to_string(), true), ("tp-2".to_string(), false)]
        );
        assert_eq!(
            form_posting_to(html, "/x").unwrap(),
            vec![("csrf".to_string(), "t".to_string())]
        );
        assert!(file_inputs_of(html, "/z").is_empty());
    }

    #[test]
    fn a_form_with_files_is_encoded_part_by_part() {
        let (kind, body) = multipart(
            &[("ho-ten".into(), "Bùi Thị Lan".into())],
            &[("tp-1".into(), "to-khai.pdf".into(), b"%PDF-1.4".to_vec())],
        );
        let boundary = kind.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"ho-ten\"\r\n\r\nBùi Thị Lan\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"tp-1\"; filename=\"to-khai.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n\
                 --{boundary}--\r\n"
            )
        );
    }
}

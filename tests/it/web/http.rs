//! A raw HTTP/1.1 client for what a browser would not send: form posts
//! without a token or without a cookie, and header checks.

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Answer {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    let body = form.unwrap_or("");
    if form.is_some() {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse_answer(&raw)
}

pub async fn get(addr: SocketAddr, path: &str) -> Answer {
    request(addr, "GET", path, None, None).await
}

/// `GET path` with the session `cookie`.
pub async fn get_as(addr: SocketAddr, path: &str, cookie: &str) -> Answer {
    request(addr, "GET", path, Some(cookie), None).await
}

/// Posts the form `body` to `path`, with the session `cookie` if any.
pub async fn post(addr: SocketAddr, path: &str, cookie: Option<&str>, body: &str) -> Answer {
    request(addr, "POST", path, cookie, Some(body)).await
}

/// Signs an officer in as a browser would (the sign-in form's cookie and
/// token, then the post); returns the session cookie (`name=value`) and
/// the session's form token, read from the workspace page.
pub async fn sign_in(addr: SocketAddr, login: &str, password: &str) -> (String, String) {
    let page = get(addr, "/mot-cua/dang-nhap").await;
    let form_cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("the sign-in form's cookie")
        .to_string();
    let token = form_cookie.split_once('=').unwrap().1.to_string();
    let signed_in = request(
        addr,
        "POST",
        "/mot-cua/dang-nhap",
        Some(&form_cookie),
        Some(&format!("csrf={token}&login={login}&password={password}")),
    )
    .await;
    let session = signed_in
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("lienthong_can_bo="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let workspace = request(addr, "GET", "/mot-cua/", Some(&session), None).await;
    assert_eq!(workspace.status, 200, "the workspace opens for {login}");
    let csrf = workspace
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the session's form token")
        .to_string();
    (session, csrf)
}

/// Posts a `multipart/form-data` body (text fields, then files as
/// `(field, file name, bytes)`) to `path` with `cookie`, as a browser
/// without JavaScript sends a form with files.
pub async fn post_multipart(
    addr: SocketAddr,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Answer {
    const BOUNDARY: &str = "----lienthong-test-boundary-7d2f";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // A server may answer (413) before it has read the whole body.
    let _ = stream.write_all(&body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    parse_answer(&raw)
}

/// The value of the hidden field `name` on a page.
pub fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no field {name} on the page"))
        .to_string()
}

/// Registers an applicant on the portal as a browser would; returns the
/// session cookie (`name=value`).
pub async fn register_applicant(addr: SocketAddr, email: &str, name: &str) -> String {
    let page = get(addr, "/tai-khoan/dang-ky").await;
    let form_cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("the registration form's cookie")
        .to_string();
    let token = form_cookie.split_once('=').unwrap().1.to_string();
    let body = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("ho-ten", name),
        ("email", email),
        ("mat-khau", "mat-khau-rat-dai-2026"),
        ("nhap-lai", "mat-khau-rat-dai-2026"),
    ])
    .unwrap();
    let registered = post(addr, "/tai-khoan/dang-ky", Some(&form_cookie), &body).await;
    assert_eq!(registered.status, 303, "registered: {}", registered.body);
    registered
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("lienthong_cong_dan="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// A raw HTTP/1.1 answer (the connection closed after it) as status,
/// lower-cased headers and body.
fn parse_answer(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

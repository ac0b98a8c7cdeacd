//! A small SMTP server for tests: speaks enough of RFC 5321 over loopback
//! for a real client (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing,
//! RSET, NOOP, QUIT), keeps every message it accepted, and can defer the
//! next ones with a 451 (a temporary failure the sender must retry).

use base64::Engine;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

#[derive(Default)]
struct State {
    accepted: Vec<String>,
    defer_next: u32,
    deferred: u32,
}

pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
    _stop: oneshot::Sender<()>,
}

/// One accepted message, decoded.
#[derive(Clone, Debug)]
pub struct Mail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let (stop, mut stopped) = oneshot::channel::<()>();
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { return };
                        tokio::spawn(converse(stream, shared.clone()));
                    }
                    _ = &mut stopped => return,
                }
            }
        });
        SmtpSink {
            port,
            state,
            _stop: stop,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Answer the next `n` messages with 451 instead of accepting them.
    pub fn defer_next(&self, n: u32) {
        self.lock().defer_next = n;
    }

    /// Messages answered with 451 so far.
    pub fn deferred(&self) -> u32 {
        self.lock().deferred
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.lock().accepted.iter().map(|raw| decode(raw)).collect()
    }
}

async fn converse(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 sink.test ESMTP\r\n").await.is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line.trim_end().to_ascii_uppercase();
        let answer: String = if verb.starts_with("EHLO") {
            "250-sink.test\r\n250 8BITMIME\r\n".into()
        } else if verb.starts_with("HELO") {
            "250 sink.test\r\n".into()
        } else if verb.starts_with("MAIL FROM:")
            || verb.starts_with("RCPT TO:")
            || verb == "RSET"
            || verb == "NOOP"
        {
            "250 2.0.0 OK\r\n".into()
        } else if verb == "DATA" {
            if write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await
                .is_err()
            {
                return;
            }
            let mut message = String::new();
            loop {
                let mut data = String::new();
                match lines.read_line(&mut data).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if data == ".\r\n" {
                    break;
                }
                message.push_str(data.strip_prefix('.').unwrap_or(&data));
            }
            let mut state = state.lock().unwrap();
            if state.defer_next > 0 {
                state.defer_next -= 1;
                state.deferred += 1;
                "451 4.3.0 Try again later\r\n".into()
            } else {
                state.accepted.push(message);
                "250 2.0.0 Queued\r\n".into()
            }
        } else if verb == "QUIT" {
            let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
            return;
        } else {
            "502 5.5.2 Command not recognised\r\n".into()
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Headers unfolded, the subject's RFC 2047 words and the base64 body decoded.
fn decode(raw: &str) -> Mail {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let subject = header("subject")
        .split_whitespace()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
                let bytes = b64.decode(&word[10..word.len() - 2]).expect("base64 word");
                String::from_utf8(bytes).expect("utf-8 word")
            } else {
                format!(" {word} ")
            }
        })
        .collect::<String>()
        .trim()
        .replace("  ", " ");
    assert_eq!(
        header("content-transfer-encoding").to_ascii_lowercase(),
        "base64"
    );
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let body = String::from_utf8(b64.decode(compact).expect("base64 body"))
        .expect("utf-8 body")
        .replace("\r\n", "\n");
    Mail {
        message_id: header("message-id"),
        to: header("to"),
        subject,
        body,
    }
}

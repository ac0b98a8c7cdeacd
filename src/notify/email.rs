//! The e-mail channel: one message per notification over SMTP (lettre, on
//! tokio, TLS by rustls). Its `Message-ID` is made of the event id, so that
//! the one message an event may produce is recognisable as such.

use super::settings::{EmailSettings, TlsMode};
use super::{Failure, NotifyError};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use lienthong_adapter::DeliveryError;

pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
}

impl EmailSender {
    pub fn new(settings: &EmailSettings) -> Result<EmailSender, NotifyError> {
        let setup = |e: lettre::transport::smtp::Error| NotifyError::Setup {
            channel: "email",
            reason: e.to_string(),
        };
        let host = settings.smtp_host.as_str();
        let builder = match settings.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            TlsMode::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(setup)?
            }
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(setup)?,
        };
        let domain = settings.from.email.domain().to_string();
        let mut builder = builder
            .port(settings.smtp_port)
            .timeout(Some(settings.timeout))
            .hello_name(ClientId::Domain(domain.clone()));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(EmailSender {
            transport: builder.build(),
            from: settings.from.clone(),
            domain,
        })
    }

    /// Sends one message; `id` (unique per event and channel) becomes its
    /// Message-ID. Returns the server's answer to the data.
    pub async fn send(
        &self,
        to: &str,
        subject: String,
        body: String,
        id: &str,
    ) -> Result<String, Failure> {
        let to: Mailbox = to.trim().parse().map_err(|_| {
            Failure::Unusable("the dossier's e-mail address is not a valid address".into())
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::Base64)
            .body(body)
            .map_err(|e| Failure::Unusable(format!("the message cannot be built: {e}")))?;
        match self.transport.send(message).await {
            Ok(response) => Ok(response
                .first_line()
                .map(|line| format!("{} {line}", response.code()))
                .unwrap_or_else(|| response.code().to_string())),
            Err(e) => Err(Failure::Delivery(classify(&e))),
        }
    }
}

/// 4xx answers, timeouts and lost connections are retried; a 5xx answer is
/// the server's final word. The server's own text is left out: it often
/// repeats the recipient's address.
fn classify(e: &lettre::transport::smtp::Error) -> DeliveryError {
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    if e.is_permanent() {
        DeliveryError::reject(format!("the mail server refused the message ({code})"))
    } else if e.is_transient() {
        DeliveryError::retry(format!("the mail server deferred the message ({code})"))
    } else if e.is_timeout() {
        DeliveryError::retry("the mail server did not answer in time")
    } else if e.is_tls() {
        DeliveryError::retry("the TLS connection to the mail server failed")
    } else {
        DeliveryError::retry("cannot talk to the mail server")
    }
}

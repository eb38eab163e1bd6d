//! Invitation e-mail, when the server has an SMTP server to send through
//! (`ROLLBOOK_SMTP_URL`). Without one the console only shows the link for the admin to hand
//! over. Sending uses lettre; the URL's password never reaches a log or a message.

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

/// An SMTP relay and the sender address invitations come from.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The relay's address without credentials, for messages.
    relay: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("relay", &self.relay).field("from", &self.from.to_string()).finish()
    }
}

impl Mailer {
    /// From `smtps://[user:password@]host[:port]` (TLS from the start),
    /// `smtp://...?tls=required` (STARTTLS) or plain `smtp://host[:port]` (a local relay), and
    /// the sender, e.g.
    /// `Rollbook <rollbook@district.example>`. The error says which part is wrong, without the
    /// password.
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let parsed = url::Url::parse(url).map_err(|_| "is not a URL like smtp://mail.district.example:587".to_string())?;
        if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
            return Err("must be smtp://HOST[:PORT] or smtps://HOST[:PORT]".into());
        }
        let relay = format!("{}://{}{}", parsed.scheme(), parsed.host_str().unwrap_or(""), parsed.port().map(|p| format!(":{p}")).unwrap_or_default());
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("cannot be used: {}", redact(&e.to_string(), &parsed)))?.build();
        let from = from.parse::<Mailbox>().map_err(|e| format!("the sender `{from}` is not an address: {e}"))?;
        Ok(Mailer { transport, from, relay })
    }

    /// Sends the invitation link to `to`; the error is a sentence for the admin.
    pub async fn send_invitation(&self, to: &str, name: &str, link: &str, expires: &str) -> Result<(), String> {
        let to_box = format!("{name} <{to}>").parse::<Mailbox>().or_else(|_| to.parse::<Mailbox>()).map_err(|e| format!("`{to}` is not an address: {e}"))?;
        let body = format!(
            "Hello {name},\n\n\
             your district invites you to Rollbook, where you can check your class lists and see which apps receive your classes.\n\n\
             Open this link to choose your password (it works once, until {expires}):\n\n{link}\n\n\
             Afterwards you sign in with this e-mail address.\n"
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to_box)
            .subject("Your Rollbook invitation")
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("the message could not be made: {e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("sending through {} failed: {e}", self.relay))
    }
}

/// `text` without the URL's password.
fn redact(text: &str, url: &url::Url) -> String {
    match url.password() {
        Some(p) if !p.is_empty() => text.replace(p, "***"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::Mailer;

    #[test]
    fn bad_settings_are_named_without_the_password() {
        assert_eq!(Mailer::new("mail.example", "a@b.example").unwrap_err(), "is not a URL like smtp://mail.district.example:587");
        assert_eq!(Mailer::new("http://mail.example", "a@b.example").unwrap_err(), "must be smtp://HOST[:PORT] or smtps://HOST[:PORT]");
        let err = Mailer::new("smtp://u:s3cret@mail.example:587", "not an address").unwrap_err();
        assert!(err.starts_with("the sender `not an address` is not an address"), "{err}");
        assert!(!format!("{:?}", Mailer::new("smtp://u:s3cret@mail.example:587", "Rollbook <r@d.example>").unwrap()).contains("s3cret"));
    }
}

"""E-mail: MIME messages (HTML + text, an iTIP part) and an SMTP sender with aiosmtplib.

The sender keeps up to ``SMTP_CONNECTIONS`` connections open and reuses them (each renewed
after ``SMTP_MESSAGES_PER_CONNECTION`` messages), speaks TLS or STARTTLS and logs in when
configured, and never sends faster than ``SMTP_RATE_PER_S``. Every attempt's outcome reads as
a delivery attempt: 4xx replies, timeouts and dropped connections are temporary, 5xx replies
permanent. Nothing personal is logged: not an address, not a subject.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass, field
from email.charset import QP, Charset
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib

from notifications.domain.deliveries import Attempt, Outcome

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Mail:
    """One message to one person."""

    sender: str
    to_name: str
    to_email: str
    subject: str
    text: str
    html: str
    message_id: str
    reply_to: str | None = None
    calendar: bytes | None = None
    calendar_method: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


UTF8_QP = Charset("utf-8")
UTF8_QP.body_encoding = QP
"""Text parts as quoted-printable UTF-8: readable in the raw message, safe over 7-bit relays."""


def _address(text: str) -> str:
    """``Name <address>`` with a non-ASCII name encoded (RFC 2047)."""
    name, address = parseaddr(text)
    return formataddr((name, address)) if address else text


def _text(body: str, subtype: str) -> MIMEText:
    return MIMEText(body, subtype, UTF8_QP)  # type: ignore[arg-type]


def mime(mail: Mail, *, date: float | None = None) -> Message:
    """The MIME message.

    Multipart/alternative of text and HTML, with the invitation as a ``text/calendar; method=...``
    alternative (what Outlook, Google and Apple read) and as an ``invite.ics`` attachment.

    Built with the ``compat32`` classes: the modern `EmailMessage` parses every header it is
    given back into objects, which made building a message most of the sender's CPU time.
    """
    alternative = MIMEMultipart("alternative")
    alternative.attach(_text(mail.text, "plain"))
    alternative.attach(_text(mail.html, "html"))
    root: Message = alternative
    if mail.calendar is not None:
        method = mail.calendar_method or "REQUEST"
        calendar = _text(mail.calendar.decode(), "calendar")
        calendar.set_param("method", method)
        alternative.attach(calendar)
        root = MIMEMultipart("mixed")
        root.attach(alternative)
        attachment = MIMEApplication(mail.calendar, "ics")
        attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
        root.attach(attachment)
    root["From"] = _address(mail.sender)
    root["To"] = formataddr((mail.to_name, mail.to_email))
    if mail.reply_to:
        root["Reply-To"] = _address(mail.reply_to)
    root["Subject"] = (
        mail.subject
        if mail.subject.isascii()
        else Header(mail.subject, "utf-8", header_name="Subject").encode()
    )
    root["Message-ID"] = mail.message_id
    root["Date"] = formatdate(date or time.time(), usegmt=True)
    root["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        root[name] = value
    return root


def envelope_sender(sender: str) -> str:
    """The bare address of a ``Name <address>`` sender."""
    return parseaddr(sender)[1] or sender


def valid_address(text: str) -> bool:
    """Whether ``text`` is one plain e-mail address (never raises, whatever ``text`` is)."""
    try:
        address = Address(addr_spec=text)
    except (ValueError, IndexError, HeaderParseError, AttributeError):
        # HeaderParseError is no ValueError; AttributeError is the standard library's own
        # defect on an unterminated domain literal ("a@[.b": `all_defects` of a defect).
        return False
    return bool(address.username and address.domain)


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send."""

    host: str
    port: int
    security: str = "none"
    username: str = ""
    password: str = ""
    ca_file: str = ""
    timeout_s: float = 30.0
    connections: int = 4
    rate_per_s: float = 50.0
    messages_per_connection: int = 100


class RateLimiter:
    """At most ``rate`` acquisitions per second on average (a token bucket of one second)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for the next slot."""
        async with self._lock:
            now = time.monotonic()
            self._next = max(self._next, now - 1.0 + self._interval)
            wait = self._next - now
            self._next += self._interval
        if wait > 0:
            await asyncio.sleep(wait)


class _Connection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client
        self.sent = 0


def classify(error: BaseException) -> Attempt:
    """How an SMTP failure reads as a delivery attempt."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in error.recipients]
        code = min(codes) if codes else 550
        return _reply(code)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _reply(error.code)
    if isinstance(error, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return Attempt(Outcome.TEMPORARY, "smtp timeout")
    return Attempt(Outcome.TEMPORARY, f"smtp {type(error).__name__}")


def _reply(code: int) -> Attempt:
    if 400 <= code < 500:
        return Attempt(Outcome.TEMPORARY, f"smtp {code}")
    if code >= 500:
        return Attempt(Outcome.PERMANENT, f"smtp {code}")
    return Attempt(Outcome.TEMPORARY, f"smtp {code}")


class SmtpSender:
    """Sends mail over a small pool of reused SMTP connections."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._idle: asyncio.Queue[_Connection | None] = asyncio.Queue()
        for _ in range(config.connections):
            self._idle.put_nowait(None)
        self._limiter = RateLimiter(config.rate_per_s)
        self.connections_opened = 0

    def _client(self) -> aiosmtplib.SMTP:
        config = self._config
        context = None
        if config.security != "none":
            context = ssl.create_default_context(cafile=config.ca_file or None)
        return aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=config.security == "tls",
            start_tls=True if config.security == "starttls" else False,  # noqa: SIM210
            tls_context=context,
            timeout=config.timeout_s,
            username=config.username or None,
            password=config.password or None,
        )

    async def _open(self) -> _Connection:
        client = self._client()
        await client.connect()
        self.connections_opened += 1
        return _Connection(client)

    async def send(self, message: Message, sender: str, recipient: str) -> Attempt:
        """Send ``message`` to ``recipient``; the attempt's outcome."""
        await self._limiter.acquire()
        connection = await self._idle.get()
        try:
            if connection is None or not connection.client.is_connected:
                connection = await self._open()
            errors, _ = await connection.client.send_message(
                message, sender=sender, recipients=[recipient]
            )
            connection.sent += 1
            if errors:  # pragma: no cover - one recipient: refusals raise instead
                code = min(error.code for error in errors.values())
                return _reply(code)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            attempt = classify(error)
            if not isinstance(error, aiosmtplib.SMTPResponseException) or error.code in {
                421,
                451,
            }:
                await self._discard(connection)
                connection = None
            elif connection is not None:
                await self._reset(connection)
            logger.warning("smtp attempt failed", extra={"error": attempt.error})
            return attempt
        finally:
            if connection is not None and connection.sent >= self._config.messages_per_connection:
                await self._discard(connection)
                connection = None
            self._idle.put_nowait(connection)
        return Attempt(Outcome.SENT)

    async def _reset(self, connection: _Connection) -> None:
        try:
            await connection.client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await self._discard(connection)

    async def _discard(self, connection: _Connection | None) -> None:
        if connection is None:
            return
        try:
            await connection.client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            connection.client.close()
        return

    async def close(self) -> None:
        """Close every open connection."""
        while not self._idle.empty():
            await self._discard(self._idle.get_nowait())
        for _ in range(self._config.connections):
            self._idle.put_nowait(None)

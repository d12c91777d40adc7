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
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

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


def mime(mail: Mail, *, date: float | None = None) -> EmailMessage:
    """The MIME message.

    Multipart/alternative of text and HTML, with the invitation as a ``text/calendar; method=...``
    alternative (what Outlook, Google and Apple read) and as an ``invite.ics`` attachment.
    """
    from datetime import UTC, datetime

    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = formataddr((mail.to_name, mail.to_email))
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(datetime.fromtimestamp(date or time.time(), UTC))
    message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    if mail.calendar is not None:
        method = mail.calendar_method or "REQUEST"
        message.add_alternative(
            mail.calendar.decode(), subtype="calendar", params={"method": method}
        )
        message.add_attachment(
            mail.calendar,
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    return message


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

    async def send(self, message: EmailMessage, sender: str, recipient: str) -> Attempt:
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

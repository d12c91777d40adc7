"""A local SMTP server (aiosmtpd) that keeps what it receives, and a small inbox page.

`make run` starts one so that a newcomer sees the mail the demo sends: the inbox lists every
message (newest first) and shows each one's text, HTML and calendar parts. Tests use it as
the real SMTP server the notifications service sends to; ``replies`` scripts its answers
(``451`` then ``250``, a ``550``) to exercise retries and permanent failures.

    with Mailbox() as mailbox:           # SMTP on mailbox.smtp_port, inbox on mailbox.url
        ...
        mailbox.messages                 # [ReceivedMail(...)], each parseable with `email`
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mentorship_devstack.servers import free_port

Reply = Callable[["ReceivedMail"], str | None]
"""Decides a message's answer: None accepts it (250), a string is the SMTP reply sent instead
(``"451 4.3.0 try again later"``): the message is then not kept."""


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """One message as the server received it."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    received_at: float = field(default_factory=time.time)

    def parsed(self) -> EmailMessage:
        """The message, parsed with the standard `email` package."""
        message = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002 - the hook's signature
        session: Session,  # noqa: ARG002
        envelope: Envelope,
    ) -> str:
        received = ReceivedMail(
            sender=str(envelope.mail_from),
            recipients=tuple(str(r) for r in envelope.rcpt_tos),
            data=bytes(envelope.original_content or envelope.content or b""),  # type: ignore[arg-type]
        )
        return self._mailbox.receive(received)


class Mailbox:
    """The SMTP server and its inbox page, each on a local port."""

    def __init__(
        self, *, host: str = "127.0.0.1", smtp_port: int = 0, http_port: int | None = 0
    ) -> None:
        self.host = host
        self.smtp_port = smtp_port or free_port()
        self._http_port = http_port
        self._messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self.replies: deque[str] = deque()
        """Scripted answers, used one per message before accepting (e.g. ``451 ...``)."""
        self.reply: Reply | None = None
        """A function deciding each answer (after ``replies`` are used up)."""
        self.attempts = 0
        """Messages offered, accepted or not."""
        self._controller = Controller(
            _Handler(self), hostname=host, port=self.smtp_port, ready_timeout=10.0
        )
        self._http: ThreadingHTTPServer | None = None

    @property
    def messages(self) -> list[ReceivedMail]:
        """What was accepted, oldest first."""
        with self._lock:
            return list(self._messages)

    def receive(self, received: ReceivedMail) -> str:
        """Accept (and keep) or refuse one message."""
        with self._lock:
            self.attempts += 1
            answer = self.replies.popleft() if self.replies else None
            if answer is None and self.reply is not None:
                answer = self.reply(received)
            if answer is not None:
                return answer
            self._messages.append(received)
        return "250 OK kept"

    def clear(self) -> None:
        """Forget what was received."""
        with self._lock:
            self._messages.clear()
            self.attempts = 0

    def wait_for(self, count: int, timeout_s: float = 30.0) -> list[ReceivedMail]:
        """Block until at least ``count`` messages were kept; returns them."""
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    @property
    def url(self) -> str:
        """The inbox page ("" without one)."""
        return f"http://{self.host}:{self._http.server_port}" if self._http else ""

    def start(self) -> Mailbox:
        """Start the SMTP server (and the inbox page)."""
        self._controller.start()
        if self._http_port is not None:
            self._http = ThreadingHTTPServer((self.host, self._http_port), _inbox_handler(self))
            threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop both."""
        self._controller.stop()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def _parts(message: EmailMessage) -> Iterator[tuple[str, str]]:
    for part in message.walk():
        if part.is_multipart():
            continue
        content = part.get_content()
        text = content.decode(errors="replace") if isinstance(content, bytes) else str(content)
        yield part.get_content_type(), text


def _summary(index: int, mail: ReceivedMail) -> dict[str, Any]:
    message = mail.parsed()
    return {
        "id": index,
        "from": str(message["From"]),
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "message_id": str(message["Message-ID"]),
        "received_at": mail.received_at,
        "parts": [content_type for content_type, _ in _parts(message)],
    }


def _inbox_handler(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class Inbox(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet
            return

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            messages = mailbox.messages
            path = self.path.split("?", 1)[0]
            if path == "/messages.json":
                body = json.dumps([_summary(i, m) for i, m in enumerate(messages)]).encode()
                self._send(200, "application/json", body)
            elif path.startswith("/messages/") and path.removeprefix("/messages/").isdigit():
                index = int(path.removeprefix("/messages/"))
                if index >= len(messages):
                    self._send(404, "text/plain", b"no such message")
                    return
                self._send(200, "text/html; charset=utf-8", _message_page(index, messages[index]))
            elif path.startswith("/raw/") and path.removeprefix("/raw/").isdigit():
                index = int(path.removeprefix("/raw/"))
                if index >= len(messages):
                    self._send(404, "text/plain", b"no such message")
                    return
                self._send(200, "message/rfc822", messages[index].data)
            elif path == "/":
                self._send(200, "text/html; charset=utf-8", _inbox_page(messages))
            else:
                self._send(404, "text/plain", b"not found")

    return Inbox


_STYLE = (
    "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;"
    "width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}"
    "pre{background:#f6f6f6;padding:1em;white-space:pre-wrap}iframe{width:100%;height:30em;"
    "border:1px solid #ddd}</style>"
)


def _inbox_page(messages: list[ReceivedMail]) -> bytes:
    rows = "".join(
        f"<tr><td><a href='/messages/{i}'>{html.escape(s['subject'])}</a></td>"
        f"<td>{html.escape(s['to'])}</td><td>{html.escape(s['from'])}</td>"
        f"<td>{html.escape(', '.join(s['parts']))}</td></tr>"
        for i, s in reversed(list(enumerate(_summary(i, m) for i, m in enumerate(messages))))
    )
    page = (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Local inbox</title>"
        f"<meta http-equiv=refresh content=5>{_STYLE}</head><body>"
        f"<h1>Local inbox ({len(messages)} messages)</h1>"
        "<p>Everything the local stack sent by e-mail. Refreshes every 5 seconds; "
        "<a href='/messages.json'>JSON</a>.</p>"
        f"<table><tr><th>Subject</th><th>To</th><th>From</th><th>Parts</th></tr>{rows}"
        "</table></body></html>"
    )
    return page.encode()


def _message_page(index: int, mail: ReceivedMail) -> bytes:
    message = mail.parsed()
    headers = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in message.items()
    )
    sections = []
    for content_type, text in _parts(message):
        if content_type == "text/html":
            sections.append(
                f'<h2>{content_type}</h2><iframe sandbox srcdoc="{html.escape(text)}"></iframe>'
            )
        else:
            sections.append(f"<h2>{content_type}</h2><pre>{html.escape(text)}</pre>")
    page = (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(str(message['Subject']))}</title>{_STYLE}</head><body>"
        f"<p><a href='/'>Inbox</a> &middot; <a href='/raw/{index}'>raw</a></p>"
        f"<table>{headers}</table>{''.join(sections)}</body></html>"
    )
    return page.encode()

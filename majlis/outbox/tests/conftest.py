"""Mail servers for the outbox tests: a real SMTP server (aiosmtpd) on 127.0.0.1,
an address where nothing listens, and one that accepts connections but never
answers; and fixtures that point Django's default mailer at them."""

import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on: bound, read, closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


def point_mailer_at(settings, port: int, *, timeout: float = 5) -> None:
    """Make ``mailers.default`` an SMTP connection to 127.0.0.1:``port``."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": LOCALHOST, "port": port, "timeout": timeout},
        }
    }


@dataclass
class Delivery:
    """One message as the server received it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    # The client's address and port: one per connection.
    peer: tuple[str, int]


@dataclass
class SmtpServer:
    """A real SMTP server in a thread, keeping every message it accepts."""

    port: int
    # Seconds a connection may sit idle before the server drops it.
    idle_timeout: float = 300
    deliveries: list[Delivery] = field(default_factory=list)
    _controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [delivery.message for delivery in self.deliveries]

    @property
    def connections_used(self) -> int:
        return len({delivery.peer for delivery in self.deliveries})

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        # The reply is sent after this returns, so a message is stored before
        # the client's send_messages() returns.
        parsed = email.message_from_bytes(
            envelope.original_content or envelope.content,
            policy=email.policy.default,
        )
        self.deliveries.append(
            Delivery(envelope.mail_from, list(envelope.rcpt_tos), parsed, session.peer)
        )
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpServer":
        self._controller = Controller(
            self,
            hostname=LOCALHOST,
            port=self.port,
            ready_timeout=10,
            timeout=self.idle_timeout,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def start_smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    """Start a real SMTP server, on a free port or on the given one; all are
    stopped after the test."""
    started: list[SmtpServer] = []

    def start(port: int | None = None, idle_timeout: float = 300) -> SmtpServer:
        server = SmtpServer(
            port=port if port is not None else free_port(), idle_timeout=idle_timeout
        ).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(start_smtp_server) -> SmtpServer:
    return start_smtp_server()


@pytest.fixture
def mail_to_smtp(settings, smtp_server) -> SmtpServer:
    """Django's default mailer sends to ``smtp_server``."""
    point_mailer_at(settings, smtp_server.port)
    return smtp_server


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture
def mail_to_closed_port(settings, closed_port) -> int:
    """Django's default mailer sends to an address where nothing listens."""
    point_mailer_at(settings, closed_port)
    return closed_port


class SilentServer:
    """Accepts TCP connections and never says a word, like a hung mail server."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind((LOCALHOST, 0))
        self._socket.listen(8)
        self._socket.settimeout(0.05)
        self.port: int = self._socket.getsockname()[1]
        self.connected = threading.Event()
        self._connections: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _address = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(conn)
            self.connected.set()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        for conn in self._connections:
            conn.close()
        self._socket.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()

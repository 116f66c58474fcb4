"""Slow clients, as an attacker sends them: a request head announcing a body,
then the body a byte at a time, for as long as the attack lasts."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# A body the server waits for in full before it can answer, sent so slowly
# that it never arrives during a test.
ANNOUNCED_BODY_BYTES = 100_000
TRICKLE_EVERY_SECONDS = 0.5


@contextmanager
def trickling_bodies(port: int, count: int, path: str) -> Iterator[None]:
    """``count`` connections to 127.0.0.1:``port``, each POSTing JSON to
    ``path`` with ``Content-Length: 100000`` and then one byte every half
    second, until the block ends."""
    connections = []
    stop = threading.Event()
    try:
        for _number in range(count):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {ANNOUNCED_BODY_BYTES}\r\n\r\n{{".encode()
            )
            connections.append(connection)

        def trickle() -> None:
            while not stop.wait(TRICKLE_EVERY_SECONDS):
                for connection in connections:
                    try:
                        connection.sendall(b" ")
                    except OSError:  # closed by the server: one client fewer
                        continue

        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        # Long enough for every head to reach a worker thread.
        time.sleep(1)
        yield
    finally:
        stop.set()
        for connection in connections:
            connection.close()


def seconds_to_answer(port: int, path: str, *, give_up_after: float) -> float:
    """Seconds from connecting until the status line of a GET of ``path``
    arrives; ``give_up_after`` when none arrives by then."""
    began = time.monotonic()
    try:
        with socket.create_connection(
            ("127.0.0.1", port), timeout=give_up_after
        ) as connection:
            connection.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            if not connection.recv(16).startswith(b"HTTP/1.1 "):
                return give_up_after
    except TimeoutError:
        return give_up_after
    return time.monotonic() - began

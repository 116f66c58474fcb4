"""The flash crowd's mail relay: accepts every message and writes down when it
arrived and for whom, one JSON line each, so that the bench can tell how long
a sign-in link took from the delegate's request to the relay.

    python bench/mail_sink.py --listen 127.0.0.1:8125 --out mail.jsonl
"""

import argparse
import asyncio
import json
import signal
import time
from typing import Any, TextIO

from aiosmtpd.smtp import SMTP, Envelope


class Recorder:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    async def handle_DATA(
        self, _server: SMTP, _session: Any, envelope: Envelope
    ) -> str:
        arrived = time.time()
        self.out.write(json.dumps({"at": arrived, "to": envelope.rcpt_tos}) + "\n")
        return "250 OK"


async def serve(host: str, port: int, out: TextIO) -> None:
    loop = asyncio.get_running_loop()
    recorder = Recorder(out)
    server = await loop.create_server(lambda: SMTP(recorder), host, port)
    stopped = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    await stopped.wait()
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", required=True, help="host:port")
    parser.add_argument("--out", required=True, help="a JSON line per message")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    # A line each, written as it comes: the bench reads the file while it grows.
    with open(args.out, "a", buffering=1) as out:
        asyncio.run(serve(host, int(port), out))


if __name__ == "__main__":
    main()

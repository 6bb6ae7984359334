"""Real receivers on localhost for the delivery tests: a JSON webhook (Apprise's json://) and an SMTP server (mailto://)."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class JsonReceiver:
    """An HTTP server that records each JSON body it is sent and answers `status` (200 unless told)."""

    def __init__(self, status: int = 200):
        self.received: list[dict] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(json.loads(body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        # The path holds a "token": the tests check it never shows. `url` is the same hook over plain HTTP
        # (the family webhook's setting), `address` as Apprise names it.
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook-s3cr3t-t0ken"
        self.address = f"json://127.0.0.1:{self.server.server_port}/hook-s3cr3t-t0ken"

    @property
    def messages(self) -> list[str]:
        return [item["message"] for item in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """An SMTP server (aiosmtpd) that keeps each message it is sent, parsed."""

    def __init__(self):
        self.received: list = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver.received.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.address = f"mailto://127.0.0.1:{self.port}?from=tonny@example.com&to=dad@example.com"

    def close(self) -> None:
        self.controller.stop()

"""Stripe servers for tests, on 127.0.0.1: plain Python, nothing from Odoo.

- :class:`LocalStripe` runs localstripe, a fake but stateful Stripe (payment intents, refunds).
  It answers every refund with "succeeded" and ignores idempotency keys.
- :class:`FakeStripe` is a tiny HTTP server answering what a test tells it to (errors, slow
  answers, pending or failed refunds, pages of lists) and recording every request.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

HOST = "127.0.0.1"


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _client(url, api_key, timeout):
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": url},
        http_client=stripe.RequestsClient(timeout=timeout),
        max_network_retries=0,
    )


class LocalStripe:
    """localstripe in a subprocess, on a free port, with an empty store.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, startup_timeout=20.0):
        self.startup_timeout = startup_timeout
        self.port = None
        self.process = None
        self._output = None

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    @staticmethod
    def command():
        """How to run localstripe on 127.0.0.1 only (its own command listens on every
        interface); the port is appended."""
        return [sys.executable, os.path.join(os.path.dirname(__file__), "localstripe_local.py")]

    def output(self):
        """What localstripe printed so far (for error messages)."""
        if self._output is None:
            return ""
        self._output.flush()
        self._output.seek(0)
        return self._output.read().decode("utf-8", "replace")

    def start(self):
        self.port = free_port()
        # A file, not a pipe: localstripe logs every request, and a full pipe would block it.
        self._output = tempfile.TemporaryFile(prefix="localstripe-")
        self.process = subprocess.Popen(
            [*self.command(), str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                output = self.output()
                self.stop()
                raise RuntimeError(f"localstripe exited at start:\n{output[-2000:]}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    output = self.output()
                    self.stop()
                    raise RuntimeError(
                        f"localstripe did not listen on port {self.port} within "
                        f"{self.startup_timeout} s:\n{output[-2000:]}"
                    ) from None
                time.sleep(0.1)

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)
            self.process = None
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def client(self, api_key="sk_test_print", timeout=10.0):
        """A ``stripe.StripeClient`` talking to this localstripe."""
        return _client(self.url, api_key, timeout)

    def create_card_payment_intent(self, amount, currency="eur", capture_method="automatic"):
        """A card payment of ``amount`` (minor units), confirmed: succeeded, or with
        ``capture_method="manual"`` authorized (``requires_capture``).  Returns its id."""
        client = self.client()
        method = client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2030,
                    "cvc": "123",
                },
            }
        )
        intent = client.v1.payment_intents.create(
            params={
                "amount": amount,
                "currency": currency,
                "payment_method": method.id,
                "capture_method": capture_method,
                "confirm": True,
            }
        )
        expected = "requires_capture" if capture_method == "manual" else "succeeded"
        if intent.status != expected:
            raise AssertionError(f"localstripe payment intent {intent.id} is {intent.status}")
        return intent.id

    def create_paid_payment_intent(self, amount, currency="eur"):
        """A card payment of ``amount`` (minor units), confirmed and succeeded: its id."""
        return self.create_card_payment_intent(amount, currency)


@dataclass
class RecordedRequest:
    """A request FakeStripe received."""

    method: str
    path: str  # without the query string
    query: dict  # the query string's fields (last value wins)
    headers: Message  # http.client.HTTPMessage: headers.get(name) ignores the case
    form: dict  # the form-encoded body's fields, e.g. form["metadata[print_refund_key]"]

    @property
    def idempotency_key(self):
        return self.headers.get("Idempotency-Key")


@dataclass
class _Answer:
    status: int
    body: dict
    delay: float
    method: str | None
    path_prefix: str | None

    def matches(self, method, path):
        return (self.method is None or self.method.upper() == method) and (
            self.path_prefix is None or path.startswith(self.path_prefix)
        )


class FakeStripe:
    """An HTTP server playing Stripe with canned answers, for what localstripe cannot do.

    Each :meth:`respond` queues one answer; a request takes the first queued answer matching
    its method and path, else gets a 500 ``api_error``.  Every request is kept in
    :attr:`requests`.
    """

    def __init__(self):
        self.requests = []
        self.dropped = 0  # answers the client no longer waited for
        self._answers = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def client(self, api_key="sk_test_print", timeout=10.0):
        """A ``stripe.StripeClient`` talking to this server."""
        return _client(self.url, api_key, timeout)

    def respond(self, status, body, delay=0.0, method=None, path_prefix=None):
        """Queue an answer: HTTP ``status`` with JSON ``body`` after ``delay`` seconds, for
        the next request of ``method`` (any when None) whose path starts with ``path_prefix``
        (any when None)."""
        with self._lock:
            self._answers.append(_Answer(status, body, delay, method, path_prefix))

    def _take_answer(self, method, path):
        with self._lock:
            for index, answer in enumerate(self._answers):
                if answer.matches(method, path):
                    return self._answers.pop(index)
        return _Answer(500, error_body("api_error", "No answer programmed."), 0.0, None, None)

    def _wait(self, delay):
        """Sleep ``delay`` seconds, or less when the server stops."""
        self._stopping.wait(delay)

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                with fake._lock:
                    fake.requests.append(
                        RecordedRequest(
                            method=self.command,
                            path=url.path,
                            query=dict(parse_qsl(url.query, keep_blank_values=True)),
                            headers=self.headers,
                            form=dict(parse_qsl(body, keep_blank_values=True)),
                        )
                    )
                answer = fake._take_answer(self.command, url.path)
                if answer.delay:
                    fake._wait(answer.delay)
                data = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Request-Id", f"req_fake_{len(fake.requests)}")
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting (a simulated timeout)
                    fake.dropped += 1

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, *args):
                """Keep the test log quiet."""

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client hanging up on a slow answer is expected

        self._stopping.clear()
        self._server = Server((HOST, 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._stopping.set()  # ends the delays of answers still being served
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def refund_body(
    refund_id, status, amount, payment_intent, metadata=None, failure_reason=None, currency="usd"
):
    """A Stripe refund object (in the test company's currency by default)."""
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": currency,
        "status": status,
        "payment_intent": payment_intent,
        "charge": None,
        "created": int(time.time()),
        "metadata": dict(metadata or {}),
        "failure_reason": failure_reason,
    }


def error_body(error_type, message, code=None, decline_code=None):
    """A Stripe error answer, e.g. ``error_body("card_error", "...", "card_declined")``."""
    error = {"type": error_type, "message": message}
    if code:
        error["code"] = code
    if decline_code:
        error["decline_code"] = decline_code
    return {"error": error}


def list_body(items, has_more=False, url="/v1/refunds"):
    """A Stripe list object holding ``items``."""
    return {"object": "list", "data": list(items), "has_more": has_more, "url": url}

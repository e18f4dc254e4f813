"""A small threaded HTTP proxy that injects network faults in front of a (fake) Stripe.

Odoo talks to Stripe through it; the harness itself reads Stripe directly.  Each request is,
with probability ``rate``, given one fault, chosen evenly among :data:`KINDS`:

- ``delay``: forwarded after a short delay, below the client's timeout (answer arrives);
- ``drop_before``: the connection is closed before forwarding (Stripe never saw it);
- ``drop_after``: forwarded, then the connection is closed (Stripe acted, the answer is lost);
- ``error_5xx``: a 500/502/503 answer without forwarding (Stripe's API error);
- ``timeout_before``: held longer than the client's timeout, *then* forwarded (Stripe acts
  after the client gave up: a refund Odoo does not know of appears later);
- ``timeout_after``: forwarded at once, answer held longer than the client's timeout.

Every request not faulted is forwarded unchanged.  Binds 127.0.0.1 only.
"""

import http.client
import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
KINDS = ("delay", "drop_before", "drop_after", "error_5xx", "timeout_before", "timeout_after")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class FaultProxy:
    """Forward to ``upstream_port`` on 127.0.0.1, injecting faults at ``rate`` (0..1).

    :param float stall: seconds a timeout holds the request (longer than the client's timeout)
    :param float max_delay: longest harmless delay
    """

    def __init__(self, upstream_port, rate=0.2, stall=3.5, max_delay=1.0, seed=None, kinds=KINDS):
        self.upstream_port = upstream_port
        self.rate = rate
        self.stall = stall
        self.max_delay = max_delay
        self.kinds = tuple(kinds)
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected = Counter()
        self.forwarded = 0
        self.requests = 0
        self.enabled = True
        self.server = None
        self.thread = None

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    def _choose(self):
        with self.lock:
            self.requests += 1
            if not self.enabled or self.random.random() >= self.rate:
                return None, 0.0
            kind = self.random.choice(self.kinds)
            self.injected[kind] += 1
            return kind, self.random.uniform(0.05, self.max_delay)

    def _count_forward(self):
        with self.lock:
            self.forwarded += 1

    def start(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: simple and honest

            def log_message(self, *args):  # quiet
                pass

            def _forward(self, body):
                headers = {
                    key: value
                    for key, value in self.headers.items()
                    if key.lower() not in HOP_HEADERS
                }
                connection = http.client.HTTPConnection(HOST, proxy.upstream_port, timeout=30)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                    proxy._count_forward()
                    return response.status, response.getheaders(), data
                finally:
                    connection.close()

            def _answer(self, status, headers, data):
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                kind, delay = proxy._choose()
                if kind == "drop_before":
                    self.close_connection = True
                    return
                if kind == "error_5xx":
                    status = proxy.random.choice((500, 502, 503))
                    data = json.dumps(
                        {"error": {"type": "api_error", "message": "fault proxy: injected"}}
                    ).encode()
                    self._answer(status, [("Content-Type", "application/json")], data)
                    return
                if kind == "delay":
                    time.sleep(delay)
                if kind == "timeout_before":
                    time.sleep(proxy.stall)
                result = self._forward(body)
                if kind == "drop_after":
                    self.close_connection = True
                    return
                if kind == "timeout_after":
                    time.sleep(proxy.stall)
                try:
                    self._answer(*result)
                except OSError:  # the client gave up (timeout): nothing to answer to
                    pass

            do_GET = do_POST = do_DELETE = _handle

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def summary(self):
        with self.lock:
            return {
                "requests": self.requests,
                "forwarded": self.forwarded,
                "injected": dict(self.injected),
            }

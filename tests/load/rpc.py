"""A minimal JSON-RPC client of Odoo's web client routes, as a browser session uses them."""

import http.client
import itertools
import json
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

#: Exceptions an Odoo user may legitimately get back (a clear message, nothing broken).
USER_ERRORS = (
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.RedirectWarning",
    "odoo.exceptions.MissingError",
)


class RpcError(Exception):
    """Odoo answered with an error.  ``user_error`` tells whether it is one meant for users."""

    def __init__(self, name, message, debug=""):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
        self.debug = debug

    @property
    def user_error(self):
        return self.name in USER_ERRORS

    @property
    def concurrency(self):
        """Odoo gave up on a serialization failure after its own retries."""
        return "could not serialize" in self.debug or "concurrent update" in self.debug


class TransportError(Exception):
    """No answer: the connection broke (a killed worker) or timed out."""


class Session:
    """One logged-in user on one server."""

    _ids = itertools.count(1)

    def __init__(self, url, db, login, password, timeout=60.0):
        self.url = url.rstrip("/")
        self.db = db
        self.login = login
        self.password = password
        self.timeout = timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.uid = None

    def _post(self, path, params):
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(self._ids)}
        ).encode()
        request = urllib.request.Request(
            self.url + path, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as error:
            raise TransportError(f"HTTP {error.code} on {path}") from error
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error
        if status != 200:
            raise TransportError(f"HTTP {status} on {path}")
        answer = json.loads(data)
        if "error" in answer:
            error = answer["error"].get("data") or {}
            raise RpcError(
                error.get("name", "unknown"),
                error.get("message", answer["error"].get("message", "")),
                error.get("debug", ""),
            )
        return answer.get("result")

    def authenticate(self):
        result = self._post(
            "/web/session/authenticate",
            {"db": self.db, "login": self.login, "password": self.password},
        )
        self.uid = result["uid"]
        return self

    def call(self, model, method, *args, **kwargs):
        if self.uid is None:
            self.authenticate()
        try:
            return self._post(
                "/web/dataset/call_kw",
                {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            )
        except RpcError as error:
            if "SessionExpired" in error.name:
                self.uid = None
            raise

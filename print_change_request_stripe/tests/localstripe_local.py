"""Run localstripe (a fake Stripe, from scratch) on 127.0.0.1 only.

``python -m localstripe --port P`` listens on every interface (``::``); this starts the same
aiohttp application on one IPv4 socket of 127.0.0.1.  Usage: ``python localstripe_local.py P``
(the tests, the load harness and ``make run`` use it).
"""

import socket
import sys

from aiohttp import web
from localstripe.server import app

port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", port))
web.run_app(app, sock=sock, access_log=None, print=None)

"""Child processes of the load harness: localstripe, Odoo servers, odoo shell scripts.

Every process is started in its own session (process group) and registered, so that
:func:`stop_all` can end each one and its children (Odoo's workers) on any exit.
"""

import os
import random
import signal
import socket
import subprocess
import time
import urllib.request

HOST = "127.0.0.1"
_started = []


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as ranges:
            low, high = (int(value) for value in ranges.read().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return low, high


def free_port():
    """A TCP port free on 127.0.0.1 now, below the kernel's ephemeral range.

    A port the kernel hands out with ``bind(0)`` comes from the ephemeral range, the one
    it also gives to outgoing connections: between picking it and the server binding it,
    one of Odoo's connections to PostgreSQL may take it, and the server (or Odoo's gevent
    process, respawned again and again) cannot listen.  Ports below that range are handed
    to no connection, so only another listener could take one."""
    low, _high = _ephemeral_range()
    first, last = max(1024, low - 12000), low - 1
    for _attempt in range(200):
        port = random.randint(first, last)
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free TCP port between {first} and {last} on {HOST}")


def start(command, log_path, env=None, stdin=subprocess.DEVNULL):
    """Start ``command`` in its own process group, output to ``log_path``."""
    log = open(log_path, "ab")
    process = subprocess.Popen(
        command,
        stdin=stdin,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    _started.append((process, log))
    return process


def stop(process, grace=10.0):
    """SIGTERM the process group, then SIGKILL what is left after ``grace`` seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:  # workers may outlive their master for a moment
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def stop_all():
    while _started:
        process, log = _started.pop()
        stop(process)
        log.close()


def run(command, log_path, env=None, input_text=None, timeout=900):
    """Run ``command`` to its end (bounded by ``timeout``); return its exit code."""
    process = start(command, log_path, env=env, stdin=subprocess.PIPE)
    try:
        process.communicate(input=input_text.encode() if input_text else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process)
        return -1
    return process.returncode


def wait_port(port, timeout, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def wait_http(url, timeout, process=None):
    """Wait until ``url`` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def worker_children(master_pid):
    """The pids of an Odoo prefork master's workers (HTTP and cron), not its gevent process."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != master_pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                arguments = handle.read().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if b"gevent" in arguments:  # the gevent process runs `odoo gevent ...`
            continue
        pids.append(int(entry))
    return pids


if __name__ == "__main__":  # scripts/common.sh: free_port
    print(free_port())

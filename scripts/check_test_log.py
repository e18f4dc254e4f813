#!/usr/bin/env python3
"""Judge an Odoo test run from its log.

Odoo exits 0 in cases a CI must treat as failures: a browser tour skipped because Chromium or
websocket-client is missing, an error logged outside a test, or no test run at all.  This reads
the log of ``odoo --test-enable --stop-after-init`` and fails (exit 1) when:

- Odoo's own summary ("N failed, N error(s) of N tests") is missing or counts a failure;
- any line is logged at ERROR or CRITICAL level;
- any test was skipped (a skipped tour proves nothing);
- fewer than ``--min-tests`` tests ran.

It prints the offending lines and, last, one line ``N passed, N failed, N skipped``.
"""

import argparse
import re
import sys

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): "
    r"(?P<message>.*)$"
)
SUMMARY = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
SKIPPED = re.compile(r"^skipped (?P<test>\S+)")


def judge(lines, min_tests=1):
    """Return (passed, failed, skipped, problems) for the log ``lines``."""
    problems = []
    summary = None
    skipped = []
    for number, line in enumerate(lines, 1):
        match = LOG_LINE.match(line.rstrip("\n"))
        if not match:
            continue
        level, message = match["level"], match["message"]
        if level in ("ERROR", "CRITICAL"):
            problems.append(f"line {number}: {level} {match['logger']}: {message[:300]}")
        found = SUMMARY.search(message)
        if found:
            summary = found
        skip = SKIPPED.match(message)
        if skip:
            skipped.append(message)
    if summary is None:
        problems.append("Odoo printed no test summary: the tests did not run to the end.")
        return 0, 0, len(skipped), problems
    run = int(summary["run"])
    failed = int(summary["failed"]) + int(summary["errors"])
    for message in skipped:
        problems.append(f"a test was skipped, which CI does not accept: {message[:300]}")
    if run < min_tests:
        problems.append(f"only {run} test(s) ran; at least {min_tests} expected.")
    passed = max(run - failed - len(skipped), 0)
    return passed, failed, len(skipped), problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("log", help="the Odoo log file to judge")
    parser.add_argument("--min-tests", type=int, default=1)
    args = parser.parse_args(argv)
    with open(args.log, encoding="utf-8", errors="replace") as handle:
        passed, failed, skipped, problems = judge(handle, args.min_tests)
    for problem in problems:
        print(f"- {problem}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if problems or failed else 0


if __name__ == "__main__":
    sys.exit(main())

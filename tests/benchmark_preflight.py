#!/usr/bin/env python3
"""Benchmark: how long the preflight of one file takes, on files this script makes itself.

Not a test, and no database: it loads the addon's plain ``lib/preflight.py`` and the sample
makers of ``tests/preflight_samples.py`` (reportlab and Pillow, which come with Odoo) and
times, for each file, the check as Odoo runs it (``scan_file_isolated`` then
``apply_ticket``: a child Python process with memory and time limits; cache off) and the
bare check in this process (``check_file``).  Times are the median of ``--repeat`` runs;
the child's start-up is shown too (an empty file), so the check's own share can be read as
a difference.

Files:

- ``pdf-<N>p``: a PDF of ``--pages`` A4 pages of text and a placed photo each (a brochure);
- ``jpeg-<M>MB`` / ``png-<M>MB``: a photo of about ``--image-mb`` MB (noise compresses badly,
  so the size is reached with realistic pixel counts);
- ``bomb``: a one-page PDF whose content inflates to 200 MB (refused at pypdf's 75 MB);
- ``indexed-chain``: a one-page PDF of about 64 KB whose Flate-compressed content sets a color
  ``--hostile-ops`` times (``sc``/``scn``) in a chain of /Indexed color spaces (issue 13): run
  once, in the child process only, with ``--hostile-timeout`` seconds (the time it took is
  shown, or that it ran out of time).  ``--lib`` times another ``preflight.py`` (e.g. an older
  one: ``git show <commit>:print_change_request/lib/preflight.py > /tmp/old.py``).

The script exits with status 1 when a file named in the issue (the PDF and the two images)
takes longer than ``--budget`` seconds.

Example::

    python3 tests/benchmark_preflight.py --pages 200 --image-mb 50
"""

import argparse
import importlib.util
import io
import random
import statistics
import sys
import time
from pathlib import Path

from PIL import Image

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDON = REPO_ROOT / "print_change_request"


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Exit status 1 when the PDF or an image takes longer than --budget seconds.",
    )
    parser.add_argument("--pages", type=int, default=200, help="pages of the PDF (200)")
    parser.add_argument("--image-mb", type=float, default=50, help="size of the images (50)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file, median (3)")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds allowed (2.0)")
    parser.add_argument("--min-dpi", type=int, default=150)
    parser.add_argument(
        "--hostile-ops", type=int, default=6_000_000, help="color operators (6,000,000; 0: skip)"
    )
    parser.add_argument(
        "--hostile-timeout", type=float, default=300, help="seconds for that file (300)"
    )
    parser.add_argument("--lib", type=Path, default=ADDON / "lib" / "preflight.py")
    return parser.parse_args(argv)


def noise_image(megabytes, fmt):
    """A photo-like image of about ``megabytes`` MB: random noise, which does not compress."""
    # JPEG at quality 95 keeps about 1.1 bytes per RGB pixel of noise, PNG about 3.
    per_pixel = 1.1 if fmt == "JPEG" else 3.0
    pixels = megabytes * 1024 * 1024 / per_pixel
    width = int((pixels * 297 / 210) ** 0.5)
    height = int(pixels / width)
    picture = Image.frombytes("RGB", (width, height), _noise(width * height * 3))
    buffer = io.BytesIO()
    options = {"quality": 95} if fmt == "JPEG" else {"compress_level": 1}
    picture.save(buffer, fmt, dpi=(300, 300), **options)
    return buffer.getvalue(), (width, height)


def _noise(size):
    return random.Random(8).randbytes(size)


def timed(function, repeat):
    runs = []
    result = None
    for _index in range(repeat):
        started = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main(argv=None):
    args = parse_args(argv)
    preflight = load("pcr_preflight", args.lib)
    samples = load("pcr_preflight_samples", ADDON / "tests" / "preflight_samples.py")
    ticket = preflight.PrintSpec(width_mm=210, height_mm=297, min_dpi=args.min_dpi)

    print("Making the files...", flush=True)
    files = [("empty (child start-up)", "empty.pdf", b"", False)]
    files.append((f"pdf-{args.pages}p", "brochure.pdf", samples.many_pages_pdf(args.pages), True))
    for fmt, ext in (("JPEG", "jpg"), ("PNG", "png")):
        data, size = noise_image(args.image_mb, fmt)
        label = f"{fmt.lower()}-{len(data) / 1048576:.0f}MB ({size[0]}x{size[1]} px)"
        files.append((label, f"photo.{ext}", data, True))
    files.append(("bomb (200 MB inflated)", "bomb.pdf", samples.bomb_pdf(), False))
    if args.hostile_ops:
        data = samples.indexed_color_chain_pdf(args.hostile_ops)
        files.append((f"indexed-chain ({args.hostile_ops:,} ops)", "chain.pdf", data, None))

    print(
        f"{'file':34} {'size':>9} {'isolated s':>11} {'in-process s':>13} {'ratio':>6}  findings"
    )
    over = []
    base = None
    for label, name, data, budgeted in files:
        if budgeted is None:  # the hostile file: once, with its own time limit
            started = time.perf_counter()
            report = preflight.apply_ticket(
                preflight.scan_file_isolated(
                    name, data, timeout=args.hostile_timeout, cache=False
                ),
                ticket,
            )
            isolated = time.perf_counter() - started
            print(
                f"{label:34} {len(data) / 1048576:8.2f}M {isolated:11.3f} {'-':>13} "
                f"{isolated / base:6.1f}  "
                f"{'TIMED OUT' if report.timed_out else ','.join(report.codes) or 'none'}",
                flush=True,
            )
            continue
        isolated, report = timed(
            lambda n=name, d=data: preflight.apply_ticket(
                preflight.scan_file_isolated(n, d, cache=False), ticket
            ),
            args.repeat,
        )
        inline, _report = timed(
            lambda n=name, d=data: preflight.check_file(n, d, ticket), args.repeat
        )
        base = base or isolated
        print(
            f"{label:34} {len(data) / 1048576:8.1f}M {isolated:11.3f} {inline:13.3f} "
            f"{isolated / base:6.1f}  {','.join(report.codes) or 'none'}"
            f"{f' (pages {report.page_count})' if report.page_count else ''}",
            flush=True,
        )
        if budgeted and isolated > args.budget:
            over.append(label)
    if over:
        print(f"Over the {args.budget:g} s budget: {', '.join(over)}")
        return 1
    print(f"All files within {args.budget:g} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

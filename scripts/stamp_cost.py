"""CPU seconds of each step of the received-stamp path on generated first pages (issue 16).

Each page of ``scripts/eval_stamps.py`` (same seeds and styles) goes through ``extract_text``; the stamp steps of
``sohoa.extractors.stamps`` are timed in process time (Tesseract runs in this process), nested: ``stamps_on_page``
holds the rest; ``read_stamp`` holds ``read_rows``, which holds ``_read_row`` (the row bands' Tesseract runs).

Usage: ``PYTHONPATH=. nice -n 10 .venv/bin/python scripts/stamp_cost.py [--style real] [--seed0 0] [--pages 8]
[--modes 1]``
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from scripts.eval_stamps import MODES, make_page
from sohoa.extractors import stamps
from sohoa.extractors.text import TextOptions, extract_text

STEPS = (
    "stamps_on_page", "find_stamps", "find_layer_stamps", "_read_best", "read_stamp", "read_rows", "_read_row",
    "reread_line", "reread_print_row", "read_print_line", "_read_bilevel", "reread_print_baseline",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--style", default="wide", choices=("wide", "real"))
    parser.add_argument("--seed0", type=int, default=0)
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--modes", default=",".join(MODES), help="only the pages of these modes, e.g. 1")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    cost: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)

    def timed(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        def run(*a: Any, **k: Any) -> Any:
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                cost[name] += time.process_time() - t
                calls[name] += 1

        return run

    for name in STEPS:
        if hasattr(stamps, name):  # an older checkout may lack a step
            setattr(stamps, name, timed(name, getattr(stamps, name)))
    total, n = 0.0, 0
    for i in range(args.pages):
        if MODES[(i // 2) % len(MODES)] not in args.modes.split(","):
            continue
        made = make_page(i, args.seed0, args.style)
        if made is None:
            continue
        t = time.process_time()
        extract_text(made[0], TextOptions(workers=1))
        total += time.process_time() - t
        n += 1
    if not n:
        return 1
    print(f"{n} pages, {args.style}, seeds {args.seed0}-{args.seed0 + args.pages - 1}")
    print(f"extract_text      {total / n:6.3f} CPU s a page")
    for name in sorted(cost, key=lambda k: -cost[k]):
        print(f"  {name:16s} {cost[name] / n:6.3f} CPU s a page ({calls[name]} calls)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

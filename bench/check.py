"""Check the targets in ``bench/results.json`` (``make bench-check``): exit 1 when the file is
missing or malformed, or when any target is not met.

A target's ``value`` must be at most its ``limit``; with ``"direction": "min"`` at least. The
check decides from value and limit; a ``met`` flag that disagrees is itself a failure.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def within(target: dict) -> bool:
    direction = target.get("direction", "max")
    if direction not in ("max", "min"):
        raise ValueError(f"unknown direction {direction!r}")
    value, limit = float(target["value"]), float(target["limit"])
    return value >= limit if direction == "min" else value <= limit


def main(path: Path = RESULTS) -> int:
    out = sys.stdout.write
    if not path.exists():
        out(f"bench-check: {path.name} not found; run `make bench` first.\n")
        return 1
    try:
        targets = json.loads(path.read_text())["targets"]
    except (ValueError, KeyError, TypeError) as exc:
        out(f"bench-check: {path.name} is not a results file ({exc}).\n")
        return 1
    if not targets:
        out("bench-check: no targets measured.\n")
        return 1
    failed = 0
    for target in targets:
        try:
            met = within(target)
        except (KeyError, TypeError, ValueError) as exc:
            out(f"bench-check: malformed target {target!r} ({exc}).\n")
            return 1
        if met != bool(target.get("met")):
            out(f"bench-check: {target['name']}: its met flag disagrees with value and limit.\n")
            met = False
        failed += not met
        bound = ">=" if target.get("direction") == "min" else "<="
        out(
            f"{'ok  ' if met else 'FAIL'} {target['name']}: {target['value']} {target['unit']}"
            f" (limit {bound} {target['limit']} {target['unit']})\n"
        )
    out(f"bench-check: {len(targets) - failed} of {len(targets)} targets met.\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

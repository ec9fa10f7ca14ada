#!/usr/bin/env python
"""Compile locale/*/LC_MESSAGES/*.po to .mo without GNU gettext (pure Python, polib)."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    compiled = 0
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        compiled += 1
    sys.stdout.write(f"compiled {compiled} message catalogue(s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

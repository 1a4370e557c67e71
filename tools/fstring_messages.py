"""Messages inside f-strings, which Babel's extractor cannot see on Python 3.11.

``f"<b>{esc(t._('Grant programmes'))}</b>"`` is one STRING token before Python 3.12, so
``pybabel extract`` misses the msgid. ``make messages`` runs this to append such msgids to
``locales/messages.pot``; tests/test_i18n.py uses :func:`find` so none goes untranslated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

CALL = re.compile(r"""\b_\(\s*(['"])((?:\\.|(?!\1).)+)\1\s*[,)]""")
FSTRING = re.compile(r"""\bf(['"]).*\b_\(""")


def find(root: Path) -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (root / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if FSTRING.search(line):
                    for match in CALL.finditer(line):
                        found.add(match.group(2))
    return found


def main(pot_path: str) -> None:
    root = Path(__file__).resolve().parent.parent
    with open(pot_path, "rb") as fh:
        pot: Catalog = read_po(fh)
    for message in sorted(find(root)):
        if message not in pot:
            pot.add(message)
    with open(pot_path, "wb") as fh:
        write_po(fh, pot, width=100, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main(sys.argv[1])

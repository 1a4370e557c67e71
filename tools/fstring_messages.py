"""Messages inside f-strings, which Babel's extractor cannot see on Python 3.11.

``f"<b>{esc(t._('Grant programmes'))}</b>"`` is one STRING token before Python 3.12, so
``pybabel extract`` misses the msgid. ``make messages`` runs this to append such msgids to
``locales/messages.pot``; tests/test_i18n.py uses :func:`find` so none goes untranslated.

Messages are ``(context, msgid)`` pairs: ``t.p_("ballot", "Yes")`` has the gettext context
(``msgctxt``) "ballot", a plain ``t._("Yes")`` has none.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

# The gettext keywords of bot/core/i18n.py, as Babel's extractor takes them (the Makefile's
# `messages` target passes the same ones with -k).
KEYWORDS: dict[str, tuple[object, ...] | None] = {
    "_": None,
    "N_": None,
    "n_": (1, 2),
    "p_": ((1, "c"), 2),
    "np_": ((1, "c"), 2, 3),
    "Np_": ((1, "c"), 2),
}

_STR = r"""(['"])((?:\\.|(?!{q}).)+){q}"""
CALL = re.compile(r"\b_\(\s*" + _STR.format(q=r"\1") + r"\s*[,)]")
CONTEXT_CALL = re.compile(
    r"\b(?:n?p_|Np_)\(\s*" + _STR.format(q=r"\1") + r"\s*,\s*" + _STR.format(q=r"\3") + r"\s*[,)]"
)
FSTRING = re.compile(r"""\bf(['"]).*\b(?:_|n?p_|Np_)\(""")


def find(root: Path) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for folder in ("bot", "handlers"):
        for path in (root / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if FSTRING.search(line):
                    for match in CALL.finditer(line):
                        found.add((None, match.group(2)))
                    for match in CONTEXT_CALL.finditer(line):
                        found.add((match.group(2), match.group(4)))
    return found


def main(pot_path: str) -> None:
    root = Path(__file__).resolve().parent.parent
    with open(pot_path, "rb") as fh:
        pot: Catalog = read_po(fh)
    for context, message in sorted(find(root), key=lambda m: (m[0] or "", m[1])):
        if pot.get(message, context=context) is None:
            pot.add(message, context=context)
    with open(pot_path, "wb") as fh:
        write_po(fh, pot, width=100, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main(sys.argv[1])

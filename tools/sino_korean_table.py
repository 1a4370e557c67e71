"""Write bot/qa/data/sino_korean.txt: each Han character's Sino-Korean reading (한자음).

Chinese and Japanese share most of their content words with Korean through Han
characters: 住民自治会 is 주민자치회, 言語交換 언어교환, 共同育児 공동육아. The Q&A engine reads
the Han words of a Chinese or Japanese question this way and keeps the readings the KB uses
(bot/qa/sino.py).

Source: the Unicode Han Database (Unihan), field ``kHangul``, as Debian's ``unicode-data``
package ships it (``apt-get install unicode-data``: /usr/share/unicode/Unihan_*.txt.bz2).
Unicode's data files are free to copy and modify under the Unicode licence
(https://www.unicode.org/copyright.html); the table's header says where it came from.

Why a table of our own rather than a package: PyPI's ``hanja`` (the table most Korean
tools use) pins ``PyYAML==6.0.1`` and requires pytest and coveralls at run time, which
would downgrade this project's PyYAML and install test tools in production; Unihan is the
data such tables are made from. A simplified Chinese character gets the reading of its
traditional form (kTraditionalVariant); a character Unihan gives no reading gets that of a
variant it names (kSemanticVariant, kZVariant). Japanese shinjitai (図, 発, 営), which Unihan
mostly does not link, are turned into traditional characters by OpenCC at run time
(bot/qa/sino.py).

Run: ``python tools/sino_korean_table.py [UNIHAN_DIR]`` (default /usr/share/unicode).
"""

from __future__ import annotations

import bz2
import sys
from collections.abc import Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "qa" / "data" / "sino_korean.txt"
VARIANT_FIELDS = ("kTraditionalVariant", "kSemanticVariant", "kZVariant")


def _rows(path: Path) -> Iterator[tuple[str, str, str]]:
    with bz2.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("U+"):
                code, field, value = line.rstrip("\n").split("\t")
                yield chr(int(code[2:], 16)), field, value


def _char(code: str) -> str:
    return chr(int(code.split("<")[0][2:], 16))  # "U+9AD4<kMatthews" → 體


def readings(value: str) -> str:
    """The readings, as one string: those taught in schools (source E) first, then those of
    KS X 1001 (0), then the rest — ``"낙:0 락:0E 악:0N 요:0N"`` (樂) → 락낙악요: 쾌락, 오락 and 음악
    all need one. The first is the character's usual reading."""
    items = [item.split(":") for item in value.split()]
    ranked = sorted(items, key=lambda i: (0 if "E" in i[1] else 1 if "0" in i[1] else 2))
    return "".join(dict.fromkeys(syllable for syllable, _ in ranked))


def standard(value: str) -> bool:
    """Is the character one of Korean's own (taught in schools, E, or in KS X 1001, 0)?"""
    return any(set(sources) & {"E", "0"} for _, sources in (i.split(":") for i in value.split()))


def build(unihan: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    korean: set[str] = set()
    for ch, field, value in _rows(unihan / "Unihan_Readings.txt.bz2"):
        if field == "kHangul":
            table[ch] = readings(value)
            if standard(value):
                korean.add(ch)
    variants: dict[str, list[str]] = {}
    traditional: dict[str, list[str]] = {}
    for ch, field, value in _rows(unihan / "Unihan_Variants.txt.bz2"):
        if field in VARIANT_FIELDS:
            variants.setdefault(ch, []).extend(_char(code) for code in value.split())
        if field == "kTraditionalVariant":
            traditional[ch] = [_char(code) for code in value.split()]
    # a simplified character reads as its traditional one: 语 is 語 (어); so does one that
    # stands for itself too but is no character of Korean's own: 体 is 體 (체; by itself, a
    # rare character, 분), 医 is 醫 (의), and 画 is 畫 (화) before its own 획 (計画 계획); one of
    # Korean's own keeps its readings (台 대, 后 후)
    for ch, others in traditional.items():
        found = "".join(table.get(o, "") for o in others if o != ch)
        if found and (ch not in others or ch not in korean):  # (its own readings after)
            table[ch] = "".join(dict.fromkeys(found + table.get(ch, "")))
    for ch, others in variants.items():
        if ch not in table:
            found = "".join(table.get(o, "") for o in others)
            if found:
                table[ch] = "".join(dict.fromkeys(found))
    return table


def main() -> int:
    unihan = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode")
    table = build(unihan)
    body = "".join(f"{ch}{table[ch]}\n" for ch in sorted(table))
    OUT.write_text(
        "# Sino-Korean readings of Han characters: a character and its readings a line, the\n"
        "# usual reading first (樂락낙악요).\n"
        "# Made by tools/sino_korean_table.py from the Unicode Han Database (kHangul, with\n"
        "# variants); Unicode data, https://www.unicode.org/copyright.html\n" + body,
        encoding="utf-8",
    )
    print(f"{len(table)} characters → {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

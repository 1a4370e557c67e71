"""Telegram text formatting, reproduced closely enough to catch markup bugs locally.

This module turns what a bot sends (``text`` + ``parse_mode`` or explicit ``entities``)
into what Telegram stores and returns: a plain ``text`` plus a sorted list of
``MessageEntity`` dicts whose ``offset``/``length`` are counted in UTF-16 code units.

The parsers are ports of TDLib's (``td/telegram/MessageEntity.cpp``), which is what the
Bot API server runs, including its error texts:

* ``HTML`` — ``b/strong``, ``i/em``, ``u/ins``, ``s/strike/del``,
  ``span class="tg-spoiler"``, ``tg-spoiler``, ``a href``, ``code``,
  ``pre`` (optionally wrapping ``code class="language-x"``), ``blockquote``
  (+ ``expandable``) and ``tg-emoji emoji-id``; character references ``&lt; &gt; &amp;
  &quot;`` and numeric ones.  Unknown tags, unclosed or mismatched tags and a bare
  ``<`` are errors, exactly as on Telegram.
* ``MarkdownV2`` — implemented (bold, italic, underline, strikethrough, spoiler, code,
  pre, links, custom emoji, ``>`` block quotes; *not* the newer ``**>`` expandable quote).
  Unescaped reserved characters are errors, exactly as on Telegram.
* ``Markdown`` (legacy) — implemented.

One deliberate difference, on by default (``strict=True``): real Telegram shows a bare
``&`` (or an unknown ``&name;``) literally, which hides missing ``html.escape`` calls until
a user types ``&lt;b&gt;``.  In strict mode such an ``&`` is a parse error.

After parsing, :func:`normalize` applies Telegram's clean-up (control characters become
spaces, ``\\r`` is dropped, leading/trailing spaces and newlines are trimmed, entities that
cover only whitespace disappear) and adds the entities Telegram detects by itself
(``bot_command``, ``mention``, ``hashtag``, ``cashtag``, ``email`` and a simplified ``url``
detector).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "EntityParseError",
    "FormattedText",
    "find_entities",
    "format_text",
    "parse_entities_param",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

JSON = dict[str, Any]


class EntityParseError(ValueError):
    """A parse-mode or entity error; ``str(exc)`` is TDLib's message (without prefix)."""


@dataclass
class _Ent:
    """An entity during processing: ``start``/``end`` are code-point indices."""

    type: str
    start: int
    end: int
    extra: JSON = field(default_factory=dict)

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class FormattedText:
    """Result of :func:`format_text`: final text and Bot API entity dicts (UTF-16)."""

    text: str
    entities: list[JSON]


# TDLib's MessageEntity::get_type_priority, keyed by Bot API type names.
_PRIORITY: dict[str, int] = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "mention": 50,
    "hashtag": 50,
    "cashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "phone_number": 50,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SPLITTABLE = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
_BLOCKQUOTES = frozenset({"blockquote", "expandable_blockquote"})
_HIDDEN_DATA = frozenset({"text_link", "text_mention", "custom_emoji"})
KNOWN_ENTITY_TYPES = frozenset(_PRIORITY)

# TDLib type names used in MarkdownV2 error messages.
_TD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}


def _sort_key(e: _Ent) -> tuple[int, int, int]:
    prio = _PRIORITY.get(e.type, 50)
    if e.type == "pre" and e.extra.get("language"):
        prio = 10
    return (e.start, -e.length, prio)


def _sort(entities: list[_Ent]) -> None:
    entities.sort(key=_sort_key)


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units (how Telegram measures offsets)."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _char_at(t: str, k: int) -> str:
    """The character at ``k``, or ``""`` past the end (TDLib reads a terminating NUL there);
    each parser binds it to its text as ``ch``."""
    return t[k] if k < len(t) else ""


def _is_space(c: str) -> bool:
    # td::is_space; "" stands for TDLib's terminating NUL.
    return c in (" ", "\t", "\r", "\n", "\v", "\f", "\0", "")


def _pre_language(t: str, i: int) -> tuple[str, int]:
    """After an opening ```` ``` ```` (``i`` just past it): the language named there (``""``
    when none) and where the code starts, past the name and one line break (``\r\n`` or
    ``\n\r`` count as one), as both Markdown parsers of TDLib read it."""
    n = len(t)
    ch = partial(_char_at, t)

    language = ""
    lang_end = i
    while not _is_space(ch(lang_end)) and ch(lang_end) != "`":
        lang_end += 1
    if i != lang_end and lang_end < n and t[lang_end] != "`":
        language = t[i:lang_end]
        i = lang_end
    if ch(i) in ("\n", "\r"):
        if ch(i + 1) in ("\n", "\r") and ch(i) != ch(i + 1):
            i += 2
        else:
            i += 1
    return language, i


def _until_paren(t: str, i: int) -> tuple[str, int]:
    """MarkdownV2: the text from ``i`` up to the next unescaped ``)``, its backslash escapes
    resolved, and the index of that ``)`` (``len(t)`` when there is none)."""
    n = len(t)
    buf: list[str] = []
    while i < n and t[i] != ")":
        if t[i] == "\\" and i + 1 < n and 0 < ord(t[i + 1]) <= 126:
            buf.append(t[i + 1])
            i += 2
            continue
        buf.append(t[i])
        i += 1
    return "".join(buf), i


def _is_word_char(c: str) -> bool:
    if not c:
        return False
    if c == "_":
        return True
    cat = unicodedata.category(c)
    return cat[0] == "L" or cat[0] == "N"


# --------------------------------------------------------------------------- links


def check_link(url: str) -> str | None:
    """Approximation of ``LinkManager::get_checked_link``: normalised URL or ``None``."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    lower = url.lower()
    if lower.startswith(("tg:", "ton:")):
        return url
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "ftp"):
        return None
    host = parts.hostname or ""
    if not host or ("." not in host and host != "localhost"):
        return None
    if host.startswith(".") or host.endswith(".") or ".." in host:
        return None
    if not parts.path and not parts.query and not parts.fragment:
        url += "/"
    return url


_TG_USER_RE = re.compile(r"tg://user\?id=(\d{1,19})$", re.IGNORECASE)


def _link_entity(start: int, end: int, url: str) -> _Ent | None:
    m = _TG_USER_RE.match(url.strip())
    if m:
        return _Ent("text_mention", start, end, {"user": {"id": int(m.group(1))}})
    checked = check_link(url)
    if checked is None:
        return None
    return _Ent("text_link", start, end, {"url": checked})


# --------------------------------------------------------------------------- HTML


def _decode_html_entity(t: str, pos: int) -> tuple[int, int, bool]:
    """TDLib ``decode_html_entity``: (code point or 0, new position, had ';')."""
    n = len(t)
    end = pos + 1
    res = 0
    if end < n and t[end] == "#":
        end += 1
        if end < n and t[end] == "x":
            end += 1
            while end < n and t[end] in "0123456789abcdefABCDEF":
                res = res * 16 + int(t[end], 16)
                end += 1
                if res >= 0x10FFFF:
                    break
        else:
            while end < n and "0" <= t[end] <= "9":
                res = res * 10 + (ord(t[end]) - 48)
                end += 1
                if res >= 0x10FFFF:
                    break
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos, False
    else:
        while end < n and t[end].isascii() and t[end].isalpha():
            end += 1
        name = t[pos + 1 : end]
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name)
        if named is None:
            return 0, pos, False
        res = ord(named)
    if end < n and t[end] == ";":
        return res, end + 1, True
    return res, end, False


_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_HTML_SIMPLE = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _inner_twin(entities: list[_Ent], kind: str, start: int, end: int) -> _Ent | None:
    """The entity closed just before, when it is a ``kind`` over exactly ``start``..``end``:
    the inner tag of ``<pre><code>`` (or ``<code><pre>``), which the outer one merges with."""
    last = entities[-1] if entities else None
    if last is not None and last.type == kind and (last.start, last.end) == (start, end):
        return last
    return None


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[_Ent]]:
    """Parse Telegram HTML. Returns plain text and code-point entities.

    Raises :class:`EntityParseError` with TDLib's wording.
    """
    t = text
    n = len(t)
    ch = partial(_char_at, t)

    def err(msg: str) -> EntityParseError:
        return EntityParseError(msg)

    out: list[str] = []
    entities: list[_Ent] = []
    # (tag name, argument, start offset, expandable)
    stack: list[tuple[str, str, int, bool]] = []
    bad_surrogate = False
    i = 0
    while i < n:
        c = t[i]
        if c == "&":
            code, new_pos, had_semicolon = _decode_html_entity(t, i)
            if code:
                if strict and not had_semicolon:
                    raise err(
                        f"Character reference at byte offset {_byte_offset(t, i)} is not "
                        "terminated by ';' (emulator strict mode; Telegram would accept it)"
                    )
                if 0xD800 <= code <= 0xDFFF:
                    bad_surrogate = True
                out.append(chr(code))
                i = new_pos
                continue
            if strict:
                raise err(
                    f"Unescaped '&' at byte offset {_byte_offset(t, i)}; write it as &amp; "
                    "(emulator strict mode: real Telegram would show it literally)"
                )
        if c != "<":
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if ch(i) != "/":
            while not _is_space(ch(i)) and ch(i) != ">":
                i += 1
            if i >= n:
                raise err(f"Unclosed start tag at byte offset {_byte_offset(t, begin)}")
            tag = t[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise err(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(t, begin)}')
            argument = ""
            expandable = False
            while ch(i) != ">":
                while i < n and _is_space(t[i]):
                    i += 1
                if ch(i) == ">":
                    break
                attr_begin = i
                while not _is_space(ch(i)) and ch(i) not in ("=", ">"):
                    i += 1
                attr_name = t[attr_begin:i]
                if not attr_name:
                    raise err(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{_byte_offset(t, begin)}"
                    )
                while i < n and _is_space(t[i]):
                    i += 1
                if ch(i) != "=":
                    if tag == "blockquote" and attr_name.lower() == "expandable":
                        expandable = True
                        if i >= n:
                            raise err(f"Unclosed start tag at byte offset {_byte_offset(t, begin)}")
                        continue
                    raise err(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {_byte_offset(t, begin)}'
                    )
                i += 1
                while i < n and _is_space(t[i]):
                    i += 1
                if i >= n:
                    raise err(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(t, begin)}')
                value: str
                if t[i] not in ("'", '"'):
                    token_begin = i
                    while i < n and ((t[i].isascii() and t[i].isalnum()) or t[i] in ".-"):
                        i += 1
                    value = t[token_begin:i].lower()
                    if not _is_space(ch(i)) and ch(i) != ">":
                        raise err(
                            "Unexpected end of name token at byte offset "
                            f"{_byte_offset(t, token_begin)}"
                        )
                else:
                    quote = t[i]
                    i += 1
                    buf: list[str] = []
                    while i < n and t[i] != quote:
                        if t[i] == "&":
                            code, new_pos, _semi = _decode_html_entity(t, i)
                            if code:
                                buf.append(chr(code))
                                i = new_pos
                                continue
                        buf.append(t[i])
                        i += 1
                    if ch(i) == quote:
                        i += 1
                    value = "".join(buf)
                if i >= n:
                    raise err(f"Unclosed start tag at byte offset {_byte_offset(t, begin)}")
                name = attr_name.lower()
                if tag == "a" and name == "href":
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise err(
                    'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(t, begin)}"
                )
            stack.append((tag, argument, len(out), expandable))
            i += 1  # skip '>'
            continue

        # end tag
        if not stack:
            raise err(f"Unexpected end tag at byte offset {_byte_offset(t, begin)}")
        while not _is_space(ch(i)) and ch(i) != ">":
            i += 1
        end_name = t[begin + 2 : i].lower()
        while i < n and _is_space(t[i]):
            i += 1
        if ch(i) != ">":
            raise err(f"Unclosed end tag at byte offset {_byte_offset(t, begin)}")
        i += 1
        tag, argument, start, expandable = stack[-1]
        if end_name and end_name != tag:
            raise err(
                f"Unmatched end tag at byte offset {_byte_offset(t, begin)}, "
                f'expected "</{tag}>", found "</{end_name}>"'
            )
        stack.pop()
        end = len(out)
        if end <= start:
            continue
        if tag in _HTML_SIMPLE:
            entities.append(_Ent(_HTML_SIMPLE[tag], start, end))
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise err("Invalid custom emoji identifier specified")
            entities.append(_Ent("custom_emoji", start, end, {"custom_emoji_id": argument}))
        elif tag == "a":
            url = argument or "".join(out[start:end])
            link = _link_entity(start, end, url)
            if link is not None:
                entities.append(link)
        elif tag == "pre":
            inner = _inner_twin(entities, "code", start, end)
            if inner is not None and inner.extra.get("language"):
                inner.type = "pre"
            else:
                entities.append(_Ent("pre", start, end))
        elif tag == "code":
            inner = _inner_twin(entities, "pre", start, end)
            if inner is not None and argument:
                inner.extra["language"] = argument
            else:
                entities.append(_Ent("code", start, end, {"language": argument}))
        elif tag == "blockquote":
            kind = "expandable_blockquote" if expandable else "blockquote"
            entities.append(_Ent(kind, start, end))
    if stack:
        raise err(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for e in entities:
        if e.type == "code":
            e.extra.pop("language", None)
    if bad_surrogate:
        raise err(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    _sort(entities)
    return "".join(out), entities


# --------------------------------------------------------------------------- Markdown


def parse_markdown(text: str) -> tuple[str, list[_Ent]]:
    """Legacy ``Markdown`` parse mode (TDLib ``parse_markdown``)."""
    t = text
    n = len(t)
    ch = partial(_char_at, t)

    out: list[str] = []
    entities: list[_Ent] = []
    i = 0
    while i < n:
        c = t[i]
        if c == "\\" and ch(i + 1) in ("_", "*", "`", "["):
            out.append(t[i + 1])
            i += 2
            continue
        if c not in ("_", "*", "`", "["):
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and ch(i) == "`" and ch(i + 1) == "`":
            is_pre = True
            language, i = _pre_language(t, i + 2)
        start = len(out)
        while i < n and (
            t[i] != end_char or (is_pre and not (ch(i + 1) == "`" and ch(i + 2) == "`"))
        ):
            out.append(t[i])
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(t, begin)}"
            )
        end = len(out)
        if c == "[":
            url: str
            if ch(i + 1) != "(":
                url = t[begin + 1 : i]
            else:
                i += 2
                buf: list[str] = []
                while i < n and t[i] != ")":
                    buf.append(t[i])
                    i += 1
                url = "".join(buf)
            if end > start:
                link = _link_entity(start, end, url)
                if link is not None:
                    entities.append(link)
        elif end > start:
            if c == "_":
                entities.append(_Ent("italic", start, end))
            elif c == "*":
                entities.append(_Ent("bold", start, end))
            elif is_pre:
                extra: JSON = {"language": language} if language else {}
                entities.append(_Ent("pre", start, end, extra))
            else:
                entities.append(_Ent("code", start, end))
        if is_pre:
            i += 2
        i += 1
    _sort(entities)
    return "".join(out), entities


def parse_markdown_v2(text: str) -> tuple[str, list[_Ent]]:
    """``MarkdownV2`` parse mode (TDLib ``parse_markdown_v2``)."""
    t = text
    n = len(t)
    ch = partial(_char_at, t)

    def reserved_error(c: str) -> EntityParseError:
        return EntityParseError(
            f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
        )

    out: list[str] = []
    entities: list[_Ent] = []
    # (kind, argument, start, byte offset of markup)
    stack: list[tuple[str, str, int, int]] = []
    have_blockquote = False
    i = 0
    while i < n:
        c = t[i]
        nxt = ch(i + 1)
        if c == "\\" and nxt and 0 < ord(nxt) <= 126:
            out.append(nxt)
            i += 2
            continue
        reserved = "_*[]()~`>#+-=|{}.!\n"
        if stack and stack[-1][0] in ("code", "pre", "pre_code"):
            reserved = "`"
        if c not in reserved:
            out.append(c)
            i += 1
            continue

        is_end = False
        if stack:
            top = stack[-1][0]
            if have_blockquote and c == "\n" and (i + 1 == n or nxt != ">"):
                is_end = True
            elif top == "bold":
                is_end = c == "*"
            elif top == "italic":
                is_end = c == "_" and nxt != "_"
            elif top == "code":
                is_end = c == "`"
            elif top in ("pre", "pre_code"):
                is_end = c == "`" and nxt == "`" and ch(i + 2) == "`"
            elif top in ("text_link", "custom_emoji"):
                is_end = c == "]"
            elif top == "underline":
                is_end = c == "_" and nxt == "_"
            elif top == "strikethrough":
                is_end = c == "~"
            elif top == "spoiler":
                is_end = c == "|" and nxt == "|"

        if not is_end:
            byte_off = _byte_offset(t, i)
            kind = ""
            argument = ""
            if c == "_":
                if nxt == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|":
                if nxt != "|":
                    raise reserved_error(c)
                i += 1
                kind = "spoiler"
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                if nxt == "`" and ch(i + 2) == "`":
                    argument, i = _pre_language(t, i + 3)
                    kind = "pre_code" if argument else "pre"
                    i -= 1
                else:
                    kind = "code"
            elif c == "!":
                if nxt != "[":
                    raise reserved_error(c)
                i += 1
                kind = "custom_emoji"
            elif c == "\n":
                out.append("\n")
                if nxt == ">":
                    i += 1
                    if not have_blockquote:
                        kind = "blockquote"
                        have_blockquote = True
                if not kind:
                    i += 1
                    continue
            elif c == ">":
                if i != 0:
                    raise reserved_error(c)
                kind = "blockquote"
                have_blockquote = True
            else:
                raise reserved_error(c)
            stack.append((kind, argument, len(out), byte_off))
            i += 1
            continue

        # end of an entity
        kind, argument, start, byte_off = stack[-1]
        if c == "\n" and kind != "blockquote":
            raise EntityParseError(
                f"Can't find end of {_TD_NAMES[kind]} entity at byte offset {byte_off}"
            )
        skip = len(out) == start
        new_entity: _Ent | None = None
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind in ("pre", "pre_code"):
            i += 2
        elif kind == "text_link":
            url: str
            if ch(i + 1) != "(":
                url = "".join(out[start:])
            else:
                url_begin = i + 2
                url, i = _until_paren(t, url_begin)
                if ch(i) != ")":
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(t, url_begin)}"
                    )
            if not skip:
                new_entity = _link_entity(start, len(out), url)
            skip = True if new_entity is None else skip
        elif kind == "custom_emoji":
            if ch(i + 1) != "(":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url_begin = i + 2
            emoji_url, i = _until_paren(t, url_begin)
            if ch(i) != ")":
                raise EntityParseError(
                    "Can't find end of a custom emoji URL at byte offset "
                    f"{_byte_offset(t, url_begin)}"
                )
            m = re.fullmatch(r"tg://emoji\?id=(\d+)", emoji_url)
            if not m or int(m.group(1)) == 0:
                raise EntityParseError("Invalid custom emoji URL specified")
            argument = m.group(1)
        elif kind == "blockquote":
            have_blockquote = False
            out.append(c)
        if not skip:
            end = len(out)
            if new_entity is not None:
                entities.append(new_entity)
            elif kind == "pre_code":
                entities.append(_Ent("pre", start, end, {"language": argument}))
            elif kind == "custom_emoji":
                entities.append(_Ent("custom_emoji", start, end, {"custom_emoji_id": argument}))
            else:
                entities.append(_Ent(kind, start, end))
        stack.pop()
        i += 1
    if have_blockquote and stack and stack[-1][0] == "blockquote":
        _kind, _arg, start, _off = stack.pop()
        if len(out) > start:
            entities.append(_Ent("blockquote", start, len(out)))
    if stack:
        kind, _arg, _start, byte_off = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_TD_NAMES[kind]} entity at byte offset {byte_off}"
        )
    _sort(entities)
    return "".join(out), entities


# --------------------------------------------------------------------------- auto entities

_URL_RE = re.compile(
    r"(?<![\w@.\-/])(?:"
    r"(?:https?|ftp|tg|ton)://[^\s<>\"]+"
    r"|(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:com|net|org|io|dev|app|me|ru|kr|jp|cn|de|fr|uk|info|biz|co|edu|gov|ai|xyz|tv|ly|gg)"
    r"(?![\w\-])(?:[/?#][^\s<>\"]*)?"
    r")",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,24}(?![\w\-])"
)
_TRAILING_PUNCT = ".,:;!?'\")]}"


def _is_hashtag_letter(c: str) -> tuple[bool, bool]:
    """(is hashtag char, is letter) following TDLib's is_hashtag_letter."""
    if not c:
        return False, False
    if c in ("_", "\u200c", "\u00b7") or "\u0d80" <= c <= "\u0dff":
        return True, False
    cat = unicodedata.category(c)
    if cat[0] == "L":
        return True, True
    if cat == "Nd":
        return True, False
    return False, False


def _ascii_word_end(t: str, j: int) -> int:
    """Where the run of ASCII letters, digits and ``_`` that starts at ``j`` ends (a command's
    or a username's characters)."""
    while j < len(t) and t[j].isascii() and (t[j].isalnum() or t[j] == "_"):
        j += 1
    return j


def _char_before(t: str, k: int) -> str:
    return t[k - 1] if k > 0 else ""


def _sigils(t: str, sigil: str) -> list[tuple[int, str]]:
    """Each place of ``sigil`` (``/``, ``@``, ``#``) in ``t``, with the character before it."""
    return [(k, _char_before(t, k)) for k, c in enumerate(t) if c == sigil]


def _find_bot_commands(t: str) -> list[_Ent]:
    res: list[_Ent] = []
    for start, prev in _sigils(t, "/"):
        if prev and (_is_word_char(prev) or prev in "/<>"):
            continue
        j = _ascii_word_end(t, start + 1)
        if not 1 <= j - start - 1 <= 64:
            continue
        end = j
        if _char_at(t, j) == "@":
            k = _ascii_word_end(t, j + 1)
            if not 3 <= k - j - 1 <= 32:
                continue
            end = j = k
        nxt = _char_at(t, j)
        if nxt and (_is_word_char(nxt) or nxt in "/<>"):
            continue
        res.append(_Ent("bot_command", start, end))
    return res


def _find_mentions(t: str) -> list[_Ent]:
    res: list[_Ent] = []
    for start, prev in _sigils(t, "@"):
        if _is_word_char(prev):
            continue
        j = _ascii_word_end(t, start + 1)
        if 4 <= j - start - 1 <= 32 and not _is_word_char(_char_at(t, j)):
            res.append(_Ent("mention", start, j))
    return res


def _find_hashtags(t: str) -> list[_Ent]:
    res: list[_Ent] = []
    n = len(t)
    for start, prev in _sigils(t, "#"):
        if _is_hashtag_letter(prev)[0]:
            continue
        j = start + 1
        size = 0
        end = -1
        was_letter = False
        while j < n:
            ok, letter = _is_hashtag_letter(t[j])
            if not ok:
                break
            j += 1
            if size == 255:
                end = j
            if size != 256:
                was_letter |= letter
                size += 1
        if end == -1:
            end = j
        if size >= 1 and _char_at(t, j) != "#" and was_letter:
            res.append(_Ent("hashtag", start, end))
    return res


def _find_cashtags(t: str) -> list[_Ent]:
    res: list[_Ent] = []
    for m in re.finditer(r"\$(1INCH|[A-Z]{1,8})", t):
        s, e = m.span()
        prev = _char_before(t, s)
        nxt = _char_at(t, e)
        if prev and (_is_hashtag_letter(prev)[0] or prev == "$"):
            continue
        if nxt and (_is_hashtag_letter(nxt)[0] or nxt == "$"):
            continue
        res.append(_Ent("cashtag", s, e))
    return res


def _find_urls_and_emails(t: str) -> list[_Ent]:
    res: list[_Ent] = []
    taken: list[tuple[int, int]] = []
    for m in _EMAIL_RE.finditer(t):
        res.append(_Ent("email", m.start(), m.end()))
        taken.append(m.span())
    for m in _URL_RE.finditer(t):
        s, e = m.span()
        while e > s and t[e - 1] in _TRAILING_PUNCT:
            if t[e - 1] == ")" and t[s:e].count("(") >= t[s:e].count(")"):
                break
            e -= 1
        if any(s < te and ts < e for ts, te in taken):
            continue
        res.append(_Ent("url", s, e))
    return res


def find_entities(text: str, *, skip_bot_commands: bool = False) -> list[_Ent]:
    """Entities Telegram detects by itself (code-point offsets), non-overlapping, sorted."""
    found: list[_Ent] = []
    if not skip_bot_commands and "/" in text:
        found += _find_bot_commands(text)
    if "@" in text:
        found += _find_mentions(text)
    if "#" in text:
        found += _find_hashtags(text)
    if "$" in text:
        found += _find_cashtags(text)
    if "." in text or "://" in text:
        found += _find_urls_and_emails(text)
    found.sort(key=lambda e: (e.start, -e.length))
    result: list[_Ent] = []
    last_end = -1
    for e in found:
        if e.start >= last_end:
            result.append(e)
            last_end = e.end
    return result


# --------------------------------------------------------------------------- normalisation

# '\r', U+2028..U+202E (separators, bidi overrides), some combining vertical lines.
_REMOVED_CHARS = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")


def _clean(text: str, entities: list[_Ent]) -> str:
    """TDLib clean_input_string(_with_entities): control chars → ' ', drop some chars."""
    if not any(c in _REMOVED_CHARS or c < " " for c in text):
        return text
    out: list[str] = []
    new_index = [0] * (len(text) + 1)
    for idx, c in enumerate(text):
        new_index[idx] = len(out)
        if c in _REMOVED_CHARS:
            continue
        if c < " " and c != "\n":
            out.append(" ")
        else:
            out.append(c)
    new_index[len(text)] = len(out)
    for e in entities:
        e.start = new_index[e.start]
        e.end = new_index[e.end]
    return "".join(out)


def _remove_invalid_entities(text: str, entities: list[_Ent]) -> list[_Ent]:
    """Strip leading whitespace from entities; drop empty / whitespace-only ones."""
    result: list[_Ent] = []
    for e in entities:
        if e.length <= 0:
            continue
        if e.type in _HIDDEN_DATA:
            result.append(e)
            continue
        start = e.start
        while start < e.end and text[start] in " \n":
            start += 1
        if start >= e.end:
            continue
        e.start = start
        result.append(e)
    return result


def _merge_found(entities: list[_Ent], found: list[_Ent]) -> list[_Ent]:
    if not found:
        return entities
    blockers = [e for e in entities if e.type not in _SPLITTABLE and e.type not in _BLOCKQUOTES]
    merged = list(entities)
    for f in found:
        if any(f.start < b.end and b.start < f.end for b in blockers):
            continue
        merged.append(f)
    return merged


def normalize(
    text: str,
    entities: list[_Ent],
    *,
    allow_empty: bool,
    detect_entities: bool = True,
) -> tuple[str, list[_Ent]] | None:
    """TDLib ``fix_formatted_text``.  Returns ``None`` if the text is empty and not allowed."""
    text = _clean(text, entities)
    entities = _remove_invalid_entities(text, entities)
    last = len(text) - 1
    while last >= 0 and text[last] in " \n":
        last -= 1
    if last < 0:
        if allow_empty:
            return "", []
        return None
    # rtrim
    text = text[: last + 1]
    kept: list[_Ent] = []
    for e in entities:
        if e.start > last:
            continue
        e.end = min(e.end, last + 1)
        if e.length > 0:
            kept.append(e)
    entities = kept
    _sort(entities)
    # ltrim (only up to the first entity)
    first_entity = entities[0].start if entities else len(text)
    first = 0
    while first < first_entity and text[first] in " \n":
        first += 1
    if first:
        text = text[first:]
        for e in entities:
            e.start -= first
            e.end -= first
    if detect_entities:
        entities = _merge_found(entities, find_entities(text))
    entities = _remove_invalid_entities(text, entities)
    _sort(entities)
    return text, entities


# --------------------------------------------------------------------------- conversion


def _utf16_positions(text: str) -> list[int] | None:
    """pos[i] = UTF-16 offset of code point i (len+1 entries); None if all BMP."""
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    pos = [0] * (len(text) + 1)
    acc = 0
    for idx, c in enumerate(text):
        pos[idx] = acc
        acc += 2 if ord(c) > 0xFFFF else 1
    pos[len(text)] = acc
    return pos


def to_api_entities(text: str, entities: list[_Ent]) -> list[JSON]:
    """Convert code-point entities to Bot API dicts with UTF-16 offsets."""
    pos = _utf16_positions(text)
    result: list[JSON] = []
    for e in entities:
        if pos is None:
            offset, length = e.start, e.length
        else:
            offset, length = pos[e.start], pos[e.end] - pos[e.start]
        d: JSON = {"offset": offset, "length": length, "type": e.type}
        for key, value in e.extra.items():
            if value not in (None, ""):
                d[key] = value
        result.append(d)
    return result


def parse_entities_param(text: str, raw: Any) -> list[_Ent]:
    """Validate explicit ``entities`` (Bot API dicts, UTF-16 offsets) for ``text``."""
    if not isinstance(raw, list):
        raise EntityParseError('Field "entities" must be an Array')
    pos = _utf16_positions(text)
    total = utf16_len(text)
    back: dict[int, int] | None = None
    if pos is not None:
        back = {p: idx for idx, p in enumerate(pos)}
    result: list[_Ent] = []
    for item in raw:
        if not isinstance(item, dict):
            raise EntityParseError("MessageEntity must be an Object")
        etype = item.get("type")
        offset = item.get("offset")
        length = item.get("length")
        if not isinstance(etype, str) or etype not in KNOWN_ENTITY_TYPES:
            raise EntityParseError("Unsupported type specified")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise EntityParseError(f"Receive an entity with incorrect offset {offset}")
        if not isinstance(length, int) or isinstance(length, bool) or length < 0:
            raise EntityParseError(f"Receive an entity with incorrect length {length}")
        if offset > total:
            raise EntityParseError(
                f"Entity begins after the end of the text at UTF-16 offset {offset}"
            )
        if offset + length > total:
            raise EntityParseError(
                f"Entity beginning at UTF-16 offset {offset} ends after the end of the text "
                f"at UTF-16 offset {offset + length}"
            )
        if length == 0:
            continue
        if back is None:
            start, end = offset, offset + length
        else:
            if offset not in back:
                raise EntityParseError("Entity begins in a middle of a UTF-16 symbol")
            if offset + length not in back:
                raise EntityParseError(
                    f"Entity beginning at UTF-16 offset {offset} ends in a middle of a "
                    "UTF-16 symbol"
                )
            start, end = back[offset], back[offset + length]
        extra: JSON = {}
        if etype == "text_link":
            url = item.get("url")
            if not isinstance(url, str):
                raise EntityParseError('Field "url" must be of type String')
            checked = check_link(url)
            if checked is None:
                raise EntityParseError(f'Entity URL "{url}" is invalid')
            extra["url"] = checked
        elif etype == "text_mention":
            user = item.get("user")
            if not isinstance(user, dict) or not isinstance(user.get("id"), int):
                raise EntityParseError('Field "user" must be of type Object')
            extra["user"] = user
        elif etype == "pre":
            lang = item.get("language")
            if isinstance(lang, str) and lang:
                extra["language"] = lang
        elif etype == "custom_emoji":
            emoji_id = item.get("custom_emoji_id")
            if not isinstance(emoji_id, str) or not emoji_id.isdigit():
                raise EntityParseError("Invalid custom emoji identifier specified")
            extra["custom_emoji_id"] = emoji_id
        result.append(_Ent(etype, start, end, extra))
    _sort(result)
    return result


def format_text(
    text: str,
    *,
    parse_mode: str | None = None,
    entities: Any = None,
    allow_empty: bool = False,
    strict_html: bool = True,
    detect_entities: bool = True,
) -> FormattedText | None:
    """Full pipeline: parse mode / explicit entities → normalisation → Bot API entities.

    Returns ``None`` when the resulting text is empty and ``allow_empty`` is false.
    Raises :class:`EntityParseError` for markup errors and ``ValueError`` (plain) for an
    unsupported parse mode.
    """
    ents: list[_Ent]
    if entities:
        ents = parse_entities_param(text, entities)
    elif parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            text, ents = parse_html(text, strict=strict_html)
        elif mode == "markdownv2":
            text, ents = parse_markdown_v2(text)
        elif mode == "markdown":
            text, ents = parse_markdown(text)
        else:
            raise ValueError("unsupported parse_mode")
    else:
        ents = []
    fixed = normalize(text, ents, allow_empty=allow_empty, detect_entities=detect_entities)
    if fixed is None:
        return None
    final_text, final_ents = fixed
    return FormattedText(final_text, to_api_entities(final_text, final_ents))

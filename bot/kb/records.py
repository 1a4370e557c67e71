"""The knowledge base: load a KB file, validate it, import it into the database, export it.

The file format is described in ``shared/kb/SCHEMA.md``; the demo district ships inside
the package (:func:`demo_kb_path`). Nothing here knows about Telegram.

* :func:`load_file` / :func:`load_text` read YAML; syntax errors and duplicate keys raise
  :class:`KBLoadError`, whose ``problems`` read like validation problems
  (``line 12, column 5: …``).
* :func:`validate` checks a whole document and returns every problem at once, each with
  its place: ``grants[3].amount.max_krw: expected an integer``.
* :func:`import_kb` upserts everything by id; records missing from a re-import are
  archived, never deleted — except events staff created (``origin: staff``), which no
  import archives. Staff cancellations and occurrence changes (``cancelled``, ``changes``)
  are never written by an import. :func:`export_kb` writes the non-archived records back in the
  same format, and :func:`dump_yaml` renders a document with readable Korean.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from dateutil.rrule import rrulestr
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.kb import (
    ID_LENGTH,
    Assembly,
    AssemblyItem,
    Category,
    Dong,
    Event,
    FaqEntry,
    Grant,
    Region,
)

try:
    from yaml import CSafeLoader as _YamlLoader

    _LIBYAML = True
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

    _LIBYAML = False

FORMAT_VERSION = 1

# ---------------------------------------------------------------------------------------
# Field types
# ---------------------------------------------------------------------------------------

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)

_DATE_MESSAGE = "expected an ISO date (YYYY-MM-DD)"
_DATETIME_MESSAGE = "expected an ISO datetime with offset (YYYY-MM-DDTHH:MM:SS+09:00)"


def _error(kind: str, message: str) -> PydanticCustomError:
    # Every message of our own goes through the context so that braces in it stay literal.
    return PydanticCustomError(f"kb_{kind}", "{message}", {"message": message})


def _check_slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise _error("slug", "expected an id of lowercase letters, digits, '-' and '_'")
    if len(value) > ID_LENGTH:
        raise _error("slug", f"too long (at most {ID_LENGTH} characters)")
    return value


def _check_not_blank(value: str) -> str:
    if not value.strip():
        raise _error("empty", "must not be empty")
    return value


def _check_email(value: str) -> str:
    if not _EMAIL_RE.match(value.strip()):
        raise _error("email", "expected an e-mail address")
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _error(
            "timezone", f"unknown time zone '{value}' (expected an IANA name such as Asia/Seoul)"
        ) from None
    return value


def _check_version(value: int) -> int:
    if value != FORMAT_VERSION:
        raise _error("version", f"expected {FORMAT_VERSION}")
    return value


def _to_date(value: object) -> date:
    if isinstance(value, datetime):
        raise _error("date", _DATE_MESSAGE)
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise _error("date", f"no such date: {value.strip()}") from None
    raise _error("date", _DATE_MESSAGE)


def _to_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and _DATETIME_RE.match(value.strip()):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _error("datetime", f"no such date or time: {value.strip()}") from None
    else:
        raise _error("datetime", _DATETIME_MESSAGE)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _error("naive_datetime", "missing UTC offset (e.g. +09:00)")
    return parsed


def _check_rrule(value: str) -> str:
    problem = rrule_problem(value)
    if problem is not None:
        raise _error("rrule", f"invalid rrule: {problem}")
    return value


def _none_as_empty_list(value: object) -> object:
    return [] if value is None else value


Slug = Annotated[str, Strict(), AfterValidator(_check_slug)]
"""An id: lowercase letters, digits, ``-`` and ``_``."""
Ref = Annotated[str, Strict(), AfterValidator(_check_not_blank)]
"""A reference to an id elsewhere in the document (checked by :func:`validate`)."""
Str = Annotated[str, Strict(), AfterValidator(_check_not_blank)]
NonNegativeInt = Annotated[int, Strict(), Field(ge=0)]
PositiveInt = Annotated[int, Strict(), Field(ge=1)]
Percent = Annotated[int, Strict(), Field(ge=0, le=100)]
Bool = Annotated[bool, Strict()]
Email = Annotated[str, Strict(), AfterValidator(_check_email)]
TimezoneName = Annotated[str, Strict(), AfterValidator(_check_timezone)]
RRule = Annotated[str, Strict(), AfterValidator(_check_rrule)]
ISODate = Annotated[
    date, PlainValidator(_to_date), WithJsonSchema({"type": "string", "format": "date"})
]
AwareDatetime = Annotated[
    datetime,
    PlainValidator(_to_datetime),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
EventKind = Literal["training", "meeting", "assembly", "forum", "consultation", "festival"]
AssemblyMethod = Literal["approve_reject", "choose_up_to"]


# ---------------------------------------------------------------------------------------
# Document models (mirror SCHEMA.md; unknown keys are errors)
# ---------------------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalizedText(BaseModel):
    """``{ko: …, en: …}``: ``ko`` is required, other language codes are optional."""

    model_config = ConfigDict(extra="allow")

    ko: Str
    __pydantic_extra__: dict[str, str]

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, value: object) -> object:
        if isinstance(value, str):
            raise _error("text", "expected a localized text such as {ko: ..., en: ...}")
        if isinstance(value, Mapping):
            for key in value:
                if not isinstance(key, str) or not _LANG_RE.match(key):
                    hint = ""
                    if value[key] is None:  # YAML reads `{ko: a, b}` as {ko: a, b: null}
                        hint = " (a comma splits unquoted text in {...}: put the text in quotes)"
                    raise _error("language", f"unknown language code '{key}'{hint}")
        return value

    def as_dict(self) -> dict[str, str]:
        """The JSON form: ``ko`` first, then the other languages as given."""
        return {"ko": self.ko, **(self.model_extra or {})}

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to Korean."""
        return (self.model_extra or {}).get(lang) or self.ko


class RegionContact(_Spec):
    phone: Str
    email: Email
    address: LocalizedText
    hours: LocalizedText


class RegionSpec(_Spec):
    id: Slug
    name: LocalizedText
    timezone: TimezoneName
    centre: LocalizedText
    contact: RegionContact


class DongSpec(_Spec):
    id: Slug
    name: LocalizedText


class CategorySpec(_Spec):
    id: Slug
    name: LocalizedText


Applicant = Literal["individual", "group", "organisation", "resident_council"]


class GrantRules(_Spec):
    min_members: PositiveInt | None = None
    min_age: NonNegativeInt | None = None
    max_age: NonNegativeInt | None = None
    min_group_age_years: NonNegativeInt | None = None
    min_group_age_months: NonNegativeInt | None = None  # "6개월 이상 활동한 모임"
    residency: LocalizedText | None = None
    prior_grant_required: Ref | None = None
    applicants: list[Applicant] | None = None  # who may apply; absent: anyone
    conditions: list[LocalizedText] | None = None  # what the group confirms itself


class GrantAmount(_Spec):
    max_krw: NonNegativeInt
    total_krw: NonNegativeInt | None = None
    expected_awards: PositiveInt | None = None
    self_funding_percent: Percent | None = None


class GrantApplication(_Spec):
    opens: ISODate
    closes: ISODate
    result_on: ISODate | None = None
    how: LocalizedText


class GrantContact(_Spec):
    team: LocalizedText
    phone: Str


class GrantSpec(_Spec):
    id: Slug
    name: LocalizedText
    aliases: list[Str] = []
    categories: list[Ref] = []
    summary: LocalizedText
    eligibility: LocalizedText
    rules: GrantRules = Field(default_factory=GrantRules)
    amount: GrantAmount
    application: GrantApplication
    documents: list[LocalizedText] = []
    support: LocalizedText
    contact: GrantContact


class FaqSpec(_Spec):
    id: Slug
    question: LocalizedText
    answer: LocalizedText
    keywords: list[Str] = []
    related: list[Ref] = []
    origin: Literal["kb", "staff"] = "kb"
    """``staff``: taught from the bot (``/unanswered``); a re-import of a KB file that
    lacks it never archives it (the centre's file was written before staff taught it)."""


class Registration(_Spec):
    required: Bool
    capacity: PositiveInt | None = None
    closes_hours_before: NonNegativeInt | None = None


class OccurrenceChange(_Spec):
    """Staff changed one occurrence: cancelled it, or moved it to ``starts_at``/``ends_at``.

    ``occurrence`` is the start the recurrence rule gives it (RFC 5545's RECURRENCE-ID).
    Written by :func:`export_kb` from the database; :func:`import_kb` never writes it, so
    staff decisions survive a re-import of the centre's file.
    """

    occurrence: AwareDatetime
    status: Literal["cancelled", "moved"]
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _moved_has_times(self) -> OccurrenceChange:
        if self.status == "moved" and (self.starts_at is None or self.ends_at is None):
            raise _error("moved", "a moved occurrence needs starts_at and ends_at")
        if self.starts_at is not None and self.ends_at is not None:
            if self.ends_at <= self.starts_at:
                raise _error("order", "ends_at must be after starts_at")
        return self


EventOrigin = Literal["kb", "staff"]


class EventSpec(_Spec):
    id: Slug
    kind: EventKind
    dong: Ref | None = None
    title: LocalizedText
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    rrule: RRule | None = None
    place: LocalizedText
    audience: LocalizedText
    description: LocalizedText
    registration: Registration | None = None
    survey: Bool = False
    related_grants: list[Ref] = []
    origin: EventOrigin = "kb"
    """``staff``: created with ``/newevent`` or ``maeul events create``; a re-import of a
    KB file never archives it."""
    cancelled: Bool = False
    """Staff cancelled the whole event (import leaves this alone)."""
    changes: list[OccurrenceChange] = []
    """Staff changes to single occurrences (import leaves these alone)."""


class AssemblyItemSpec(_Spec):
    id: Slug
    title: LocalizedText
    description: LocalizedText
    budget_krw: NonNegativeInt
    category: Ref
    proposed_by: LocalizedText | None = None


class AssemblySpec(_Spec):
    id: Slug
    dong: Ref
    title: LocalizedText
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    method: AssemblyMethod
    max_choices: PositiveInt | None = None
    eligibility: LocalizedText
    quorum_percent: Percent | None = None
    items: Annotated[list[AssemblyItemSpec], Field(min_length=1)]


class KnowledgeBase(_Spec):
    """A validated knowledge-base document. Build it with :func:`validate`."""

    version: Annotated[int, Strict(), AfterValidator(_check_version)]
    region: RegionSpec
    dongs: Annotated[list[DongSpec], BeforeValidator(_none_as_empty_list)] = []
    categories: Annotated[list[CategorySpec], BeforeValidator(_none_as_empty_list)] = []
    grants: Annotated[list[GrantSpec], BeforeValidator(_none_as_empty_list)] = []
    faq: Annotated[list[FaqSpec], BeforeValidator(_none_as_empty_list)] = []
    events: Annotated[list[EventSpec], BeforeValidator(_none_as_empty_list)] = []
    assemblies: Annotated[list[AssemblySpec], BeforeValidator(_none_as_empty_list)] = []


_LIST_SECTIONS = ("dongs", "categories", "grants", "faq", "events", "assemblies")


# ---------------------------------------------------------------------------------------
# Recurrence rules (RFC 5545 RECUR syntax: friendly messages first, dateutil decides last)
# ---------------------------------------------------------------------------------------

_FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY_RE = re.compile(r"^([+-]?\d{1,2})?([A-Z]{2})$")
_UNTIL_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")


def _int_list(low: int, high: int, *, signed: bool) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        for part in value.split(","):
            if not re.fullmatch(r"[+-]?\d+" if signed else r"\d+", part):
                return f"'{part}' is not a whole number"
            number = int(part)
            if not low <= abs(number) <= high or (signed and number == 0):
                bounds = f"±{low}..{high}" if signed else f"{low}..{high}"
                return f"{part} is out of range {bounds}"
        return None

    return check


def _positive(value: str) -> str | None:
    if not value.isdigit() or int(value) < 1:
        return f"'{value}' is not a positive whole number"
    return None


def _frequency(value: str) -> str | None:
    if value not in _FREQUENCIES:
        return f"unknown frequency '{value}' (expected one of {', '.join(_FREQUENCIES)})"
    return None


def _weekday(value: str) -> str | None:
    return None if value in _WEEKDAYS else f"unknown weekday '{value}'"


def _byday(value: str) -> str | None:
    for part in value.split(","):
        match = _BYDAY_RE.match(part)
        if match is None or match.group(2) not in _WEEKDAYS:
            return f"'{part}' is not a weekday such as MO, 2TU or -1FR"
        if match.group(1) is not None and not 1 <= abs(int(match.group(1))) <= 53:
            return f"'{part}': the number must be between 1 and 53 (or -1 and -53)"
    return None


def _until(value: str) -> str | None:
    match = _UNTIL_RE.match(value)
    if match is None:
        return "expected a UTC date-time such as 20271231T145959Z"
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return f"no such date or time: {value}"
    return None


_RRULE_PARTS: dict[str, Callable[[str], str | None]] = {
    "FREQ": _frequency,
    "UNTIL": _until,
    "COUNT": _positive,
    "INTERVAL": _positive,
    "BYSECOND": _int_list(0, 60, signed=False),
    "BYMINUTE": _int_list(0, 59, signed=False),
    "BYHOUR": _int_list(0, 23, signed=False),
    "BYDAY": _byday,
    "BYMONTHDAY": _int_list(1, 31, signed=True),
    "BYYEARDAY": _int_list(1, 366, signed=True),
    "BYWEEKNO": _int_list(1, 53, signed=True),
    "BYMONTH": _int_list(1, 12, signed=False),
    "BYSETPOS": _int_list(1, 366, signed=True),
    "WKST": _weekday,
}


def rrule_problem(rule: str) -> str | None:
    """Why ``rule`` is not a valid RFC 5545 recurrence rule, or None if it is.

    The rule is the part after ``RRULE:``, e.g. ``FREQ=MONTHLY;INTERVAL=2;COUNT=6``. UNTIL
    must be in UTC (``…Z``) because every event starts at a datetime with an offset.
    """
    text = rule.strip()
    if not text:
        return "empty rule"
    if text.upper().startswith("RRULE:"):
        return "write the rule without the 'RRULE:' prefix"
    if "\n" in text or text.upper().startswith(("DTSTART", "EXDATE", "RDATE")):
        return "only one rule is allowed (starts_at gives the start)"
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        name, sep, value = chunk.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not chunk.strip():
            return "empty part (a doubled or trailing ';')"
        if not sep or not name or not value:
            return f"'{chunk}' is not NAME=VALUE"
        if name not in _RRULE_PARTS:
            return f"unknown part '{name}'"
        if name in parts:
            return f"{name} is given twice"
        parts[name] = value
    if "FREQ" not in parts:
        return "FREQ is required"
    for name, value in parts.items():
        problem = _RRULE_PARTS[name](value)
        if problem is not None:
            return f"{name}: {problem}"
    freq = parts["FREQ"]
    if "COUNT" in parts and "UNTIL" in parts:
        return "COUNT and UNTIL cannot both be given"
    if "BYWEEKNO" in parts and freq != "YEARLY":
        return "BYWEEKNO is only allowed with FREQ=YEARLY"
    if "BYYEARDAY" in parts and freq in ("DAILY", "WEEKLY", "MONTHLY"):
        return f"BYYEARDAY is not allowed with FREQ={freq}"
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        return "BYMONTHDAY is not allowed with FREQ=WEEKLY"
    numbered = [m.group(1) for m in map(_BYDAY_RE.match, parts.get("BYDAY", "").split(",")) if m]
    if any(numbered) and (freq not in ("MONTHLY", "YEARLY") or "BYWEEKNO" in parts):
        return "numbered weekdays (like 2TU) need FREQ=MONTHLY or FREQ=YEARLY"
    if "BYSETPOS" in parts and not any(p.startswith("BY") and p != "BYSETPOS" for p in parts):
        return "BYSETPOS needs another BY… part"
    try:  # what expands the events later must accept the rule too
        rrulestr(text, dtstart=datetime(2027, 1, 1, tzinfo=UTC))
    except (ValueError, TypeError) as exc:
        return str(exc) or "not accepted by the recurrence expander"
    return None


# ---------------------------------------------------------------------------------------
# Loading YAML
# ---------------------------------------------------------------------------------------


class KBLoadError(ValueError):
    """A KB file could not be read as YAML; ``problems`` say where and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _mark(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "document"


class _Loader(_YamlLoader):
    """Safe loader that reports duplicate keys and keeps impossible dates as strings."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.source = stream
        self.duplicate_keys: list[tuple[tuple[int, int], str]] = []
        self.notes: list[str] = []

    def _rejoin_split_text(self, node: yaml.MappingNode) -> None:
        """Undo YAML's split of unquoted text at a comma inside ``{...}``.

        ``{ko: 이웃, en: live, work or study here}`` is, to YAML, ``en: "live"`` plus a key
        ``work or study here`` with no value. Centre staff write prose like this all the
        time; the author plainly meant one text, so the original characters are taken
        from the file (commas and spaces exactly as written) and a note says where.
        """
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            previous = merged[-1][1] if merged else None
            if (
                previous is not None
                and isinstance(previous, yaml.ScalarNode)
                and not previous.style
                and isinstance(key_node, yaml.ScalarNode)
                and not key_node.style
                and isinstance(value_node, yaml.ScalarNode)
                and value_node.tag == "tag:yaml.org,2002:null"
                and value_node.value == ""
            ):
                text = self.source[previous.start_mark.index : key_node.end_mark.index]
                joined = yaml.ScalarNode(
                    "tag:yaml.org,2002:str", text.strip(), previous.start_mark, key_node.end_mark
                )
                merged[-1] = (merged[-1][0], joined)
                note = (
                    f"{_mark(previous.start_mark)}: a comma split unquoted text; read it as "
                    f"'{text.strip()}' (put such text in quotes)"
                )
                if self.notes and self.notes[-1].startswith(f"{_mark(previous.start_mark)}:"):
                    self.notes[-1] = note  # the same text, split more than once
                else:
                    self.notes.append(note)
                continue
            merged.append((key_node, value_node))
        node.value = merged

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if node.flow_style:
            self._rejoin_split_text(node)
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    mark = key_node.start_mark
                    self.duplicate_keys.append(
                        ((mark.line, mark.column), f"{_mark(mark)}: duplicate key '{key}'")
                    )
                seen.add(key)
            except TypeError:  # unhashable key: the base class reports it
                pass
        return super().construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _Loader, node: yaml.Node) -> object:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(
            None, None, "expected a date or datetime", node.start_mark
        )
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # e.g. 2027-02-30: let validation report it with its place
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_text(
    text: str, notes: list[str] | None = None, *, portable: bool = False
) -> dict[str, Any]:
    """Parse a KB document from YAML text; raises :class:`KBLoadError`.

    Repairs that changed how the text reads (see :meth:`_Loader._rejoin_split_text`) are
    appended to ``notes`` for the person importing. ``portable`` (a file staff bring in:
    an upload, ``maeul kb import``): also refuse what only LibYAML reads — see
    :func:`_check_portable`.
    """
    if portable:
        _check_portable(text)
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        message = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise KBLoadError([f"{_mark(exc.problem_mark)}: {message}"]) from None
    except yaml.YAMLError as exc:
        raise KBLoadError([f"document: {exc}"]) from None
    finally:
        loader.dispose()
    if notes is not None:
        notes.extend(loader.notes)
    if loader.duplicate_keys:
        raise KBLoadError([problem for _, problem in sorted(loader.duplicate_keys)])
    if data is None:
        raise KBLoadError(["document: the file is empty"])
    if not isinstance(data, dict):
        raise KBLoadError(["document: expected a mapping with version, region, dongs, …"])
    return data


def _check_portable(text: str) -> None:
    """Refuse YAML that LibYAML (the fast loader used when installed) reads and PyYAML's
    own parser does not: ``{ko: 센터는 어디에 있나요?, en: …}`` — an unquoted ``?`` in
    ``{...}`` — loads on one machine and is an error on another (or after a restore on a
    server without LibYAML). Only files staff bring in are checked: the pure parser takes
    about 2 s on a 1,000-grant file."""
    if not _LIBYAML:
        return  # the strict parser is the one in use: load_text reports it
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise KBLoadError(
            [
                f"{_mark(exc.problem_mark)}: {exc.problem or 'invalid YAML'} — some YAML "
                "readers cannot read this; put the text in quotes"
            ]
        ) from None
    except yaml.YAMLError:  # anything else is reported by the loader itself
        return


def load_file(
    path: str | Path, notes: list[str] | None = None, *, portable: bool = False
) -> dict[str, Any]:
    """Read a KB file (UTF-8 YAML); raises :class:`KBLoadError` with line/column problems."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise KBLoadError([f"{path}: not UTF-8 text"]) from None
    except OSError as exc:
        raise KBLoadError([f"{path}: cannot read the file ({exc.strerror or exc})"]) from None
    return load_text(text, notes, portable=portable)


def load_and_validate(
    path: str | Path, notes: list[str] | None = None, *, portable: bool = False
) -> tuple[KnowledgeBase | None, list[str]]:
    """:func:`load_file` then :func:`validate`; load errors come back as problems."""
    try:
        data = load_file(path, notes, portable=portable)
    except KBLoadError as exc:
        return None, list(exc.problems)
    return validate(data)


def demo_kb_path() -> Path:
    """The demo district's KB file shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "demo.yaml"


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]
_Problem = tuple[Loc, str]

_MAX_SUGGESTIONS = 200


def _place(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "document"


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return None
            annotation = args[0]
        else:
            return annotation


def _model_at(loc: Loc) -> type[BaseModel] | None:
    annotation: Any = KnowledgeBase
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            if get_origin(annotation) is not list:
                return None
            annotation = get_args(annotation)[0]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(part)
            if info is None:
                return None
            annotation = info.annotation
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


class _Suggester:
    def __init__(self) -> None:
        self.left = _MAX_SUGGESTIONS

    def __call__(self, word: str, choices: Iterable[str]) -> str:
        if self.left <= 0:
            return ""
        self.left -= 1
        close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
        return f" (did you mean '{close[0]}'?)" if close else ""


def _literal_message(expected: str) -> str:
    values = [a or b for a, b in re.findall(r"'([^']*)'|(-?\d+)", expected)]
    if len(values) == 1:
        return f"expected {values[0]}"
    return f"expected one of {', '.join(values)}"


def _message(error: ErrorDetails, suggest: _Suggester) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind.startswith("kb_"):
        return str(ctx.get("message", error["msg"]))
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        loc = tuple(error["loc"])
        model = _model_at(loc[:-1])
        hint = suggest(str(loc[-1]), model.model_fields) if model is not None else ""
        return "unknown field" + hint
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return "expected an integer"
    if kind in ("bool_type", "bool_parsing"):
        return "expected true or false"
    if kind == "string_type":
        value = error.get("input")
        if isinstance(value, int | float | date) and not isinstance(value, bool):
            return "expected a string (put it in quotes)"
        return "expected a string"
    if kind == "list_type":
        return "expected a list"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "expected a mapping"
    if kind == "literal_error":
        return _literal_message(str(ctx.get("expected", "")))
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "too_short":
        count = ctx.get("min_length")
        return f"must have at least {count} item{'' if count == 1 else 's'}"
    message = error["msg"]
    return message[:1].lower() + message[1:]


def _elements(raw: object) -> list[tuple[int, dict[str, Any]]]:
    """The mappings in a raw list, with their indexes."""
    if not isinstance(raw, list):
        return []
    return [(i, element) for i, element in enumerate(raw) if isinstance(element, dict)]


def _strings(raw: object) -> list[tuple[int, str]]:
    """The strings in a raw list, with their indexes."""
    if not isinstance(raw, list):
        return []
    return [(i, value) for i, value in enumerate(raw) if isinstance(value, str)]


def _duplicates(raw: object, loc: Loc) -> list[_Problem]:
    problems: list[_Problem] = []
    first: dict[str, int] = {}
    for i, element in _elements(raw):
        id_ = element.get("id")
        if not isinstance(id_, str):
            continue
        if id_ in first:
            where = _place((*loc, first[id_]))
            problems.append(((*loc, i, "id"), f"duplicate id '{id_}' (first at {where})"))
        else:
            first[id_] = i
    return problems


def _check_references(data: Mapping[str, Any]) -> list[_Problem]:
    """Duplicate ids and dangling references, checked on the raw document.

    Working on the raw data finds them even in items that failed type validation.
    """
    problems: list[_Problem] = []
    suggest = _Suggester()

    # Ids per section; None where the section itself is malformed (no cascade of errors).
    ids: dict[str, set[str] | None] = {}
    for section in _LIST_SECTIONS:
        raw = data.get(section)
        problems.extend(_duplicates(raw, (section,)))
        if raw is None or isinstance(raw, list):
            ids[section] = {e["id"] for _, e in _elements(raw) if isinstance(e.get("id"), str)}
        else:
            ids[section] = None
    grants, events = ids["grants"], ids["events"]
    grants_or_events = grants | events if grants is not None and events is not None else None

    def ref(loc: Loc, value: object, pool: set[str] | None, what: str) -> None:
        if isinstance(value, str) and pool is not None and value not in pool:
            problems.append((loc, f"unknown {what} '{value}'{suggest(value, pool)}"))

    for i, grant in _elements(data.get("grants")):
        for j, category in _strings(grant.get("categories")):
            ref(("grants", i, "categories", j), category, ids["categories"], "category")
        rules = grant.get("rules")
        if isinstance(rules, dict):
            loc: Loc = ("grants", i, "rules", "prior_grant_required")
            prior = rules.get("prior_grant_required")
            if prior is not None and prior == grant.get("id"):
                problems.append((loc, "a grant cannot require itself"))
            else:
                ref(loc, prior, grants, "grant")
    for i, entry in _elements(data.get("faq")):
        for j, related in _strings(entry.get("related")):
            ref(("faq", i, "related", j), related, grants_or_events, "grant or event")
    for i, event in _elements(data.get("events")):
        ref(("events", i, "dong"), event.get("dong"), ids["dongs"], "dong")
        for j, grant_id in _strings(event.get("related_grants")):
            ref(("events", i, "related_grants", j), grant_id, grants, "grant")
    for i, assembly in _elements(data.get("assemblies")):
        ref(("assemblies", i, "dong"), assembly.get("dong"), ids["dongs"], "dong")
        items = assembly.get("items")
        problems.extend(_duplicates(items, ("assemblies", i, "items")))
        for j, item in _elements(items):
            loc = ("assemblies", i, "items", j, "category")
            ref(loc, item.get("category"), ids["categories"], "category")
    return problems


def _raw_int(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _raw_date(raw: Mapping[str, Any], key: str) -> date | None:
    try:
        return _to_date(raw.get(key))
    except PydanticCustomError:
        return None


def _raw_datetime(raw: Mapping[str, Any], key: str) -> datetime | None:
    try:
        return _to_datetime(raw.get(key))
    except PydanticCustomError:
        return None


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def _check_invariants(data: Mapping[str, Any]) -> list[_Problem]:
    """Rules across fields of one item: date order, amounts, ages, max_choices.

    Checked on the raw document, each rule whenever the fields it needs are valid, so that
    a type error elsewhere in the item does not hide them.
    """
    problems: list[_Problem] = []

    def add(message: str, *loc: str | int) -> None:
        problems.append((loc, message))

    for i, grant in _elements(data.get("grants")):
        rules = _mapping(grant, "rules")
        min_age, max_age = _raw_int(rules, "min_age"), _raw_int(rules, "max_age")
        if min_age is not None and max_age is not None and max_age < min_age:
            add(f"must not be less than min_age ({min_age})", "grants", i, "rules", "max_age")
        amount = _mapping(grant, "amount")
        max_krw, total_krw = _raw_int(amount, "max_krw"), _raw_int(amount, "total_krw")
        if max_krw is not None and total_krw is not None and max_krw > total_krw:
            add(f"must not exceed total_krw ({total_krw})", "grants", i, "amount", "max_krw")
        app = _mapping(grant, "application")
        opens, closes = _raw_date(app, "opens"), _raw_date(app, "closes")
        result_on = _raw_date(app, "result_on")
        if opens is not None and closes is not None and closes < opens:
            add(f"must not be before opens ({opens})", "grants", i, "application", "closes")
        if closes is not None and result_on is not None and result_on < closes:
            add(f"must not be before closes ({closes})", "grants", i, "application", "result_on")
    for i, event in _elements(data.get("events")):
        starts_at, ends_at = _raw_datetime(event, "starts_at"), _raw_datetime(event, "ends_at")
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            add("must be after starts_at", "events", i, "ends_at")
    for i, assembly in _elements(data.get("assemblies")):
        opens_at = _raw_datetime(assembly, "opens_at")
        closes_at = _raw_datetime(assembly, "closes_at")
        if opens_at is not None and closes_at is not None and closes_at <= opens_at:
            add("must be after opens_at", "assemblies", i, "closes_at")
        method, items = assembly.get("method"), assembly.get("items")
        max_choices = _raw_int(assembly, "max_choices")
        if method == "choose_up_to":
            if assembly.get("max_choices") is None:
                add("required when method is choose_up_to", "assemblies", i, "max_choices")
            elif max_choices is not None and isinstance(items, list) and max_choices > len(items):
                count = len(items)
                add(
                    f"must not exceed the number of items ({count})", "assemblies", i, "max_choices"
                )
        elif method == "approve_reject" and assembly.get("max_choices") is not None:
            add("only allowed when method is choose_up_to", "assemblies", i, "max_choices")
    return problems


@functools.lru_cache(maxsize=256)
def _field_ranks(loc: Loc) -> dict[str, int]:
    model = _model_at(loc)
    return {name: rank for rank, name in enumerate(model.model_fields)} if model else {}


def _problem_order(problem: _Problem) -> tuple[int, ...]:
    """Document order: list indexes, then fields in schema order (unknown fields last)."""
    loc, key = problem[0], []
    for n, part in enumerate(loc):
        if isinstance(part, int):
            key.append(part)
        else:
            ranks = _field_ranks(loc[:n])
            key.append(ranks.get(part, len(ranks)))
    return tuple(key)


def validate(data: object) -> tuple[KnowledgeBase | None, list[str]]:
    """Validate a whole KB document.

    Returns ``(kb, [])`` when it is valid, else ``(None, problems)`` with every problem
    found, in document order, as ``"place: message"``, e.g.
    ``grants[3].amount.max_krw: expected an integer``.
    """
    if not isinstance(data, Mapping):
        return None, ["document: expected a mapping with version, region, dongs, …"]
    problems: list[_Problem] = []
    kb: KnowledgeBase | None
    try:
        kb = KnowledgeBase.model_validate(data)
    except ValidationError as exc:
        kb = None
        suggest = _Suggester()
        problems.extend(
            (tuple(error["loc"]), _message(error, suggest))
            for error in exc.errors(include_url=False)
        )
    problems.extend(_check_references(data))
    problems.extend(_check_invariants(data))
    problems.sort(key=_problem_order)
    if problems:
        return None, [f"{_place(loc)}: {message}" for loc, message in problems]
    return kb, []


# ---------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------

SECTION_NAMES = ("region", "dongs", "categories", "grants", "faq", "events", "assemblies")
REPORT_SECTIONS = (*SECTION_NAMES, "assembly_items")


@dataclass
class SectionReport:
    """What an import did to one section. Restored records count as updated."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    archived_ids: list[str] = field(default_factory=list)
    restored_ids: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)


@dataclass
class ImportReport:
    """Counts per section (``region``, ``dongs`` … ``assemblies``, ``assembly_items``).

    Assembly items are identified as ``"<assembly id>/<item id>"``.
    """

    sections: dict[str, SectionReport] = field(
        default_factory=lambda: {name: SectionReport() for name in REPORT_SECTIONS}
    )

    def __getitem__(self, section: str) -> SectionReport:
        return self.sections[section]

    @property
    def changed(self) -> bool:
        return any(section.changed for section in self.sections.values())

    def total(self, what: Literal["created", "updated", "unchanged", "archived"]) -> int:
        return sum(getattr(section, what) for section in self.sections.values())

    def summary(self) -> str:
        """One line per section, for logs and the admin's reply."""
        lines = []
        for name, s in self.sections.items():
            line = (
                f"{name}: {s.created} created, {s.updated} updated, "
                f"{s.unchanged} unchanged, {s.archived} archived"
            )
            if s.archived_ids:
                line += f" ({', '.join(s.archived_ids)})"
            lines.append(line)
        return "\n".join(lines)


def _text(value: LocalizedText) -> dict[str, str]:
    return value.as_dict()


def _region_values(region: RegionSpec) -> dict[str, Any]:
    return {
        "name": _text(region.name),
        "timezone": region.timezone,
        "centre": _text(region.centre),
        "contact": region.contact.model_dump(),
    }


def _dong_values(dong: DongSpec | CategorySpec, position: int) -> dict[str, Any]:
    return {"position": position, "name": _text(dong.name)}


def _grant_values(grant: GrantSpec, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "name": _text(grant.name),
        "aliases": list(grant.aliases),
        "category_ids": list(grant.categories),
        "summary": _text(grant.summary),
        "eligibility": _text(grant.eligibility),
        "rules": grant.rules.model_dump(exclude_none=True),
        "max_krw": grant.amount.max_krw,
        "total_krw": grant.amount.total_krw,
        "expected_awards": grant.amount.expected_awards,
        "self_funding_percent": grant.amount.self_funding_percent,
        "opens_on": grant.application.opens,
        "closes_on": grant.application.closes,
        "result_on": grant.application.result_on,
        "how_to_apply": _text(grant.application.how),
        "documents": [_text(document) for document in grant.documents],
        "support": _text(grant.support),
        "contact": grant.contact.model_dump(),
    }


def _faq_values(entry: FaqSpec, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "question": _text(entry.question),
        "answer": _text(entry.answer),
        "keywords": list(entry.keywords),
        "related_ids": list(entry.related),
        "origin": entry.origin,
    }


def _event_values(event: EventSpec, position: int) -> dict[str, Any]:
    registration = event.registration
    return {
        "position": position,
        "kind": event.kind,
        "title": _text(event.title),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "rrule": event.rrule,
        "dong_id": event.dong,
        "place": _text(event.place),
        "audience": _text(event.audience),
        "description": _text(event.description),
        "registration_required": registration.required if registration else None,
        "registration_capacity": registration.capacity if registration else None,
        "registration_closes_hours_before": (
            registration.closes_hours_before if registration else None
        ),
        "survey": event.survey,
        "related_grant_ids": list(event.related_grants),
        "origin": event.origin,
    }


def event_values(event: EventSpec, position: int) -> dict[str, Any]:
    """The ``kb_events`` columns an import writes for ``event`` (staff creation too)."""
    return _event_values(event, position)


def _assembly_values(assembly: AssemblySpec, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "dong_id": assembly.dong,
        "title": _text(assembly.title),
        "opens_at": assembly.opens_at,
        "closes_at": assembly.closes_at,
        "method": assembly.method,
        "max_choices": assembly.max_choices,
        "eligibility": _text(assembly.eligibility),
        "quorum_percent": assembly.quorum_percent,
    }


def _item_values(item: AssemblyItemSpec, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "title": _text(item.title),
        "description": _text(item.description),
        "budget_krw": item.budget_krw,
        "category_id": item.category,
        "proposed_by": _text(item.proposed_by) if item.proposed_by is not None else None,
    }


_Synced = TypeVar("_Synced", Region, Dong, Category, Grant, FaqEntry, Event)
_Listed = TypeVar("_Listed", Dong, Category, Grant, FaqEntry, Event, Assembly)
_Record = Region | Dong | Category | Grant | FaqEntry | Event | Assembly | AssemblyItem


def _apply(
    row: _Record, values: Mapping[str, Any], report: SectionReport, key: str, now: datetime
) -> None:
    """Update ``row`` in place where it differs; count it as updated or unchanged.

    A new ``position`` alone (another record was added or removed before it) is stored
    but not reported as a change.
    """
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = changed or name != "position"
    if row.archived:
        row.archived = False
        report.restored_ids.append(key)
        changed = True
    if changed:
        row.updated_at = now
        report.updated += 1
    else:
        report.unchanged += 1


def _archive(row: _Record, report: SectionReport, key: str, now: datetime) -> None:
    if not row.archived:
        row.archived = True
        row.updated_at = now
        report.archived += 1
        report.archived_ids.append(key)


async def _sync(
    session: AsyncSession,
    model: type[_Synced],
    incoming: dict[str, dict[str, Any]],
    report: SectionReport,
    now: datetime,
    keep: Callable[[_Synced], bool] | None = None,
) -> None:
    """Upsert ``incoming``; archive the rows it lacks, except those ``keep`` says to keep."""
    rows = {row.id: row for row in (await session.execute(select(model))).scalars()}
    for id_, values in incoming.items():
        row = rows.get(id_)
        if row is None:
            session.add(model(id=id_, archived=False, updated_at=now, **values))
            report.created += 1
        else:
            _apply(row, values, report, id_, now)
    for id_, row in rows.items():
        if id_ not in incoming and not (keep is not None and keep(row)):
            _archive(row, report, id_, now)
    await session.flush()


def _staff_made(row: Event | FaqEntry) -> bool:
    """Made by staff in the bot (an event, a taught FAQ answer): no import archives it."""
    return row.origin == "staff"


async def _sync_assemblies(
    session: AsyncSession, kb: KnowledgeBase, report: ImportReport, now: datetime
) -> None:
    assemblies_report, items_report = report["assemblies"], report["assembly_items"]
    rows = {row.id: row for row in (await session.execute(select(Assembly))).scalars()}
    incoming_ids = set()
    for position, spec in enumerate(kb.assemblies):
        incoming_ids.add(spec.id)
        values = _assembly_values(spec, position)
        row = rows.get(spec.id)
        if row is None:
            row = Assembly(id=spec.id, archived=False, items=[], updated_at=now, **values)
            session.add(row)
            assemblies_report.created += 1
        else:
            _apply(row, values, assemblies_report, spec.id, now)
        items = {item.id: item for item in row.items}
        for item_position, item_spec in enumerate(spec.items):
            key = f"{spec.id}/{item_spec.id}"
            item_values = _item_values(item_spec, item_position)
            item = items.pop(item_spec.id, None)
            if item is None:
                row.items.append(
                    AssemblyItem(id=item_spec.id, archived=False, updated_at=now, **item_values)
                )
                items_report.created += 1
            else:
                _apply(item, item_values, items_report, key, now)
        for item in items.values():
            _archive(item, items_report, f"{spec.id}/{item.id}", now)
    for id_, row in rows.items():
        if id_ not in incoming_ids:
            _archive(row, assemblies_report, id_, now)
            for item in row.items:
                _archive(item, items_report, f"{id_}/{item.id}", now)
    await session.flush()


async def import_kb(
    session: AsyncSession, kb: KnowledgeBase, now: datetime | None = None
) -> ImportReport:
    """Upsert a validated KB by id; archive what it no longer contains.

    Records that come back after being archived are un-archived (and counted as updated).
    Flushes but does not commit: the caller owns the transaction.
    """
    report = ImportReport()
    now = now or datetime.now(UTC)  # callers pass the bot's clock
    region_values = {kb.region.id: _region_values(kb.region)}
    await _sync(session, Region, region_values, report["region"], now)
    # (table, report section, records, their row values, which rows no import archives):
    # the same upsert for each. What staff made in the bot — events (``/newevent``) and
    # answers taught from ``/unanswered`` — survives a re-import of the centre's file.
    sections: list[tuple[Any, str, Sequence[Any], Callable[[Any, int], dict[str, Any]], Any]] = [
        (Dong, "dongs", kb.dongs, _dong_values, None),
        (Category, "categories", kb.categories, _dong_values, None),
        (Grant, "grants", kb.grants, _grant_values, None),
        (FaqEntry, "faq", kb.faq, _faq_values, _staff_made),
        (Event, "events", kb.events, _event_values, _staff_made),
    ]
    for model, name, records, values, keep in sections:
        incoming = {r.id: values(r, i) for i, r in enumerate(records)}
        await _sync(session, model, incoming, report[name], now, keep=keep)
    await _sync_assemblies(session, kb, report, now)
    return report


async def kb_is_empty(session: AsyncSession) -> bool:
    """True until a KB has been imported (archived records count as imported)."""
    return (await session.execute(select(Region.id).limit(1))).first() is None


# ---------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------


def _dump(spec: BaseModel) -> dict[str, Any]:
    return spec.model_dump(exclude_defaults=True)


async def _active(session: AsyncSession, model: type[_Listed]) -> list[_Listed]:
    query = select(model).where(model.archived.is_(False)).order_by(model.position, model.id)
    return list((await session.execute(query)).scalars())


def event_document(e: Event, tz: ZoneInfo) -> dict[str, Any]:
    """One event row as a KB document entry (datetimes in ``tz``).

    Staff-created events carry ``origin: staff``; staff cancellations and occurrence
    changes are written too (``cancelled``, ``changes``), so the snapshot the bot reads and
    an exported file show them. Importing such a file keeps staff events as staff events;
    ``cancelled`` and ``changes`` in a file are not imported (they belong to the database).
    """
    changes = [
        {
            key: (
                datetime.fromisoformat(value).astimezone(tz)
                if key in ("occurrence", "starts_at", "ends_at") and isinstance(value, str)
                else value
            )
            for key, value in change.items()
        }
        for change in (e.changes or [])
    ]
    return {
        "id": e.id,
        "kind": e.kind,
        "dong": e.dong_id,
        "title": e.title,
        "starts_at": e.starts_at.astimezone(tz),
        "ends_at": e.ends_at.astimezone(tz),
        "rrule": e.rrule,
        "place": e.place,
        "audience": e.audience,
        "description": e.description,
        "registration": (
            {
                "required": e.registration_required,
                "capacity": e.registration_capacity,
                "closes_hours_before": e.registration_closes_hours_before,
            }
            if e.registration_required is not None
            else None
        ),
        "survey": e.survey,
        "related_grants": e.related_grant_ids,
        "origin": e.origin or "kb",
        "cancelled": bool(e.cancelled),
        "changes": changes,
    }


async def _exported(
    session: AsyncSession,
    model: type[_Listed],
    spec: type[BaseModel],
    document: Callable[[_Listed], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The non-archived rows of ``model``, each as ``document`` writes it, validated by
    ``spec`` and dumped (defaults left out)."""
    return [_dump(spec.model_validate(document(row))) for row in await _active(session, model)]


def _grant_document(g: Grant) -> dict[str, Any]:
    return {
        "id": g.id,
        "name": g.name,
        "aliases": g.aliases,
        "categories": g.category_ids,
        "summary": g.summary,
        "eligibility": g.eligibility,
        "rules": g.rules,
        "amount": {
            "max_krw": g.max_krw,
            "total_krw": g.total_krw,
            "expected_awards": g.expected_awards,
            "self_funding_percent": g.self_funding_percent,
        },
        "application": {
            "opens": g.opens_on,
            "closes": g.closes_on,
            "result_on": g.result_on,
            "how": g.how_to_apply,
        },
        "documents": g.documents,
        "support": g.support,
        "contact": g.contact,
    }


def _faq_document(f: FaqEntry) -> dict[str, Any]:
    return {
        "id": f.id,
        "question": f.question,
        "answer": f.answer,
        "keywords": f.keywords,
        "related": f.related_ids,
        "origin": f.origin or "kb",
    }


def _assembly_document(a: Assembly, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": a.id,
        "dong": a.dong_id,
        "title": a.title,
        "opens_at": a.opens_at.astimezone(tz),
        "closes_at": a.closes_at.astimezone(tz),
        "method": a.method,
        "max_choices": a.max_choices,
        "eligibility": a.eligibility,
        "quorum_percent": a.quorum_percent,
        "items": [
            {
                "id": item.id,
                "title": item.title,
                "description": item.description,
                "budget_krw": item.budget_krw,
                "category": item.category_id,
                "proposed_by": item.proposed_by,
            }
            for item in a.items
            if not item.archived
        ],
    }


async def export_kb(session: AsyncSession) -> dict[str, Any]:
    """The non-archived records as a KB document (validates; re-imports unchanged).

    Datetimes are given in the region's time zone. Raises LookupError when nothing has
    been imported.
    """
    query = select(Region).where(Region.archived.is_(False)).order_by(Region.updated_at.desc())
    region = (await session.execute(query)).scalars().first()
    if region is None:
        raise LookupError("no knowledge base has been imported")
    tz = ZoneInfo(region.timezone)
    doc: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "region": _dump(
            RegionSpec.model_validate(
                {
                    "id": region.id,
                    "name": region.name,
                    "timezone": region.timezone,
                    "centre": region.centre,
                    "contact": region.contact,
                }
            )
        ),
    }
    doc["dongs"] = await _exported(session, Dong, DongSpec, lambda d: {"id": d.id, "name": d.name})
    doc["categories"] = await _exported(
        session, Category, CategorySpec, lambda c: {"id": c.id, "name": c.name}
    )
    doc["grants"] = await _exported(session, Grant, GrantSpec, _grant_document)
    doc["faq"] = await _exported(session, FaqEntry, FaqSpec, _faq_document)
    doc["events"] = await _exported(session, Event, EventSpec, lambda e: event_document(e, tz))
    doc["assemblies"] = await _exported(
        session, Assembly, AssemblySpec, lambda a: _assembly_document(a, tz)
    )
    return doc


# ---------------------------------------------------------------------------------------
# YAML output
# ---------------------------------------------------------------------------------------

_FLOW_WIDTH = 90
_TOP_LEVEL_KEY_RE = re.compile(r"^[A-Za-z_][\w-]*:")


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | date)


def _short(values: Iterable[object]) -> bool:
    return sum(len(str(v)) + 4 for v in values) <= _FLOW_WIDTH


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key, short leaves in flow style."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    flow = all(_is_scalar(v) and "\n" not in str(v) for v in data.values()) and _short(
        [*data.keys(), *data.values()]
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    flow = all(_is_scalar(v) and "\n" not in str(v) for v in data) and _short(data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None  # multi-line texts as literal blocks
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_datetime(dumper: yaml.SafeDumper, data: datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", data.isoformat())


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(datetime, _represent_datetime)


def dump_yaml(doc: Mapping[str, Any]) -> str:
    """Render a KB document as YAML: Korean as is, keys in document order, no wrapping."""
    text = yaml.dump(
        dict(doc),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
        default_flow_style=False,
    )
    lines = text.splitlines()
    out: list[str] = []
    for index, line in enumerate(lines):
        if index and _TOP_LEVEL_KEY_RE.match(line):
            out.append("")  # a blank line between top-level sections
        out.append(line)
    return "\n".join(out) + "\n"


__all__ = [
    "FORMAT_VERSION",
    "REPORT_SECTIONS",
    "SECTION_NAMES",
    "AssemblyItemSpec",
    "AssemblySpec",
    "CategorySpec",
    "DongSpec",
    "EventSpec",
    "FaqSpec",
    "GrantAmount",
    "GrantApplication",
    "GrantContact",
    "GrantRules",
    "GrantSpec",
    "ImportReport",
    "KBLoadError",
    "KnowledgeBase",
    "LocalizedText",
    "OccurrenceChange",
    "RegionContact",
    "RegionSpec",
    "Registration",
    "SectionReport",
    "demo_kb_path",
    "dump_yaml",
    "event_document",
    "event_values",
    "export_kb",
    "import_kb",
    "kb_is_empty",
    "load_and_validate",
    "load_file",
    "load_text",
    "rrule_problem",
    "validate",
]

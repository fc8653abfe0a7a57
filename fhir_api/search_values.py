"""How fhir_api.search reads the values a client sends, and the resource values they are compared with.

Escaping (mappings.search_values: one rule with ConceptMap search), prefixes and dates follow R4
search.html (#escaping, #prefix, #date); a value that cannot be read is an InvalidRequest that says how
to write it. Pure Python: no Flask, no catalog.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from mappings.search_values import UNESCAPED_BAR, parse_token, unescape
from terminology.errors import InvalidRequest
from terminology.textsearch import fold

DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
# [0-9], not \d: \d takes any script's digits, which int() reads but FHIR does not allow
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]+)?)?"
                   r"(Z|[+ -][0-9]{2}:[0-5][0-9])?)?)?)?")
_CACHED_LENGTH = 256        # longer strings are not kept in the caches below (a client's junk would stay)
MAX_INSTANT = datetime.max.replace(tzinfo=timezone.utc)
MIN_INSTANT = datetime.min.replace(tzinfo=timezone.utc)


def folded(s: str | None) -> str | None:
    """Case- and accent-insensitive form (R4 string search), as the text filter of $expand folds:
    æ, ø and å stay letters of their own (Norwegian "føre" is not "fore")."""
    if s is None:
        return None
    return _fold_kept(s) if len(s) <= _CACHED_LENGTH else fold(s)


@lru_cache(maxsize=1 << 16)      # header values repeat from one search to the next
def _fold_kept(s: str) -> str:
    return fold(s)


def date_range(s: str) -> tuple[datetime, datetime] | None:
    """The instants a FHIR date/dateTime/instant stands for: [start, end) at its precision."""
    # the longest FHIR instant with nanoseconds and an offset is 35 characters
    s = s.strip(" ")        # a '+' sent unencoded in a query string arrives as a space: read it as the '+'
    if not s or len(s) > 64 or not s[:1].isascii() or not s[:1].isdigit():
        return None
    return _date_range_kept(s)


@lru_cache(maxsize=1 << 14)
def _date_range_kept(s: str) -> tuple[datetime, datetime] | None:
    m = _DATE.fullmatch(s)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    try:
        offset = timedelta(0) if tz in (None, "Z") else \
            (-1 if tz[0] == "-" else 1) * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
        start = datetime(int(y), int(mo or 1), int(d or 1), int(hh or 0), int(mi or 0), int(ss or 0),
                         int(((frac or ".0")[1:] + "000000")[:6]))
    except ValueError:          # month 13, day 30 of February, hour 25
        return None
    if abs(offset) > timedelta(hours=14):
        return None
    try:
        if mo is None:
            end = start.replace(year=start.year + 1)
        elif d is None:
            end = start.replace(year=start.year + 1, month=1) if start.month == 12 else \
                start.replace(month=start.month + 1)
        elif hh is None:
            end = start + timedelta(days=1)
        elif ss is None:
            end = start + timedelta(minutes=1)
        elif frac is None:
            end = start + timedelta(seconds=1)
        else:
            end = start + timedelta(microseconds=max(1, 10 ** (6 - min(6, len(frac) - 1))))
    except (ValueError, OverflowError):     # the year 9999 reaches the end of time
        end = None
    return _utc(start, offset), (MAX_INSTANT if end is None else _utc(end, offset))


def _utc(local: datetime, offset: timedelta) -> datetime:
    try:
        return (local - offset).replace(tzinfo=timezone.utc)
    except OverflowError:       # within a day of the ends of time
        return MIN_INSTANT if offset > timedelta(0) else MAX_INSTANT


def _not_valid(kind: str, name: str, raw: str, how: str) -> InvalidRequest:
    """The 400 for a value of an ordered or composite parameter that cannot be read; `how` says how to write it."""
    return InvalidRequest(f"'{raw}' is not a valid value for the {kind} parameter '{name}': {how}",
                          location=f"http.{name}")


def _prefixed(kind: str, name: str, raw: str) -> tuple[str, str]:
    """(search prefix, rest) of an ordered value (date, quantity): `eq` when it has none."""
    if len(raw) >= 2 and raw[:2].isalpha():
        if raw[:2] not in DATE_PREFIXES:
            raise _not_valid(kind, name, raw, f"'{raw[:2]}' is not a search prefix; use one of "
                             f"{', '.join(DATE_PREFIXES)} before the {kind}")
        return raw[:2], raw[2:]
    return "eq", raw


def parse_date(name: str, raw: str):
    prefix, value = _prefixed("date", name, raw)
    rng = date_range(value)
    if rng is None:
        raise _not_valid("date", name, raw, "write the date as yyyy, yyyy-mm, yyyy-mm-dd or "
                         "yyyy-mm-ddThh:mm[:ss][Z|+hh:mm], optionally after a prefix "
                         f"({', '.join(DATE_PREFIXES)}), e.g. {name}=ge2020-01")
    return prefix, rng


_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")


def parse_quantity(name: str, raw: str):
    """`[prefix]number[|system|code]` -> (prefix, number, (low, high) of its implied precision, system, code)."""
    prefix, rest = _prefixed("quantity", name, raw)
    parts = UNESCAPED_BAR.split(rest)
    m = _QUANTITY.fullmatch(parts[0])
    if not m or len(parts) not in (1, 3):
        raise _not_valid("quantity", name, raw, "write [prefix]number[|system|code], "
                         f"e.g. {name}=ge18|http://unitsofmeasure.org|a")
    number = Decimal(m.group(1))
    if abs(number.adjusted()) > 1000 or abs(number.as_tuple().exponent) > 1000:
        raise InvalidRequest(f"'{raw}': the number of the quantity parameter '{name}' is out of range",
                             location=f"http.{name}")
    half = Decimal(1).scaleb(number.as_tuple().exponent) / 2      # 5.4 stands for [5.35, 5.45)
    system, code = (unescape(parts[1]) or None, unescape(parts[2]) or None) if len(parts) == 3 else (None, None)
    return prefix, number, (number - half, number + half), system, code


def parse_composite(name: str, raw: str):
    halves = [h for h in re.split(r"(?<!\\)\$", raw)]
    if len(halves) != 2 or not halves[0] or not halves[1]:
        raise _not_valid("composite", name, raw, "write the context type and the value joined by '$', "
                         f"e.g. {name}=focus$http://snomed.info/sct|38341003")
    second = parse_quantity(name, halves[1]) if name.endswith("quantity") else parse_token(halves[1])
    return parse_token(halves[0]), second


def parse_of_type(key: str, raw: str) -> tuple[tuple[str, str], str]:
    parts = UNESCAPED_BAR.split(raw)
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise InvalidRequest(f"'{raw}' is not a valid value for '{key}': write [type system]|[type code]|[value], "
                             f"e.g. {key}=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345",
                             location=f"http.{key}")
    return (unescape(parts[0]), unescape(parts[1])), unescape(parts[2])


def json_number(v) -> Decimal | None:
    """A resource's JSON number (or numeric string) as a finite Decimal; None for anything else."""
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None

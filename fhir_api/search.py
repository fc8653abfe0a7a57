"""FHIR R4 search on the terminology resources (R4 search.html and http.html#search).

`GET /{type}?…` and `POST /{type}/_search` (form body, plus any query string) give the same
searchset Bundle. The parameters are the R4 SearchParameters of CodeSystem, ValueSet, ConceptMap
and NamingSystem (the `conformance-*` ones they share and their own), with the modifiers of each
parameter type, OR by comma and AND by repetition, `_sort`, `_total`, `_count`/`_offset` paging,
`_summary` and `_elements`.

Parameters the server does not know, and modifiers it does not support, are ignored and reported
in an OperationOutcome entry (search.mode = outcome), as R4 asks of a lenient server; with
`Prefer: handling=strict` they are a 400. A value the server cannot read (a bad date, an unknown
prefix, `:missing=maybe`) is always a 400: ignoring it would answer a different question.

Speed: the catalog headers hold url, version, name, title, status, publisher and date, so those
parameters (and `_id`) are tested without reading a body. The others are tested afterwards, on
the resources the header tests left, and only then is a body read.
"""
from __future__ import annotations

import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Callable
from urllib.parse import parse_qsl, urlencode

from flask import request

from mappings.search_values import (MAX_ALTERNATIVES, UNESCAPED_BAR as _UNESCAPED_BAR, alternatives as _alternatives,
                                    canonical_fits as _reference_match, canonical_reference)
from terminology.codesystem import DOTTED_CODE_SYSTEMS, CodeSystemIndex
from terminology.errors import InvalidRequest
from terminology.textsearch import fold
from terminology.versions import version_key

from .render import fhir_base, fhir_response
from .store import get_catalog

# --- the parameters ------------------------------------------------------------------------------

MODIFIERS = {
    "string": {"exact", "contains", "missing"},
    "token": {"not", "text", "missing"},
    "uri": {"below", "above", "missing"},
    "date": {"missing"},
    "quantity": {"missing"},
    "composite": {"missing"},
    "reference": {"missing"},
}
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
# result parameters (search.html#return) and the two every interaction takes
CONTROL = {"_count", "_offset", "_summary", "_elements", "_sort", "_total", "_format", "_pretty"}
MAX_COUNT = 1000
DEFAULT_COUNT = 50
# what one request may ask: each search test runs on every candidate resource, each sort key sorts them all
MAX_TESTS = 50
MAX_ALTERNATIVES_IN_ALL = 1000     # the alternatives of all the tests together
MAX_SORT_KEYS = 10
MAX_FORM_BYTES = 256 * 1024
MAX_REPORTED = 20           # ignored parameters named one by one in the outcome entry


@dataclass(frozen=True)
class Tok:
    """One token value of a resource: (system, code) and the texts `:text` reads."""
    system: str | None
    code: str | None
    texts: tuple = ()


@dataclass(frozen=True)
class Param:
    name: str
    type: str                                  # string token uri date reference quantity composite
    values: Callable                           # Row -> list of values of the type
    header: bool = False                       # answered from the catalog header alone
    text: bool = False                         # token: has texts, so `:text` means something
    sort: Callable | None = None               # Row -> sort key (None when missing)
    match: Callable | None = None              # (query, Row, alternatives) -> bool, instead of values
    of_type: Callable | None = None            # identifier: Row -> [(type Toks, value)] for `:of-type`


class Row:
    """One candidate resource: its catalog header, its body read only when a test needs it."""
    __slots__ = ("h", "catalog", "_body")

    def __init__(self, h, catalog):
        self.h, self.catalog, self._body = h, catalog, None

    def body(self) -> dict:
        if self._body is None:
            if self.h.pk is None:
                from .resources import derived_bodies
                b = derived_bodies(self.catalog).get(self.h.id)
            else:
                from .resources import stored_body
                b = stored_body(self.catalog, self.h)
            self._body = b if isinstance(b, dict) else {}
        return self._body

    def field(self, name: str):
        # derived (unstored) maps have a thin header: their body holds the truth
        v = getattr(self.h, name) if self.h.pk is not None else self.body().get(name)
        return v if isinstance(v, str) and v != "" else None


def _list(v) -> list:
    return v if isinstance(v, list) else ([] if v is None else [v])


def _dicts(v) -> list[dict]:
    return [x for x in _list(v) if isinstance(x, dict)]


def _coding_toks(codings) -> list[Tok]:
    return [Tok(c.get("system"), c.get("code"), tuple(t for t in (c.get("display"),) if isinstance(t, str)))
            for c in _dicts(codings)]


def _concept_toks(ccs) -> list[Tok]:
    out = []
    for cc in _dicts(ccs):
        text = cc.get("text") if isinstance(cc.get("text"), str) else None
        toks = _coding_toks(cc.get("coding"))
        out += [Tok(t.system, t.code, t.texts + ((text,) if text else ())) for t in toks]
        if text and not toks:
            out.append(Tok(None, None, (text,)))
    return out


def _header_str(name):
    return lambda row: [v] if (v := row.field(name)) is not None else []


def _header_code(name):
    return lambda row: [Tok(None, v)] if (v := row.field(name)) is not None else []


def _body_str(path: str):
    def get(row):
        v = row.body().get(path)
        return [v] if isinstance(v, str) and v else []
    return get


def _identifiers(row) -> list[Tok]:
    out = []
    for i in _dicts(row.body().get("identifier")):
        typ = i.get("type") if isinstance(i.get("type"), dict) else {}
        text = typ.get("text") if isinstance(typ.get("text"), str) else None
        out.append(Tok(i.get("system"), i.get("value"), (text,) if text else ()))
    return out


def _typed_identifiers(row) -> list[tuple[list[Tok], str | None]]:
    return [(_concept_toks([i.get("type")]), i.get("value")) for i in _dicts(row.body().get("identifier"))]


def _use_contexts(row) -> list[dict]:
    return _dicts(row.body().get("useContext"))


def _meta(row, key):
    meta = row.body().get("meta")
    return meta.get(key) if isinstance(meta, dict) else None


def _dates(values) -> list[tuple]:
    out = []
    for v in values:
        r = _date_range(v) if isinstance(v, str) else None
        if r is not None:
            out.append(r)
    return out


def _date_key(row):
    v = row.field("date")
    rng = _date_range(v) if v else None
    return rng[0] if rng else None


def _canonicals(row, key) -> list[str]:
    v = row.body().get(key)
    return [v] if isinstance(v, str) and v else []


def _quantities(use_context: dict) -> list[tuple]:
    """(low, high, system, code, unit) of a useContext's valueQuantity or valueRange (None: unbounded)."""
    out = []
    q = use_context.get("valueQuantity")
    if isinstance(q, dict) and _number(q.get("value")) is not None:
        v = _number(q["value"])
        out.append((v, v, q.get("system"), q.get("code"), q.get("unit")))
    rng = use_context.get("valueRange")
    if isinstance(rng, dict):
        low = rng.get("low") if isinstance(rng.get("low"), dict) else {}
        high = rng.get("high") if isinstance(rng.get("high"), dict) else {}
        if low or high:
            unit_of = low or high
            out.append((_number(low.get("value")), _number(high.get("value")), unit_of.get("system"),
                        unit_of.get("code"), unit_of.get("unit")))
    return out


def _number(v) -> Decimal | None:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _vs_codes(row) -> list[Tok]:
    body = row.body()
    out = []
    compose = body.get("compose") if isinstance(body.get("compose"), dict) else {}
    for inc in _dicts(compose.get("include")):
        system = _canonical(row, inc.get("system"))
        out += [Tok(system, c.get("code"), tuple(t for t in (c.get("display"),) if isinstance(t, str)))
                for c in _dicts(inc.get("concept"))]
    expansion = body.get("expansion") if isinstance(body.get("expansion"), dict) else {}
    stack = _dicts(expansion.get("contains"))
    while stack:
        c = stack.pop()
        if c.get("code"):
            display = c.get("display")
            out.append(Tok(_canonical(row, c.get("system")), c.get("code"),
                           (display,) if isinstance(display, str) else ()))
        stack += _dicts(c.get("contains"))
    return out


def _vs_references(row) -> list[str]:
    compose = row.body().get("compose")
    includes = _dicts(compose.get("include")) if isinstance(compose, dict) else []
    return list(dict.fromkeys(_canonical(row, i["system"]) for i in includes if isinstance(i.get("system"), str)))


def _canonical(row, system):
    """A code system as the catalog names it: its OID (urn:oid or bare) finds it like its url."""
    return (row.catalog.canonical_system(system) or system) if isinstance(system, str) and system else system


def _cs_code(query, row, alts) -> bool:
    """CodeSystem `code`: looked up in the code system's index (its concepts are not in the body)."""
    if row.h.pk is None or not row.h.concept_count:
        return False
    codes, folded = _codes_asked(query, alts, row.h.url)
    if not codes:
        return False
    if "" in codes:
        return True
    index = query.catalog.codesystem_by_pk(row.h.pk)
    if type(index) is CodeSystemIndex and index.url not in DOTTED_CODE_SYSTEMS:
        # every code at once: a request may bring 1,000 codes to try on every code system
        if not index.concepts.keys().isdisjoint(codes):
            return True
        if index.case_sensitive:
            return False
        held = index.folded_codes()
        return any(held[f] is not None for f in held.keys() & folded)   # (None: codes that differ only in case)
    return any(index.find(code)[0] is not None for code in codes)   # as $lookup finds them (dotted forms ...)


def _codes_asked(query, alts, url: str) -> tuple[frozenset, frozenset]:
    """The codes of `alts` asked of code system `url` (canonical already, Query._parse), and their folded forms:
    worked out once per search, not once per code system."""
    kept = query.__dict__.setdefault("_codes_asked", {})
    key = (id(alts), url if any(system is not None for system, _code in alts) else None)
    got = kept.get(key)
    if got is None or got[0] is not alts:
        codes = frozenset(code or "" for system, code in alts if system is None or system == url)
        got = kept[key] = (alts, codes, frozenset(c.casefold() for c in codes))
    return got[1], got[2]


_LANGUAGES: OrderedDict = OrderedDict()     # (store, pk, rev) -> languages; process-wide, bounded
_LANGUAGES_LOCK = threading.Lock()
_LANGUAGES_KEPT = 512


def _cs_languages(row) -> list[Tok]:
    """The designation languages of a code system. Walking SNOMED's designations takes seconds, so the
    answer is kept per resource revision (a PUT of another resource leaves it valid), not per store revision."""
    if row.h.pk is None or not row.h.concept_count:
        return []
    store = getattr(row.catalog, "store", None)
    key = (getattr(store, "path", None) or id(store), row.h.pk, row.h.rev)
    with _LANGUAGES_LOCK:
        langs = _LANGUAGES.get(key)
        if langs is not None:
            _LANGUAGES.move_to_end(key)
    if langs is None:
        index = row.catalog.codesystem_by_pk(row.h.pk)
        langs = tuple(sorted({d["language"] for c in index.concepts.values() for d in c.designations
                              if isinstance(d, dict) and isinstance(d.get("language"), str)}))
        with _LANGUAGES_LOCK:
            _LANGUAGES[key] = langs
            while len(_LANGUAGES) > _LANGUAGES_KEPT:
                _LANGUAGES.popitem(last=False)
    return [Tok(None, lang) for lang in langs]


def _common(conformance: bool = True) -> dict[str, Param]:
    ps = [
        Param("name", "string", _header_str("name"), header=True, sort=lambda r: _fold(r.field("name"))),
        Param("publisher", "string", _header_str("publisher"), header=True,
              sort=lambda r: _fold(r.field("publisher"))),
        Param("status", "token", _header_code("status"), header=True, sort=lambda r: r.field("status")),
        Param("date", "date", lambda r: _dates([r.field("date")]), header=True, sort=_date_key),
        Param("description", "string", _body_str("description"),
              sort=lambda r: _fold(_first(_body_str("description")(r)))),
        Param("jurisdiction", "token", lambda r: _concept_toks(r.body().get("jurisdiction")), text=True),
        Param("context", "token", lambda r: _concept_toks(
            [u.get("valueCodeableConcept") for u in _use_contexts(r)]), text=True),
        Param("context-type", "token", lambda r: _coding_toks([u.get("code") for u in _use_contexts(r)]), text=True),
        Param("context-quantity", "quantity", lambda r: [q for u in _use_contexts(r) for q in _quantities(u)]),
        # composites: one useContext must match both halves (code$value)
        Param("context-type-value", "composite", lambda r: [
            (_coding_toks([u.get("code")]), _concept_toks([u.get("valueCodeableConcept")])) for u in _use_contexts(r)]),
        Param("context-type-quantity", "composite", lambda r: [
            (_coding_toks([u.get("code")]), _quantities(u)) for u in _use_contexts(r)]),
        Param("_id", "token", lambda r: [Tok(None, r.h.id)], header=True, sort=lambda r: r.h.id),
        Param("_lastUpdated", "date", lambda r: _dates(_list(_meta(r, "lastUpdated"))),
              sort=lambda r: next(iter(_dates(_list(_meta(r, "lastUpdated")))), None)),
        Param("_tag", "token", lambda r: _coding_toks(_meta(r, "tag")), text=True),
        Param("_security", "token", lambda r: _coding_toks(_meta(r, "security")), text=True),
        Param("_profile", "uri", lambda r: [p for p in _list(_meta(r, "profile")) if isinstance(p, str)]),
        Param("_source", "uri", lambda r: [p for p in _list(_meta(r, "source")) if isinstance(p, str)]),
    ]
    if conformance:   # the canonical resources; NamingSystem has none of these in R4
        ps += [
            Param("url", "uri", _header_str("url"), header=True, sort=lambda r: r.field("url")),
            Param("version", "token", _header_code("version"), header=True,
                  sort=lambda r: version_key(v) if (v := r.field("version")) else None),
            Param("title", "string", _header_str("title"), header=True, sort=lambda r: _fold(r.field("title"))),
            Param("identifier", "token", _identifiers, text=True, of_type=_typed_identifiers),
        ]
    return {p.name: p for p in ps}


def _first(values):
    return values[0] if values else None


def _build_tables() -> dict[str, dict[str, Param]]:
    cs = _common()
    cs.update({p.name: p for p in [
        Param("system", "uri", _header_str("url"), header=True, sort=lambda r: r.field("url")),
        Param("code", "token", lambda r: [], match=_cs_code),
        Param("content-mode", "token", lambda r: [Tok(None, v) for v in _body_str("content")(r)],
              sort=lambda r: _first(_body_str("content")(r))),
        Param("supplements", "reference", lambda r: _canonicals(r, "supplements")),
        Param("language", "token", _cs_languages),
    ]})
    vs = _common()
    vs.update({p.name: p for p in [
        Param("code", "token", _vs_codes, text=True),
        Param("expansion", "uri", lambda r: [v for v in [(r.body().get("expansion") or {}).get("identifier")]
                                             if isinstance(v, str)] if isinstance(r.body().get("expansion"), dict)
              else []),
        Param("reference", "uri", _vs_references),
    ]})
    cm = _common()
    ns = _common(conformance=False)
    ns.update({p.name: p for p in [
        Param("kind", "token", lambda r: [Tok(None, v) for v in _body_str("kind")(r)]),
        Param("type", "token", lambda r: _concept_toks(r.body().get("type")), text=True),
        Param("responsible", "string", _body_str("responsible")),
        Param("value", "string", lambda r: [u["value"] for u in _dicts(r.body().get("uniqueId"))
                                            if isinstance(u.get("value"), str)]),
        Param("id-type", "token", lambda r: [Tok(None, u["type"]) for u in _dicts(r.body().get("uniqueId"))
                                             if isinstance(u.get("type"), str)]),
    ]})
    return {"CodeSystem": cs, "ValueSet": vs, "ConceptMap": cm, "NamingSystem": ns}


TABLES = _build_tables()


def _map_parameters(rtype: str) -> dict[str, str]:
    """The ConceptMap parameters that look inside a map (mappings.conceptmap_search)."""
    if rtype != "ConceptMap":
        return {}
    from mappings.conceptmap_search import PARAMETERS
    return PARAMETERS


_OWN = {"CodeSystem": {"system", "code", "content-mode", "supplements", "language"},
        "ValueSet": {"code", "expansion", "reference"},
        "NamingSystem": {"kind", "type", "responsible", "value", "id-type"}}


def definition_id(rtype: str, name: str) -> str:
    """The id of the R4 SearchParameter resource that defines `name` on `rtype`."""
    if name.startswith("_"):
        return f"Resource-{name[1:]}"
    if name in _OWN.get(rtype, ()) or name in _map_parameters(rtype):
        return f"{rtype}-{name}"
    return f"conformance-{name}"


def supported_parameters(rtype: str) -> list[tuple[str, str]]:
    """(name, type) of every search parameter served for `rtype`: the CapabilityStatement's list."""
    return [(p.name, p.type) for p in TABLES.get(rtype, {}).values()] + list(_map_parameters(rtype).items())


# --- reading values ------------------------------------------------------------------------------

# [0-9], not \d: \d takes any script's digits, which int() reads but FHIR does not allow
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]+)?)?"
                   r"(Z|[+ -][0-9]{2}:[0-5][0-9])?)?)?)?")
_CACHED_LENGTH = 256        # longer strings are not kept in the caches below (a client's junk would stay)
_MAX = datetime.max.replace(tzinfo=timezone.utc)
_MIN = datetime.min.replace(tzinfo=timezone.utc)


def _short(text: str, limit: int = 100) -> str:
    """A client's text as a message echoes it: long keys and values cut, so an answer stays small."""
    return text if len(text) <= limit else text[:limit] + "…"


def _unescape(v: str) -> str:
    return re.sub(r"\\([\\,$|])", r"\1", v)


def _fold(s: str | None) -> str | None:
    """Case- and accent-insensitive form (R4 string search), as the text filter of $expand folds:
    æ, ø and å stay letters of their own (Norwegian "føre" is not "fore")."""
    if s is None:
        return None
    return _fold_kept(s) if len(s) <= _CACHED_LENGTH else fold(s)


@lru_cache(maxsize=1 << 16)      # header values repeat from one search to the next
def _fold_kept(s: str) -> str:
    return fold(s)


def _date_range(s: str) -> tuple[datetime, datetime] | None:
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
    return _utc(start, offset), (_MAX if end is None else _utc(end, offset))


def _utc(local: datetime, offset: timedelta) -> datetime:
    try:
        return (local - offset).replace(tzinfo=timezone.utc)
    except OverflowError:       # within a day of the ends of time
        return _MIN if offset > timedelta(0) else _MAX


def _prefixed(kind: str, name: str, raw: str) -> tuple[str, str]:
    """(search prefix, rest) of an ordered value (date, quantity): `eq` when it has none."""
    if len(raw) >= 2 and raw[:2].isalpha():
        if raw[:2] not in DATE_PREFIXES:
            raise InvalidRequest(f"'{raw}' is not a valid value for the {kind} parameter '{name}': '{raw[:2]}' is "
                                 f"not a search prefix; use one of {', '.join(DATE_PREFIXES)} before the {kind}",
                                 location=f"http.{name}")
        return raw[:2], raw[2:]
    return "eq", raw


def _parse_date(name: str, raw: str):
    prefix, value = _prefixed("date", name, raw)
    rng = _date_range(value)
    if rng is None:
        raise InvalidRequest(f"'{raw}' is not a valid value for the date parameter '{name}': write the date as "
                             "yyyy, yyyy-mm, yyyy-mm-dd or yyyy-mm-ddThh:mm[:ss][Z|+hh:mm], optionally after a "
                             f"prefix ({', '.join(DATE_PREFIXES)}), e.g. {name}=ge2020-01", location=f"http.{name}")
    return prefix, rng


_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")


def _parse_quantity(name: str, raw: str):
    """`[prefix]number[|system|code]` -> (prefix, number, (low, high) of its implied precision, system, code)."""
    prefix, rest = _prefixed("quantity", name, raw)
    parts = _UNESCAPED_BAR.split(rest)
    m = _QUANTITY.fullmatch(parts[0])
    if not m or len(parts) not in (1, 3):
        raise InvalidRequest(f"'{raw}' is not a valid value for the quantity parameter '{name}': write "
                             f"[prefix]number[|system|code], e.g. {name}=ge18|http://unitsofmeasure.org|a",
                             location=f"http.{name}")
    number = Decimal(m.group(1))
    if abs(number.adjusted()) > 1000 or abs(number.as_tuple().exponent) > 1000:
        raise InvalidRequest(f"'{raw}': the number of the quantity parameter '{name}' is out of range",
                             location=f"http.{name}")
    half = Decimal(1).scaleb(number.as_tuple().exponent) / 2      # 5.4 stands for [5.35, 5.45)
    system, code = (_unescape(parts[1]) or None, _unescape(parts[2]) or None) if len(parts) == 3 else (None, None)
    return prefix, number, (number - half, number + half), system, code


def _parse_composite(name: str, raw: str):
    halves = [h for h in re.split(r"(?<!\\)\$", raw)]
    if len(halves) != 2 or not halves[0] or not halves[1]:
        raise InvalidRequest(f"'{raw}' is not a valid value for the composite parameter '{name}': write the "
                             "context type and the value joined by '$', e.g. "
                             f"{name}=focus$http://snomed.info/sct|38341003", location=f"http.{name}")
    second = _parse_quantity(name, halves[1]) if name.endswith("quantity") else _parse_token(halves[1])
    return _parse_token(halves[0]), second


def _parse_of_type(key: str, raw: str) -> tuple[tuple[str, str], str]:
    parts = _UNESCAPED_BAR.split(raw)
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise InvalidRequest(f"'{raw}' is not a valid value for '{key}': write [type system]|[type code]|[value], "
                             f"e.g. {key}=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345",
                             location=f"http.{key}")
    return (_unescape(parts[0]), _unescape(parts[1])), _unescape(parts[2])


def _parse_token(raw: str) -> tuple[str | None, str]:
    parts = _UNESCAPED_BAR.split(raw, 1)
    if len(parts) == 2:
        return _unescape(parts[0]), _unescape(parts[1])
    return None, _unescape(raw)


# --- matching ------------------------------------------------------------------------------------

def _string_match(have: list[str], alts: tuple, modifier: str) -> bool:
    """`alts` as the test holds them: folded already unless the modifier is :exact; each resource value is
    folded once and compared with all of them (startswith takes a tuple: one call, not one per value)."""
    if modifier == "exact":
        return any(h in alts for h in have)
    if modifier == "contains":
        return any(w in f for f in map(_fold, have) for w in alts)
    return any(_fold(h).startswith(alts) for h in have)


def _text_match(texts, alts: tuple) -> bool:
    """Word by word from the start: a text's folded form starts with the value, or a word in it does."""
    for t in texts:
        f = _fold(t)
        if f.startswith(alts) or any(f" {w}" in f for w in alts):
            return True
    return False


def _token_match(tok: Tok, want: tuple[str | None, str]) -> bool:
    system, code = want
    if system is not None and (tok.system or "") != system:
        return False
    return not code or tok.code == code


def _date_match(have: tuple, want) -> bool:
    prefix, (plo, phi) = want
    rlo, rhi = have
    eq = plo <= rlo and rhi <= phi
    if prefix == "eq":
        return eq
    if prefix == "ne":
        return not eq
    if prefix == "gt":
        return rhi > phi
    if prefix == "lt":
        return rlo < plo
    if prefix == "ge":
        return rhi > phi or eq
    if prefix == "le":
        return rlo < plo or eq
    if prefix == "sa":
        return rlo >= phi
    if prefix == "eb":
        return rhi <= plo
    # ap: within a tenth of the distance between the value and now (search.html#prefix)
    gap = abs(datetime.now(timezone.utc) - plo) / 10
    lo = plo - gap if plo - _MIN > gap else _MIN
    hi = phi + gap if _MAX - phi > gap else _MAX
    return rlo < hi and rhi > lo


def _quantity_match(have: tuple, want) -> bool:
    low, high, system, code, unit = have
    prefix, p, (plo, phi), want_system, want_code = want
    if want_system is not None and system != want_system:
        return False
    if want_code is not None and want_code not in (code, unit if want_system is None else code):
        return False
    rlo = low if low is not None else Decimal("-Infinity")
    rhi = high if high is not None else Decimal("Infinity")
    # eq, ne and ap read the implied precision of the number; the other prefixes take it as exact (R4 number)
    if prefix == "eq":
        return plo <= rlo and rhi < phi
    if prefix == "ne":
        return not (plo <= rlo and rhi < phi)
    if prefix == "ap":
        gap = abs(p) / 10
        return rlo <= p + gap and rhi >= p - gap
    return {"gt": rhi > p, "lt": rlo < p, "ge": rhi >= p, "le": rlo <= p, "sa": rlo > p, "eb": rhi < p}[prefix]


def _uri_match(have: list[str], want: str, modifier: str) -> bool:
    if modifier == "below":
        return any(h == want or h.startswith(want.rstrip("/") + "/") for h in have)
    if modifier == "above":
        return any(want == h or want.startswith(h.rstrip("/") + "/") for h in have)
    return want in have


@dataclass
class Test:
    param: Param
    modifier: str
    alts: list          # parsed alternatives (OR)

    def __post_init__(self):
        self.alt_tuple = tuple(self.alts)
        # a plain token test as sets: a resource's tokens are looked up, not compared with each alternative
        self.token_sets = None
        if self.param.type == "token" and self.param.match is None and self.modifier in ("", "not"):
            anything = any(sys is None and not code for sys, code in self.alts)
            self.token_sets = (anything, {c for sys, c in self.alts if sys is None and c},
                               {sys for sys, c in self.alts if sys is not None and not c},
                               {(sys, c) for sys, c in self.alts if sys is not None and c})

    def _token_hit(self, have: list[Tok]) -> bool:
        anything, codes, systems, pairs = self.token_sets
        if anything:
            return bool(have)
        return any(t.code in codes or (t.system or "") in systems or ((t.system or ""), t.code) in pairs
                   for t in have)

    def __call__(self, query: "Query", row: Row) -> bool:
        p, mod = self.param, self.modifier
        if mod == "missing":
            missing = not (p.match(query, row, [(None, "")]) if p.match else p.values(row))
            return missing == self.alts[0]
        if p.match is not None:
            hit = p.match(query, row, self.alts)
            return not hit if mod == "not" else hit
        have = p.values(row)
        if p.type == "string":
            return _string_match(have, self.alt_tuple, mod)
        if mod == "of-type":
            return any(value == want_value and any(_token_match(t, want_type) for t in types)
                       for types, value in p.of_type(row) for want_type, want_value in self.alts)
        if p.type == "token":
            if mod == "text":
                return _text_match([t for tok in have for t in tok.texts], self.alt_tuple)
            hit = self._token_hit(have)
            return not hit if mod == "not" else hit
        if p.type == "date":
            return any(_date_match(h, w) for h in have for w in self.alts)
        if p.type == "quantity":
            return any(_quantity_match(h, w) for h in have for w in self.alts)
        if p.type == "composite":
            quantity = p.name.endswith("quantity")
            return any(any(_token_match(t, first) for t in types)
                       and any((_quantity_match(v, second) if quantity else _token_match(v, second)) for v in values)
                       for types, values in have for first, second in self.alts)
        if p.type == "uri":
            return any(_uri_match(have, w, mod) for w in self.alts)
        return any(_reference_match(ref, w) for ref in have for w in self.alts)


class Query:
    """One search request, parsed: the tests (AND of ORs), the map query, the result parameters."""

    def __init__(self, rtype: str, pairs: list[tuple[str, str]], catalog, strict: bool):
        self.rtype, self.catalog, self.strict = rtype, catalog, strict
        self.table = TABLES[rtype]
        self.tests: list[Test] = []
        self.map_args: dict[str, list[str]] = {}
        self.control: dict[str, str] = {}
        self.used: list[tuple[str, str]] = []       # the pairs this search applied (the self link)
        self.ignored: list[str] = []
        self.unknown = 0                            # parameters ignored as unknown: the known ones are listed once
        for key, value in pairs:
            self._take(key, value)
            if len(self.tests) > MAX_TESTS:     # refused before the rest is parsed
                break
        n_tests = len(self.tests) + sum(len(v) for v in self.map_args.values())
        if n_tests > MAX_TESTS:
            raise InvalidRequest(f"this search has {n_tests} search tests; a search takes at most {MAX_TESTS} "
                                 "(each one runs on every candidate resource): split it")
        n_alts = sum(len(t.alts) for t in self.tests) + sum(v.count(",") + 1 for vs in self.map_args.values()
                                                           for v in vs)
        if n_alts > MAX_ALTERNATIVES_IN_ALL:
            raise InvalidRequest(f"this search has {n_alts} alternatives in all; a search takes at most "
                                 f"{MAX_ALTERNATIVES_IN_ALL} (each one is tried on every candidate resource)")
        self.used += [(k, v) for k, v in self.control.items() if k not in ("_format", "_pretty")]

    def _control(self, key: str, value: str) -> None:
        """A result parameter. Empty is absent, as for search parameters; repeated `_sort` (and `_elements`)
        values join as one list; any other repeated with a different value is refused, so the self link is
        always the search done."""
        if value == "" or key in ("_format", "_pretty"):
            if value != "":
                self.control.setdefault(key, value)
            return
        have = self.control.get(key)
        if have is None or have == value:
            self.control[key] = value
        elif key in ("_sort", "_elements"):
            self.control[key] = have + "," + value
        else:
            raise InvalidRequest(f"{key} is given twice ('{_short(have)}' and '{_short(value)}'); give it once",
                                 location=f"http.{key}")

    def _refuse(self, text: str) -> None:
        if self.strict:
            raise InvalidRequest(text + " (the request asked for 'Prefer: handling=strict'; without it the "
                                 "parameter would be ignored)", location="http." + text.split("'")[1])
        self.ignored.append(text)

    def known(self) -> str:
        return (", ".join(sorted(set(self.table) | set(_map_parameters(self.rtype))))
                + " and the result parameters " + ", ".join(sorted(CONTROL)))

    def _take(self, key: str, value: str) -> None:
        if key in CONTROL:
            self._control(key, value)
            return
        name, _, modifier = key.partition(":")
        param = self.table.get(name)
        maps = _map_parameters(self.rtype)
        if param is None and name not in maps:
            if self.strict:
                self._refuse(f"'{_short(key)}' is not a search parameter of {self.rtype}; this server knows "
                             + self.known())
            self.unknown += 1
            self._refuse(f"'{_short(key)}' is not a search parameter of {self.rtype}")
            return
        if param is None:   # inside a map: mappings.conceptmap_search, no modifiers
            if modifier:
                self._refuse(f"'{_short(key)}': the modifier ':{_short(modifier)}' is not supported on '{name}' "
                             "(the ConceptMap parameters that look inside a map take no modifiers)")
                return
            if value != "":
                self.map_args.setdefault(name, []).append(value)
                self.used.append((key, value))
            return
        allowed = set(MODIFIERS[param.type])
        if param.type == "token" and not param.text:
            allowed.discard("text")
        if param.of_type is not None:
            allowed.add("of-type")
        if param.match is not None:
            allowed &= {"not", "missing"}
        if modifier and modifier not in allowed:
            self._refuse(f"'{_short(key)}': the modifier ':{_short(modifier)}' is not supported on the {param.type} parameter "
                         f"'{name}'; supported: " + (", ".join(f":{m}" for m in sorted(allowed)) or "none"))
            return
        alts = self._parse(param, key, modifier, value) if value.strip() else []
        if not alts:        # an empty parameter asks nothing (search.html), nor do blank alternatives
            return
        self.tests.append(Test(param, modifier, alts))
        self.used.append((key, value))

    def _parse(self, param: Param, key: str, modifier: str, raw: str) -> list:
        if modifier == "missing":
            if raw not in ("true", "false"):
                raise InvalidRequest(f"'{key}' takes true or false, not '{raw}'", location=f"http.{key}")
            return [raw == "true"]
        alts = _alternatives(raw, key)
        if param.type == "date":
            return [_parse_date(param.name, a) for a in alts]
        if param.type == "quantity":
            return [_parse_quantity(param.name, a) for a in alts]
        if param.type == "composite":
            return [_parse_composite(param.name, a) for a in alts]
        if modifier == "of-type":
            return [_parse_of_type(key, a) for a in alts]
        if param.type == "token" and modifier != "text":
            toks = [_parse_token(a) for a in alts]
            if param.name == "code":     # a code system's OID finds it like its url
                toks = list(dict.fromkeys((self._system(sys), code) for sys, code in toks))
            return toks
        if param.type == "reference":
            return [self._reference(_unescape(a)) for a in alts]
        values = list(dict.fromkeys(_unescape(a) for a in alts))
        if param.type == "string" and modifier != "exact" or modifier == "text":
            return list(dict.fromkeys(fold(v) for v in values))       # folded once here, not per resource
        if param.type == "uri" and not modifier and (
                (self.rtype, param.name) in (("CodeSystem", "url"), ("CodeSystem", "system"), ("ValueSet", "reference"))):
            # the OID form of a code system finds it like its canonical URL
            values = list(dict.fromkeys(values + [self._system(v) for v in values]))
        return values

    def _system(self, system: str | None) -> str | None:
        return (self.catalog.canonical_system(system) or system) if system else system

    def _reference(self, value: str) -> tuple[str, str | None, bool]:
        """A reference value (CodeSystem `supplements`): `url|version`, or `CodeSystem/id` (also a bare id)."""
        return canonical_reference(self.catalog, value, "CodeSystem")

    # --- running ---------------------------------------------------------------------------------
    def candidates(self) -> list:
        from .resources import _derived_headers
        by_url = next((t for t in self.tests if t.param.name == "url" and not t.modifier), None)
        if by_url is not None:
            # the common case: straight to the resources with that URL (every url test, this one
            # included, still runs on each candidate: AND by repetition)
            hs = [h for u in dict.fromkeys(by_url.alts) for h in self.catalog.headers_by_url(self.rtype, u)]
            hs += [h for h in _derived_headers(self.catalog, self.rtype) if h.url in by_url.alts]
            return sorted({id(h): h for h in hs}.values(), key=lambda h: (h.pk is None, h.pk or 0))
        return self.catalog.headers(self.rtype) + _derived_headers(self.catalog, self.rtype)

    def run(self) -> list[Row]:
        rows = [Row(h, self.catalog) for h in self.candidates()]
        ordered = [t for t in self.tests if t.param.header] + [t for t in self.tests if not t.param.header]
        for test in ordered:
            rows = [r for r in rows if test(self, r)]
        if self.map_args:
            from mappings.conceptmap_search import ConceptMapQuery
            query = ConceptMapQuery(self.catalog, self.map_args)
            if query:
                rows = [r for r in rows if r.body() and query.matches(r.body())]
        return self._sorted(rows)

    def _sorted(self, rows: list[Row]) -> list[Row]:
        raw = self.control.get("_sort")
        if not raw:
            return rows
        keys = []
        names = [x.strip() for x in raw.split(",")]
        if len(names) > MAX_SORT_KEYS:
            raise InvalidRequest(f"_sort has {len(names)} keys; a search sorts by at most {MAX_SORT_KEYS}",
                                 location="http._sort")
        for k in names:
            desc, name = k.startswith("-"), k[1:] if k.startswith("-") else k
            param = self.table.get(name)
            if param is None or param.sort is None:
                sortable = sorted(n for n, p in self.table.items() if p.sort is not None)
                raise InvalidRequest(f"_sort: '{_short(name)}' is not a sort key of {self.rtype} here; use "
                                     + ", ".join(sortable) + " (each optionally with '-' for descending)",
                                     location="http._sort")
            keys.append((param, desc))
        for param, desc in reversed(keys):      # stable sorts, the last key first
            present, missing = [], []
            for r in rows:
                k = param.sort(r)
                if k is None:
                    missing.append(r)
                else:
                    present.append((k, r))
            present.sort(key=lambda kr: kr[0], reverse=desc)
            rows = [r for _k, r in present] + missing     # a resource without the value comes last either way
        return rows


# --- the request ---------------------------------------------------------------------------------

def _strict() -> bool:
    prefs = [p.strip().lower().replace(" ", "") for h in request.headers.getlist("Prefer")
             for p in re.split(r"[,;]", h)]
    return "handling=strict" in prefs


def _request_pairs() -> list[tuple[str, str]]:
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        if (request.content_length or 0) > MAX_FORM_BYTES:
            raise InvalidRequest(f"the search form is over {MAX_FORM_BYTES // 1024} KB; a search takes at most "
                                 f"{MAX_TESTS} search tests of at most {MAX_ALTERNATIVES} alternatives each")
        data = request.get_data(cache=True)
        if len(data) > MAX_FORM_BYTES:
            raise InvalidRequest(f"the search form is over {MAX_FORM_BYTES // 1024} KB; a search takes at most "
                                 f"{MAX_TESTS} search tests of at most {MAX_ALTERNATIVES} alternatives each")
        ctype = (request.mimetype or "").lower()
        if data and ctype not in ("", "application/x-www-form-urlencoded"):
            from werkzeug.exceptions import UnsupportedMediaType
            raise UnsupportedMediaType(f"a search by POST sends its parameters as "
                                       f"application/x-www-form-urlencoded, not '{request.mimetype}'")
        try:   # a body without a content type is read as a form too: what curl -d sends
            pairs += parse_qsl(data.decode("utf-8"), keep_blank_values=True, max_num_fields=10_000)
        except (UnicodeDecodeError, ValueError) as e:
            raise InvalidRequest(f"the search form could not be read: {e}")
    return pairs


def _int(control: dict, name: str, default: int) -> int:
    raw = control.get(name)
    if raw is None:
        return default
    # ASCII digits only: int() also reads '１', '1_0' and ' 1', which FHIR's integer does not allow
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise InvalidRequest(f"{name} must be a whole number, at least 0, not '{_short(raw)}'", location=f"http.{name}")
    return int(raw)


def search_type(rtype: str):
    from .outcomes import issue, operation_outcome
    from .resources import _elements_arg, _summary_arg, shape, stored_body
    pairs = _request_pairs()
    catalog = get_catalog()
    query = Query(rtype, pairs, catalog, _strict())
    ctl = query.control
    # (given None, these two would read the query string: an empty value there is absent here)
    summary = _summary_arg(ctl["_summary"]) if "_summary" in ctl else None
    elements = _elements_arg(ctl["_elements"]) if "_elements" in ctl else None
    total_mode = ctl.get("_total")
    if total_mode not in (None, "none", "estimate", "accurate"):
        raise InvalidRequest(f"_total must be none, estimate or accurate, not '{total_mode}'", location="http._total")
    count = min(_int(ctl, "_count", DEFAULT_COUNT), MAX_COUNT)
    offset = _int(ctl, "_offset", 0)
    rows = query.run()

    bundle = {"resourceType": "Bundle", "id": str(uuid.uuid4()),
              "meta": {"lastUpdated": datetime.now(timezone.utc).isoformat(timespec="seconds")},
              "type": "searchset"}
    if total_mode != "none" or summary == "count":
        bundle["total"] = len(rows)
    base = f"{fhir_base()}/{rtype}"
    plain = [(k, v) for k, v in query.used if k != "_offset"]

    def link(relation: str, at: int) -> dict:
        return {"relation": relation, "url": base + "?" + urlencode(plain + [("_offset", at)])}

    links = [link("self", offset)]
    entries = []
    if summary != "count" and count > 0:
        links.append(link("first", 0))
        if offset > 0:
            links.append(link("previous", max(0, offset - count)))
        if offset + count < len(rows):
            links.append(link("next", offset + count))
        links.append(link("last", ((len(rows) - 1) // count) * count if rows else 0))
        for r in rows[offset:offset + count]:
            if r.h.pk is not None and stored_body(catalog, r.h) is None:
                continue        # deleted by another request since this one's catalog was refreshed
            entries.append({"fullUrl": f"{base}/{r.h.id}", "resource": shape(catalog, r.h, summary, elements, True),
                            "search": {"mode": "match"}})
    if query.ignored:
        issues = [issue("warning", "not-supported", f"ignored: {text}") for text in query.ignored[:MAX_REPORTED]]
        if len(query.ignored) > MAX_REPORTED:
            issues.append(issue("warning", "not-supported",
                                f"… and {len(query.ignored) - MAX_REPORTED} more parameters ignored"))
        if query.unknown:
            issues.append(issue("information", "not-supported", f"the search parameters of {rtype} this server "
                                f"knows: {query.known()}"))
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": operation_outcome(issues),
                        "search": {"mode": "outcome"}})
    bundle["link"] = links
    if entries:
        bundle["entry"] = entries
    return fhir_response(bundle)


def search_get_refused(rtype: str):
    from .outcomes import issue, operation_outcome
    text = (f"{rtype}/_search takes POST with a form body (R4 http.html#search); to search with GET, put the "
            f"parameters on {rtype}?…")
    return fhir_response(operation_outcome([issue("error", "not-supported", text)]), 405, {"Allow": "POST"})

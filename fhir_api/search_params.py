"""The R4 search parameters of CodeSystem, ValueSet, ConceptMap and NamingSystem: what each one reads.

Each type's table (TABLES) holds the `conformance-*` parameters the canonical resources share, the
`Resource-*` ones every resource has, and the type's own; a Param says what values it reads from a
resource, and how the resource sorts by it. The ConceptMap parameters that look inside a map are
mappings.conceptmap_search's.

Speed: the catalog headers hold url, version, name, title, status, publisher and date, so those
parameters (and `_id`) are tested without reading a body. The others are tested afterwards, on
the resources the header tests left, and only then is a body read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from terminology.versions import version_key

from .resource_views import served_body, stored_body
from .search_values import MAX_INSTANT as _MAX, MIN_INSTANT as _MIN, date_range as _date_range, folded as _fold
from .search_values import json_number as _number

# the modifiers served on each parameter type (R4 search.html#modifiers)
MODIFIERS = {
    "string": {"exact", "contains", "missing"},
    "token": {"not", "text", "missing"},
    "uri": {"below", "above", "missing"},
    "date": {"missing"},
    "quantity": {"missing"},
    "composite": {"missing"},
    "reference": {"missing"},
}


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
    version: Callable | None = None            # a canonical's url: Row -> its version, so `url|version` finds it

    def modifiers(self) -> set[str]:
        """The modifiers served on this parameter: those of its type, `:text` only where there are texts, and
        only `:not` and `:missing` where a match function, not values, answers the test."""
        allowed = set(MODIFIERS[self.type])
        if self.type == "token" and not self.text:
            allowed.discard("text")
        if self.of_type is not None:
            allowed.add("of-type")
        if self.match is not None:
            allowed &= {"not", "missing"}
        return allowed


class Row:
    """One candidate resource: its catalog header, its body read only when a test needs it."""
    __slots__ = ("h", "catalog", "_body")

    def __init__(self, h, catalog):
        self.h, self.catalog, self._body = h, catalog, None

    def body(self) -> dict:
        if self._body is None:
            if self.h.pk is None:
                b = served_body(self.catalog, self.h.id)
            else:
                b = stored_body(self.catalog, self.h)
            self._body = b if isinstance(b, dict) else {}
        return self._body

    def field(self, name: str):
        v = getattr(self.h, name)       # a served resource's header too is made from its body (served_header)
        return v if isinstance(v, str) and v != "" else None


def _list(v) -> list:
    return v if isinstance(v, list) else ([] if v is None else [v])


def _dicts(v) -> list[dict]:
    return [x for x in _list(v) if isinstance(x, dict)]


def _first(values):
    return values[0] if values else None


def _display(c: dict) -> tuple:
    d = c.get("display")
    return (d,) if isinstance(d, str) else ()


def _text(d: dict) -> str | None:
    t = d.get("text")
    return t if isinstance(t, str) else None


def _coding_toks(codings) -> list[Tok]:
    return [Tok(c.get("system"), c.get("code"), _display(c)) for c in _dicts(codings)]


def _concept_toks(ccs) -> list[Tok]:
    out = []
    for cc in _dicts(ccs):
        text = _text(cc)
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


def _body_code(path: str):
    return lambda row: [Tok(None, v) for v in _body_str(path)(row)]


def _folded(name: str):
    """Sort key: a header field as string search compares it."""
    return lambda row: _fold(row.field(name))


def _identifiers(row) -> list[Tok]:
    out = []
    for i in _dicts(row.body().get("identifier")):
        typ = i.get("type") if isinstance(i.get("type"), dict) else {}
        text = _text(typ)
        out.append(Tok(i.get("system"), i.get("value"), (text,) if text else ()))
    return out


def _typed_identifiers(row) -> list[tuple[list[Tok], str | None]]:
    return [(_concept_toks([i.get("type")]), i.get("value")) for i in _dicts(row.body().get("identifier"))]


def _use_contexts(row) -> list[dict]:
    return _dicts(row.body().get("useContext"))


def _meta(row, key):
    meta = row.body().get("meta")
    return meta.get(key) if isinstance(meta, dict) else None


def _meta_uris(key: str):
    return lambda row: [p for p in _list(_meta(row, key)) if isinstance(p, str)]


def _last_updated(row) -> list[tuple]:
    return _dates(_list(_meta(row, "lastUpdated")))


def _period(period) -> tuple | None:
    """The instants a Period covers: from its start to the end of its end, open where a bound is missing;
    None when it has neither or one cannot be read."""
    if not isinstance(period, dict):
        return None
    start, end = period.get("start"), period.get("end")
    lo = _date_range(start) if isinstance(start, str) else None
    hi = _date_range(end) if isinstance(end, str) else None
    if (start is not None and lo is None) or (end is not None and hi is None) or (lo is None and hi is None):
        return None
    return (lo[0] if lo else _MIN, hi[1] if hi else _MAX)


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


def _vs_codes(row) -> list[Tok]:
    body = row.body()
    out = []
    compose = body.get("compose") if isinstance(body.get("compose"), dict) else {}
    for inc in _dicts(compose.get("include")):
        system = canonical_or_as_is(row.catalog, inc.get("system"))
        out += [Tok(system, c.get("code"), _display(c)) for c in _dicts(inc.get("concept"))]
    expansion = body.get("expansion") if isinstance(body.get("expansion"), dict) else {}
    stack = _dicts(expansion.get("contains"))
    while stack:
        c = stack.pop()
        if c.get("code"):
            out.append(Tok(canonical_or_as_is(row.catalog, c.get("system")), c.get("code"), _display(c)))
        stack += _dicts(c.get("contains"))
    return out


def _vs_references(row) -> list[str]:
    compose = row.body().get("compose")
    includes = _dicts(compose.get("include")) if isinstance(compose, dict) else []
    return list(dict.fromkeys(canonical_or_as_is(row.catalog, i["system"]) for i in includes
                              if isinstance(i.get("system"), str)))


def canonical_or_as_is(catalog, system):
    """A code system as the catalog names it: its OID (urn:oid or bare) finds it like its url."""
    return (catalog.canonical_system(system) or system) if isinstance(system, str) and system else system


def _cs_code(query, row, alts) -> bool:
    """CodeSystem `code`: looked up in the code system's index (its concepts are not in the body)."""
    if row.h.pk is None or not row.h.concept_count:
        return False
    codes, folded = _codes_asked(query, alts, row.h.url)
    if not codes:
        return False
    if "" in codes:
        return True
    # as $lookup and $validate-code find them (dotted forms, case ...)
    return query.catalog.codesystem_by_pk(row.h.pk).holds_any(codes, folded)


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


def _cs_languages(row) -> list[Tok]:
    """The designation languages of a code system: the engine keeps them with the index, per resource revision."""
    if row.h.pk is None or not row.h.concept_count:
        return []
    return [Tok(None, lang) for lang in row.catalog.codesystem_by_pk(row.h.pk).designation_languages()]


def _common(conformance: bool = True) -> dict[str, Param]:
    ps = [
        Param("name", "string", _header_str("name"), header=True, sort=_folded("name")),
        Param("publisher", "string", _header_str("publisher"), header=True, sort=_folded("publisher")),
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
        Param("_lastUpdated", "date", _last_updated, sort=lambda r: _first(_last_updated(r))),
        Param("_tag", "token", lambda r: _coding_toks(_meta(r, "tag")), text=True),
        Param("_security", "token", lambda r: _coding_toks(_meta(r, "security")), text=True),
        Param("_profile", "uri", _meta_uris("profile")),
        Param("_source", "uri", _meta_uris("source")),
    ]
    if conformance:   # the canonical resources; NamingSystem has none of these in R4
        ps += [
            Param("url", "uri", _header_str("url"), header=True, sort=lambda r: r.field("url"),
                  version=lambda r: r.field("version")),
            Param("version", "token", _header_code("version"), header=True,
                  sort=lambda r: version_key(v) if (v := r.field("version")) else None),
            Param("title", "string", _header_str("title"), header=True, sort=_folded("title")),
            Param("identifier", "token", _identifiers, text=True, of_type=_typed_identifiers),
        ]
    return {p.name: p for p in ps}


def _own_parameters() -> dict[str, list[Param]]:
    """Each type's own parameters (R4 SearchParameter `{type}-{name}`), beside the shared ones of _common."""
    return {
        "CodeSystem": [
            Param("system", "uri", _header_str("url"), header=True, sort=lambda r: r.field("url"),
                  version=lambda r: r.field("version")),
            Param("code", "token", lambda r: [], match=_cs_code),
            Param("content-mode", "token", _body_code("content"), sort=lambda r: _first(_body_str("content")(r))),
            Param("supplements", "reference", _body_str("supplements")),
            Param("language", "token", _cs_languages),
        ],
        "ValueSet": [
            Param("code", "token", _vs_codes, text=True),
            Param("expansion", "uri", lambda r: [v for v in [(r.body().get("expansion") or {}).get("identifier")]
                                                 if isinstance(v, str)] if isinstance(r.body().get("expansion"), dict)
                  else []),
            Param("reference", "uri", _vs_references),
        ],
        "ConceptMap": [],     # its own are inside the map: map_parameters
        "NamingSystem": [
            Param("kind", "token", _body_code("kind")),
            Param("type", "token", lambda r: _concept_toks(r.body().get("type")), text=True),
            Param("responsible", "string", _body_str("responsible")),
            Param("value", "string", lambda r: [u["value"] for u in _dicts(r.body().get("uniqueId"))
                                                if isinstance(u.get("value"), str)]),
            Param("id-type", "token", lambda r: [Tok(None, u["type"]) for u in _dicts(r.body().get("uniqueId"))
                                                 if isinstance(u.get("type"), str)]),
            Param("contact", "string", lambda r: [c["name"] for c in _dicts(r.body().get("contact"))
                                                  if isinstance(c.get("name"), str)]),
            # a ContactPoint is searched by its value (ContactPoint.system is a code, not a URI: no system part)
            Param("telecom", "token", lambda r: [Tok(None, t["value"])
                                                 for c in _dicts(r.body().get("contact"))
                                                 for t in _dicts(c.get("telecom")) if isinstance(t.get("value"), str)]),
            Param("period", "date", lambda r: [p for u in _dicts(r.body().get("uniqueId"))
                                               if (p := _period(u.get("period"))) is not None]),
        ],
    }


_OWN_PARAMETERS = _own_parameters()
_OWN = {rtype: {p.name for p in own} for rtype, own in _OWN_PARAMETERS.items()}
TABLES = {rtype: {**_common(conformance=rtype != "NamingSystem"), **{p.name: p for p in own}}
          for rtype, own in _OWN_PARAMETERS.items()}


def map_parameters(rtype: str) -> dict[str, str]:
    """The ConceptMap parameters that look inside a map (mappings.conceptmap_search)."""
    if rtype != "ConceptMap":
        return {}
    from mappings.conceptmap_search import PARAMETERS
    return PARAMETERS


def definition_id(rtype: str, name: str) -> str:
    """The id of the R4 SearchParameter resource that defines `name` on `rtype`."""
    if name.startswith("_"):
        return f"Resource-{name[1:]}"
    if name in _OWN.get(rtype, ()) or name in map_parameters(rtype):
        return f"{rtype}-{name}"
    return f"conformance-{name}"


def supported_parameters(rtype: str) -> list[tuple[str, str]]:
    """(name, type) of every search parameter served for `rtype`: the CapabilityStatement's list."""
    return [(p.name, p.type) for p in TABLES.get(rtype, {}).values()] + list(map_parameters(rtype).items())


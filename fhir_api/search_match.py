"""Whether a candidate resource passes one search test: the values a Param reads, against the parsed
alternatives of the request (OR), per parameter type and modifier (R4 search.html#ptypes).

Values the client sent are parsed and folded once (fhir_api.search.Query); what a resource holds
is folded here as it is read, so a test costs one pass over a resource's values.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from mappings.search_values import canonical_fits as _reference_match
from terminology.identifiers import split_canonical

from .search_params import Param, Row, Tok
from .search_values import MAX_INSTANT, MIN_INSTANT, folded

if TYPE_CHECKING:
    from .search import Query


def _string_match(have: list[str], alts: tuple, modifier: str) -> bool:
    """`alts` as the test holds them: folded already unless the modifier is :exact; each resource value is
    folded once and compared with all of them (startswith takes a tuple: one call, not one per value)."""
    if modifier == "exact":
        return any(h in alts for h in have)
    if modifier == "contains":
        return any(w in f for f in map(folded, have) for w in alts)
    return any(folded(h).startswith(alts) for h in have)


def _text_match(texts, alts: tuple) -> bool:
    """Word by word from the start: a text's folded form starts with the value, or a word in it does."""
    for t in texts:
        f = folded(t)
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
    lo = plo - gap if plo - MIN_INSTANT > gap else MIN_INSTANT
    hi = phi + gap if MAX_INSTANT - phi > gap else MAX_INSTANT
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
        # a plain canonical url test: FHIR search's `url|version` names the version too (search.html#versions)
        self.canonicals = [split_canonical(a) for a in self.alts] \
            if self.param.version is not None and not self.modifier else None
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
        if self.canonicals is not None:
            version = p.version(row)
            return any(url in have and v in (None, version) for url, v in self.canonicals)
        if p.type == "uri":
            return any(_uri_match(have, w, mod) for w in self.alts)
        return any(_reference_match(ref, w) for ref in have for w in self.alts)


"""The shared shape of $translate: a request, matches, the providers that answer, and `translate`.

Providers are functions `(catalog, request) -> list[Match] | TranslateResult | None`;
None means "not mine", a list (possibly empty) means the provider handled the
source, and a TranslateResult lets a provider add a message (e.g. "retired in
2021 without successor"). ConceptMap resources (mappings.conceptmap), the
succession graph (edition to edition) and SNOMED CT map refsets each register
one in PROVIDERS (`@provider`; `@provider(serves_supplied_map=True)` for one that
also answers with a `conceptMap` the request brought); `translate` asks them
and merges. What a provider keeps while it works (the ConceptMap provider's
other-map walk: mappings.conceptmap_hops) is its own. `fhir_api` renders the
result.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

from terminology.snomed.ecl_budget import per_operation

# R4 equivalence codes that do not count as a translation (ConceptMapEquivalence)
NOT_A_MATCH = frozenset({"unmatched", "disjoint"})


@dataclass
class TranslateRequest:
    code: str | None = None
    system: str | None = None
    version: str | None = None               # source edition
    source: str | None = None                # source value set (scope)
    target: str | None = None                # target value set (scope)
    scope_params: tuple = ("source", "target")   # the request's names for those two, for messages
    target_system: str | None = None
    target_version: str | None = None        # Kodebro parameter `target-version`
    conceptmap_url: str | None = None
    conceptmap_stored: bool = False          # `conceptmap` is the server's (ConceptMap/{id}), not the client's
    conceptmap_version: str | None = None
    conceptmap: dict | None = None           # supplied in the request
    reverse: bool = False
    # (element/attribute, value) pairs: value is a Coding dict, Quantity dict, str, bool, ...
    dependencies: list = field(default_factory=list)
    display: str | None = None               # display of the source coding, when the client sent one
    date: str | None = None                  # the request's `date`: ICD-10-NO targets judged by the edition then
    # set by `translate`: the resolved source/target value sets (mappings.scope.Scopes), or None
    scopes: object = field(default=None, repr=False, compare=False)
    # the index of the map the request sent, built once and shared by the codings of one request
    sent_map_index: object = field(default=None, repr=False, compare=False)


@dataclass
class Match:
    equivalence: str                         # R4 ConceptMapEquivalence code
    system: str | None = None
    code: str | None = None
    display: str | None = None
    version: str | None = None
    source: str | None = None                # canonical of the map that produced it
    comment: str | None = None
    product: list = field(default_factory=list)      # [{"property": uri, "system":..., "value":..., "display":...}]
    depends_on: list = field(default_factory=list)
    extensions: list = field(default_factory=list)   # FHIR extension dicts on the match part
    # from a map declared for the request's target value set: kept without a membership check
    in_target: bool = False


@dataclass
class TranslateResult:
    result: bool
    message: str | None = None
    matches: list = field(default_factory=list)
    # set by a provider whose answer covers the whole question (edition walks): the other
    # providers' partial answers (single-step edition maps) would only repeat it
    exclusive: bool = False
    # set by a provider whose answer covers only some of the other providers' matches (the edition walk
    # without versions named covers the change-list maps' single steps, not a local map of the same codebook):
    # those matches are dropped from the other answers, the rest are kept
    covers: Callable | None = None
    # set by `ask`: whether any provider took the request up (a map that applies, a known edition, ...)
    handled: bool = True


PROVIDERS: list = []
# the providers that answer a `conceptMap` sent with the request (R4: "the concept map is provided directly as
# part of the request" -- it is the map to translate with, so the other sources stay silent)
_SERVES_SUPPLIED_MAP: set = set()


def provider(fn=None, *, serves_supplied_map: bool = False):
    """Register a provider: `@provider`, or `@provider(serves_supplied_map=True)` for one that also answers
    with a map the request brought."""
    def register(f):
        PROVIDERS.append(f)
        if serves_supplied_map:
            _SERVES_SUPPLIED_MAP.add(f)
        return f
    return register(fn) if fn is not None else register


def providers_for(req: TranslateRequest) -> list:
    """The providers to ask, in order."""
    if req.conceptmap is None:
        return list(PROVIDERS)
    return [fn for fn in PROVIDERS if fn in _SERVES_SUPPLIED_MAP]


_loaded = False


def load_providers() -> None:
    """Import every mappings module once, so that each registers its provider."""
    global _loaded
    if _loaded:
        return
    import mappings
    for m in pkgutil.iter_modules(mappings.__path__):
        if m.name not in ("cli", "translate") and not m.name.startswith("_"):
            try:
                importlib.import_module(f"mappings.{m.name}")
            except Exception:  # one broken provider must not take $translate down with it
                logging.getLogger("kodebro").exception("could not load translate provider module %s", m.name)
    _loaded = True


def _key(m: Match) -> tuple:
    return (m.system, m.code, m.version, m.equivalence,
            tuple(sorted((p.get("property"), p.get("system"), p.get("value")) for p in m.product)))


# the closing messages, in the reference server's words (tx.fhir.org: FHIRsmith's translate worker), which
# clients and the HL7 tests compare as text
NO_TRANSLATIONS = "No translations found"


def direction(req: TranslateRequest) -> tuple[str, str]:
    """(from, to) of a map that would answer the request, quoted: the system of the code given and the target
    system (or target value set); in reverse the answers' system (or value set) to the system of the code given.
    An end the request leaves open is '(unspecified)', as the reference server words it."""
    if req.reverse:
        ends = (req.target_system or req.target, req.system)
    else:
        ends = (req.system, req.target_system or req.target)
    return tuple(f"'{e or '(unspecified)'}'" for e in ends)


def no_map_message(req: TranslateRequest) -> str:
    start, end = direction(req)
    return f"No ConceptMap is available to translate from {start} to {end}"


@per_operation     # one ECL work budget for every map scope and hop of the request
def translate(catalog, req: TranslateRequest) -> TranslateResult:
    """Ask every provider; all matches of all providers that handled the request, without repeats.

    The result is true when a provider says so (a TranslateResult) or returned a
    match whose equivalence is a translation (a plain list). An answer with no
    match at all and no word on why says so in its message: that no map applies,
    or that those that do have nothing for the code. A match that is not a
    translation (unmatched, disjoint) is an answer in itself and gets no such
    message, as the reference server answers.
    """
    out = ask(catalog, req)
    if not out.result and not out.message and not out.matches:
        out.message = NO_TRANSLATIONS if out.handled else no_map_message(req)
    return out


def ask(catalog, req: TranslateRequest) -> TranslateResult:
    """`translate` without the closing "No translations found" message: for a provider that asks on behalf of an
    outer translation (mappings.conceptmap_hops), whose caller words the answer."""
    from terminology.errors import NotFound
    load_providers()
    scopes = None
    if req.source or req.target:
        from .scope import Scopes
        # the codings of one codeableConcept share the request's value sets: resolved once (fhir_api)
        scopes = req.scopes if isinstance(req.scopes, Scopes) else Scopes(catalog, req)
        req.scopes = scopes
        refused = scopes.refuses(req)
        if refused is not None:
            return refused
    answers: list[TranslateResult] = []
    for fn in providers_for(req):
        got = fn(catalog, req)
        if got is None:
            continue
        if not isinstance(got, TranslateResult):
            got = TranslateResult(result=any(m.equivalence not in NOT_A_MATCH for m in got), matches=list(got))
        if scopes is not None:
            got = scopes.keep(got)
        if got.exclusive:
            answers = [got]
            break
        answers.append(got)
    answers = _without_covered(answers)
    if not answers and req.conceptmap_url:
        version = f" version {req.conceptmap_version}" if req.conceptmap_version else ""
        raise NotFound(f"ConceptMap not found: {req.conceptmap_url}{version}",     # tx.fhir.org's words
                       tx_code="not-found")
    return _merge(answers)


def _without_covered(answers: list[TranslateResult]) -> list[TranslateResult]:
    """`answers` less the matches another answer `covers`; an answer left without matches goes too."""
    covering = [a for a in answers if a.covers is not None]
    if not covering:
        return answers
    out = []
    for a in answers:
        if a.covers is not None or not a.matches:
            out.append(a)
            continue
        kept = [m for m in a.matches if not any(c.covers(m) for c in covering)]
        if kept:
            out.append(a if len(kept) == len(a.matches) else TranslateResult(
                result=any(m.equivalence not in NOT_A_MATCH for m in kept), message=a.message, matches=kept))
    return out


def _merge(answers: list[TranslateResult]) -> TranslateResult:
    out = TranslateResult(result=any(a.result for a in answers), handled=bool(answers))
    seen: set = set()
    messages = []
    for a in answers:
        if a.message and a.message not in messages:
            messages.append(a.message)
        for m in a.matches:
            k = _key(m)
            if k not in seen:
                seen.add(k)
                out.matches.append(m)
    out.message = "; ".join(messages) or None
    return out

"""The shared shape of $translate: a request, matches, and the providers that answer.

Providers are functions `(catalog, request) -> list[Match] | None`; None means
"not mine", a list (possibly empty) means the provider handled the source.
ConceptMap resources, the succession graph (edition to edition) and SNOMED CT
map refsets each register one in PROVIDERS. `fhir_api` renders the result.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TranslateRequest:
    code: str | None = None
    system: str | None = None
    version: str | None = None               # source edition
    source: str | None = None                # source value set (scope)
    target: str | None = None                # target value set (scope)
    target_system: str | None = None
    target_version: str | None = None        # Kodebro parameter `target-version`
    conceptmap_url: str | None = None
    conceptmap_version: str | None = None
    conceptmap: dict | None = None           # supplied in the request
    reverse: bool = False
    # (element/attribute, value) pairs: value is a Coding dict, Quantity dict, str, bool, ...
    dependencies: list = field(default_factory=list)


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


@dataclass
class TranslateResult:
    result: bool
    message: str | None = None
    matches: list = field(default_factory=list)


PROVIDERS: list = []


def provider(fn):
    PROVIDERS.append(fn)
    return fn

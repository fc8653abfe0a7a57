"""Evaluating ValueSet.compose: includes, excludes, filters, concept lists and value set imports.

The result is a lazy stream of `Member`s (one per code, duplicates removed by
the caller) so that counting and paging a large expansion does not build
FHIR dicts for codes that are never returned. Membership of one code is
answered by `ComposeEvaluator.contains` without enumerating anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Iterator

from ..editions import edition_for_date
from ..errors import InvalidRequest, NotFound, NotSupported
from ..implicit import resolve as resolve_implicit, resolver
from ..versions import matches_version
from . import filters as _filters


@dataclass(slots=True)
class Member:
    system: str
    version: str | None
    code: str
    concept: object = None          # Concept from the code system, when known
    cs: object = None               # CodeSystemIndex, when known
    display: str | None = None      # display given in the value set (compose concept)
    designations: list | None = None  # designations given in the value set
    enumerated: bool = False        # listed explicitly: never nested
    whole_system: bool = False      # from an include of a whole code system (no filter, no list)
    prefiltered: bool = False       # already known to match the request's text filter
    extensions: list | None = None

    @property
    def key(self) -> tuple:
        return (self.system, self.code)

    @property
    def vkey(self) -> tuple:
        """Identity within an expansion: one code may come from two versions of its system."""
        return (self.system, self.version, self.code)


@dataclass
class SystemVersionRules:
    """system-version / force-system-version / check-system-version, by system URL."""
    default: dict = field(default_factory=dict)
    force: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, default=(), force=(), check=()) -> "SystemVersionRules":
        def table(values, name):
            out = {}
            for v in values or ():
                if not isinstance(v, str) or "|" not in v:
                    raise InvalidRequest(f"parameter '{name}' must be 'system|version', not '{v}'", location=name)
                url, ver = v.split("|", 1)
                out[url] = ver
            return out
        return cls(table(default, "system-version"), table(force, "force-system-version"),
                   table(check, "check-system-version"))


class VersionCheckFailed(InvalidRequest):
    """The version in use is not the one a check-system-version parameter requires."""
    issue_code = "exception"


def version_check_text(system: str, version: str, required: str) -> str:
    return (f"The version '{version}' is not allowed for system '{system}': required to be '{required}' "
            f"by a version-check parameter")


def vs_canonical(vs: dict) -> str:
    url = vs.get("url") or ""
    return f"{url}|{vs['version']}" if vs.get("version") else url


class ComposeEvaluator:
    """Evaluates one ValueSet's compose against a catalog; collects what it used."""

    def __init__(self, catalog, *, rules: SystemVersionRules | None = None, date: str | None = None,
                 supplements=None, exclude_systems=(), _depth: int = 0,
                 _parent: "ComposeEvaluator | None" = None):
        self.catalog = catalog
        self.rules = rules or SystemVersionRules()
        self.date = date
        self.supplements = supplements      # callable(cs) -> cs with supplements applied, or None
        self.exclude_systems = set(exclude_systems or ())
        # callable(cs) -> codes matching the request's text filter, best first; lets a whole-system
        # include walk only the hits of the text index instead of every concept
        self.text_hits = _parent.text_hits if _parent else None
        self.depth = _depth
        self.root = _parent.root if _parent else self
        if _parent is None:
            self.used_codesystems: list[str] = []
            self.used_valuesets: list[str] = []
            self._cs_cache: dict = {}

    # --- resources ------------------------------------------------------------
    def resolve_version(self, system: str, version: str | None) -> str | None:
        r = self.root.rules
        if system in r.force:
            return r.force[system]
        if version is None:
            if system in r.default:
                return r.default[system]
            if system in r.check:
                # check-system-version "specifies a version to use": a versionless include takes it;
                # only a version the value set names itself can conflict with it
                return r.check[system]
            if self.date:
                return edition_for_date(self.catalog, system, self.date)
        return version

    def codesystem(self, system: str, version: str | None, location: str | None = None,
                   required: bool = True):
        """The index for system|version (after version rules); NotFound when absent and required."""
        version = self.resolve_version(system, version)
        key = (system, version)
        cache = self.root._cs_cache
        if key in cache:
            return cache[key]
        cs = self.catalog.codesystem(system, version)
        if cs is None and required:
            raise unknown_system(self.catalog, system, version, location)
        if cs is not None:
            check = self.root.rules.check.get(system)
            if check is not None and cs.version is not None and not matches_version(check, cs.version):
                raise VersionCheckFailed(version_check_text(system, cs.version, check), tx_code="version-error")
            if self.supplements is not None:
                cs = self.supplements(cs)
        cache[key] = cs
        if cs is not None:
            self.note_codesystem(cs)
        return cs

    def note_codesystem(self, cs) -> None:
        canon = f"{cs.url}|{cs.version}" if cs.version else cs.url
        if canon not in self.root.used_codesystems:
            self.root.used_codesystems.append(canon)

    def valueset(self, ref: str, location: str | None = None) -> dict:
        url, version = (ref.split("|", 1) + [None])[:2] if "|" in ref else (ref, None)
        vs = self.catalog.valueset(url, version) or resolve_implicit(self.catalog, ref)
        if vs is None and version is not None and self.catalog.valueset(url) is not None:
            raise NotFound(f"Unable to find included value set '{url}' version '{version}'",
                           tx_code="not-found", location=location)
        if vs is None:
            raise NotFound(f"A definition for the value Set '{ref}' could not be found",
                           tx_code="not-found", location=location)
        canon = vs_canonical(vs)
        if not ref.startswith("#") and canon not in self.root.used_valuesets:
            self.root.used_valuesets.append(canon)
        return vs

    def used_resources(self):
        """(kind, resource, canonical) of the root value set, the code systems and value sets used."""
        root = getattr(self.root, "root_valueset", None)
        if root is not None and root.get("url"):
            yield "ValueSet", root, vs_canonical(root)
        for canon in self.root.used_codesystems:
            url, _, ver = canon.partition("|")
            cs = self.root._cs_cache.get((url, ver or None))
            if cs is None:
                cs = next((c for (u, _v), c in self.root._cs_cache.items() if c is not None and u == url
                           and (c.version or None) == (ver or None)), None)
            if cs is not None:
                yield "CodeSystem", cs.resource, canon
        for canon in self.root.used_valuesets:
            url, _, ver = canon.partition("|")
            vs = self.catalog.valueset(url, ver or None)
            if vs is not None:
                yield "ValueSet", vs, canon

    def child(self) -> "ComposeEvaluator":
        if self.depth > 20:
            raise InvalidRequest("value set imports are nested too deeply (a cycle?)", tx_code="vs-invalid")
        return ComposeEvaluator(self.catalog, rules=self.rules, date=self.date, supplements=self.supplements,
                                exclude_systems=self.exclude_systems,
                                _depth=self.depth + 1, _parent=self)

    # --- enumeration ------------------------------------------------------------
    def members(self, vs: dict) -> Iterator[Member]:
        """Every member of `vs`, includes in order, excludes removed, duplicates possible."""
        compose = vs.get("compose") or {}
        if not compose and isinstance(vs.get("expansion"), dict):
            yield from _expansion_members(vs["expansion"])
            return
        excludes = compose.get("exclude") or []
        excluded = None
        if excludes:
            excluded = set()
            for i, exc in enumerate(excludes):
                for m in self._include(exc, f"ValueSet.compose.exclude[{i}]", note=False):
                    excluded.add(m.key)
        for i, inc in enumerate(compose.get("include") or []):
            for m in self._include(inc, f"ValueSet.compose.include[{i}]"):
                if excluded is not None and m.key in excluded:
                    continue
                yield m

    def _include(self, inc: dict, path: str, note: bool = True) -> Iterator[Member]:
        system = inc.get("system")
        imports = inc.get("valueSet") or []
        if system is None and not imports:
            raise InvalidRequest(f"{path} has neither system nor valueSet", location=path, tx_code="vs-invalid")
        if system is not None and (system in self.exclude_systems
                                   or self.catalog.canonical_system(system) in self.exclude_systems):
            return
        allowed = None
        if imports:
            allowed = None
            for ref in imports:
                keys = {}
                for m in self.child().members(self.valueset(ref, path)):
                    keys.setdefault(m.key, m)
                allowed = keys if allowed is None else {k: v for k, v in allowed.items() if k in keys}
            if system is None:
                for m in allowed.values():
                    m.enumerated = True   # an imported set keeps its own shape: never re-nested
                    yield m
                return
        system = self.catalog.canonical_system(system)
        concepts = inc.get("concept")
        flts = inc.get("filter") or []
        for j, f in enumerate(flts):
            if "value" not in f and f.get("op") != "exists":
                raise InvalidRequest(
                    f"The system {system} filter with property = {f.get('property')}, op = {f.get('op')} has no value",
                    location=f"{path}.filter[{j}]", tx_code="vs-invalid")
        cs = self.codesystem(system, inc.get("version"), path, required=not concepts) if note else \
            self._quiet_codesystem(system, inc.get("version"))
        if concepts:
            listed_tests = [_filters.test_for(cs, f.get("property"), f.get("op"), f.get("value"))
                            for f in flts] if flts and cs is not None else []
            for c in concepts:
                code = c.get("code")
                if code is None:
                    continue
                concept = None
                if cs is not None:
                    concept, _how = cs.find(code)
                    if concept is None:
                        if cs.content == "complete":
                            continue    # not a code of the system: not in the value set
                    else:
                        code = concept.code
                m = Member(system, cs.version if cs else inc.get("version"), code, concept, cs,
                           display=c.get("display"), designations=c.get("designation"), enumerated=True,
                           extensions=c.get("extension"))
                if allowed is not None and m.key not in allowed:
                    continue
                if flts and (concept is None or not all(t(concept) for t in listed_tests)):
                    continue
                yield m
            return
        if cs is None:
            return
        if cs.content == "not-present" and not flts:
            raise NotSupported(f"The code system {system} has no content on this server (content = not-present), "
                               f"so the value set cannot be expanded", location=path)
        if flts and self.text_hits is not None and note:
            # the text hits are usually far fewer than the codes a hierarchy filter selects
            tests = [_filters.test_for(cs, f.get("property"), f.get("op"), f.get("value")) for f in flts]
            for code in self.text_hits(cs):
                concept = cs.get(code)
                if concept is None or not all(t(concept) for t in tests):
                    continue
                if allowed is not None and (system, code) not in allowed:
                    continue
                yield Member(system, cs.version, code, concept, cs, prefiltered=True)
            return
        if flts:
            first, rest = flts[0], flts[1:]
            codes = _filters.codes_for(cs, first.get("property"), first.get("op"), first.get("value"))
            tests = [_filters.test_for(cs, f.get("property"), f.get("op"), f.get("value")) for f in rest]
            for code in codes:
                concept = cs.get(code)
                if concept is None or not all(t(concept) for t in tests):
                    continue
                if allowed is not None and (system, code) not in allowed:
                    continue
                yield Member(system, cs.version, code, concept, cs)
            return
        if self.text_hits is not None and note:
            for code in self.text_hits(cs):
                concept = cs.get(code)
                if concept is None or (allowed is not None and (system, code) not in allowed):
                    continue
                yield Member(system, cs.version, code, concept, cs, whole_system=True, prefiltered=True)
            return
        for concept in cs.concepts.values():
            if allowed is not None and (system, concept.code) not in allowed:
                continue
            yield Member(system, cs.version, concept.code, concept, cs, whole_system=True)

    def whole_system(self, vs: dict):
        """The code system index when `vs` is exactly "all codes of one system" (paging shortcut), else None."""
        compose = vs.get("compose") or {}
        incs = compose.get("include") or []
        if len(incs) != 1 or compose.get("exclude") or compose.get("inactive") is False:
            return None
        inc = incs[0]
        if not inc.get("system") or inc.get("concept") or inc.get("filter") or inc.get("valueSet"):
            return None
        system = self.catalog.canonical_system(inc["system"])
        if system in self.exclude_systems:
            return None
        cs = self.codesystem(system, inc.get("version"), "ValueSet.compose.include[0]")
        if cs is None or cs.content == "not-present" or self.text_hits is not None:
            return None
        return cs

    def single_filter(self, vs: dict):
        """(index, codes) when `vs` is exactly one include of one system with one filter: the codes come
        straight from the index (a SNOMED CT is-a answers a set of numbers), so a page or a count=0
        request need not build a concept per member. None for every other shape."""
        compose = vs.get("compose") or {}
        incs = compose.get("include") or []
        if len(incs) != 1 or compose.get("exclude") or compose.get("inactive") is False:
            return None
        inc = incs[0]
        flts = inc.get("filter") or []
        if not inc.get("system") or inc.get("concept") or inc.get("valueSet") or not flts:
            return None
        if any("value" not in f and f.get("op") != "exists" for f in flts):
            return None     # the normal path reports the broken filter
        system = self.catalog.canonical_system(inc["system"])
        if system in self.exclude_systems or self.text_hits is not None:
            return None
        cs = self.codesystem(system, inc.get("version"), "ValueSet.compose.include[0]")
        if cs is None or cs.content == "not-present":
            return None
        numbers = getattr(cs, "filter_numbers", None)
        if numbers is not None:
            # an index that answers filters as sets of concept numbers intersects them without concepts
            found = None
            for f in flts:
                got = numbers(f.get("property"), f.get("op"), f.get("value"))
                found = got if found is None else found & got
            codes = cs.codes
            return cs, [codes[i] for i in sorted(found)]
        if len(flts) != 1:
            return None
        f = flts[0]
        codes = list(dict.fromkeys(_filters.codes_for(cs, f.get("property"), f.get("op"), f.get("value"))))
        return cs, codes

    def _quiet_codesystem(self, system, version):
        try:
            return self.codesystem(system, version, required=False)
        except NotFound:
            return None


NOT_SELECTABLE_URI = "http://hl7.org/fhir/concept-properties#notSelectable"


def is_abstract(concept, cs) -> bool:
    """Not selectable: the notSelectable property, or whatever code the system gives that property's URI."""
    if concept.abstract:
        return True
    for pd in cs.property_definitions() if cs is not None else ():
        code = pd.get("code")
        if pd.get("uri") == NOT_SELECTABLE_URI and code and code != "notSelectable":
            return any(v is True or v == "true" for v in concept.property_values(code))
    return False


# concept properties that bound the period a code may be used in (Norwegian codebooks: "gyldig fra/til")
VALID_FROM = ("validFrom", "effectiveDate")
VALID_TO = ("validTo", "retirementDate")


def validity_problem(concept, on: str | None) -> str | None:
    """Why `concept` may not be used on ISO date `on` (None when it may, or when it has no validity period)."""
    if not on or concept is None or not concept.properties:
        return None
    day = on[:10]
    for code in VALID_FROM:
        for v in concept.property_values(code):
            if isinstance(v, str) and v[:10] > day:
                return f"valid from {v[:10]}"
    for code in VALID_TO:
        for v in concept.property_values(code):
            if isinstance(v, str) and v[:10] < day:
                return f"valid to {v[:10]}"
    return None


def _expansion_members(expansion: dict) -> Iterator[Member]:
    stack = list(reversed(expansion.get("contains") or []))
    while stack:
        c = stack.pop()
        if c.get("code") and c.get("system"):
            yield Member(c["system"], c.get("version"), c["code"], None, None, display=c.get("display"),
                         designations=c.get("designation"), enumerated=True)
        stack.extend(reversed(c.get("contains") or []))


def unknown_system(catalog, system: str, version: str | None, location: str | None = None,
                   purpose: str = "the value set cannot be expanded") -> NotFound:
    known = catalog.codesystem_versions(system)
    if version is not None and known:
        return NotFound(f"A definition for CodeSystem '{system}' version '{version}' could not be found, "
                        f"so {purpose}. Valid versions: {', '.join(known)}",
                        tx_code="not-found", location=location)
    return NotFound(f"A definition for CodeSystem '{system}' could not be found, so {purpose}",
                    tx_code="not-found", location=location)


@resolver
def _codesystem_valueset(catalog, url: str) -> dict | None:
    """`CodeSystem.valueSet` and `{system}?fhir_vs`: the value set of all codes of a code system.

    `{system}?fhir_vs=isa/{code}` is the code and its descendants (the FHIR
    convention for SNOMED CT and LOINC, harmless for any hierarchical system).
    """
    if "?fhir_vs" in url:
        system, _, query = url.partition("?fhir_vs")
        if catalog.codesystem(system) is None:
            return None
        include: dict = {"system": system}
        if query.startswith("=isa/"):
            include["filter"] = [{"property": "concept", "op": "is-a", "value": query[5:]}]
        elif query:
            return None
        return {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": [include]}}
    base, _, version = url.partition("|")
    supplied = [r for (rtype, _u), rs in (getattr(catalog, "extra", None) or {}).items()
                if rtype == "CodeSystem" for r in rs]
    stored = (catalog.body(h.pk) for h in catalog.headers("CodeSystem"))
    for body in chain(supplied, stored):
        if body.get("valueSet") == base or body.get("valueSet") == url:
            include = {"system": body.get("url")}
            if body.get("version") and version:
                include["version"] = body["version"]
            return {"resourceType": "ValueSet", "url": base, "status": body.get("status", "active"),
                    "name": body.get("name"), "compose": {"include": [include]}}
    return None

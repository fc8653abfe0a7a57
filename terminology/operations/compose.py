"""Evaluating ValueSet.compose: includes, excludes, filters, concept lists and value set imports.

The result is a lazy stream of `Member`s (one per code, duplicates removed by
the caller) so that counting and paging a large expansion does not build
FHIR dicts for codes that are never returned. Membership of one code is
answered by `ComposeEvaluator.contains` without enumerating anything.

Which codes an include or exclude selects is decided in one place,
`ComposeEvaluator.selects` (system and version, concept list, filters,
value set imports); `members` ($expand) only draws candidates from the
cheapest source and lets the same rule admit them, and `contains`
($validate-code) asks it about the one code in hand, so the two operations
cannot disagree about what a value set holds. An exclude removes what that
rule selects, by system and code, and an exclude that only lists codes also
each code it lists (`listed_out`): both operations remove by the two.
"""
from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass, field
from itertools import chain
from typing import Iterator

from ..codesystem import STANDARDS_STATUS, CodeSystemIndex
from ..editions import edition_for_date
from ..errors import InvalidRequest, NotFound, NotSupported, TerminologyError
from ..identifiers import canonical, split_canonical
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
    from_expansion: bool = False    # an entry of a value set's stated expansion (it keeps its version)

    @property
    def key(self) -> tuple:
        return (self.system, self.code)

    @property
    def vkey(self) -> tuple:
        """Identity within an expansion: one code may come from two versions of its system."""
        return (self.system, self.version, self.code)


@dataclass
class SystemVersionRules:
    """system-version / force-system-version / check-system-version, by system URL; and the same for value
    sets (default-/force-/check-valueset-version, by value set URL: the value set of the request and the
    value sets its compose imports)."""
    default: dict = field(default_factory=dict)
    force: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)
    vs_default: dict = field(default_factory=dict)
    vs_force: dict = field(default_factory=dict)
    vs_check: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, default=(), force=(), check=(), vs_default=(), vs_force=(), vs_check=()) -> "SystemVersionRules":
        def table(values, name, what="system"):
            out = {}
            for v in values or ():
                url, ver = split_canonical(v) if isinstance(v, str) else (None, None)
                if ver is None:
                    raise InvalidRequest(f"parameter '{name}' must be '{what}|version', not '{v}'", location=name)
                out[url] = ver
            return out
        return cls(table(default, "system-version"), table(force, "force-system-version"),
                   table(check, "check-system-version"),
                   table(vs_default, "default-valueset-version", "url"),
                   table(vs_force, "force-valueset-version", "url"),
                   table(vs_check, "check-valueset-version", "url"))

    def valueset_version(self, url: str, version: str | None) -> str | None:
        """The version of value set `url` to use, given the version a reference names (None: any).

        check-valueset-version chooses nothing here: the value set is found as without it, and
        `check_valueset` then refuses a version it does not allow (a version-error, not "not found")."""
        if url in self.vs_force:
            return self.vs_force[url]
        if version is None and url in self.vs_default:
            return self.vs_default[url]
        return version

    def pick_valueset_version(self, catalog, url: str, version: str | None) -> str | None:
        """The version of value set `url` a reference naming `version` (None: any) is read in: forced or
        defaulted, else, when the reference leaves it open, the one version a check names if it is held (the
        value set's author left the choice open); else the latest, which `check_valueset` may then refuse."""
        version = self.valueset_version(url, version)
        if version is None:
            checked = self.checked_version(url)
            if checked is not None and catalog.valueset(url, checked) is not None:
                version = checked
        return version

    def checked_version(self, url: str) -> str | None:
        """The one version check-valueset-version names for `url` (None: no check, or a wildcard)."""
        check = self.vs_check.get(url)
        return check if check is not None and not any(s in ("x", "*", "X") for s in check.split(".")) else None

    def check_valueset(self, vs: dict) -> None:
        """check-valueset-version: the value set in use must have the version it names."""
        url, version = vs.get("url"), vs.get("version")
        required = self.vs_check.get(url) if url else None
        if required is not None and version is not None and not matches_version(required, version):
            raise VersionCheckFailed(f"The version '{version}' is not allowed for value set '{url}': required to be "
                                     f"'{required}' by a version-check parameter", tx_code="version-error")


class VersionCheckFailed(InvalidRequest):
    """The version in use is not the one a check-system-version parameter requires."""
    issue_code = "exception"


def version_check_text(system: str, version: str, required: str) -> str:
    return (f"The version '{version}' is not allowed for system '{system}': required to be '{required}' "
            f"by a version-check parameter")


class FilterNotUnderstood(NotSupported):
    """A filter on a property the code system does not have, or with an operator the property does not take:
    the value set is invalid (the reference servers' FILTER_NOT_UNDERSTOOD). The value set holding the filter
    is named by the first `members`/`contains` the error passes through."""

    def __init__(self, f: dict, system: str, location: str):
        self.filter_text = f"{f.get('property')} {f.get('op')} {f.get('value')}"
        self.system = system
        self.named = False
        super().__init__(self._text("(unidentified)"), location=location, tx_code="vs-invalid")

    def _text(self, vs_label: str) -> str:
        return (f'The filter "{self.filter_text}" from the value set {vs_label} was not understood in the '
                f"context of {self.system}")

    def name_valueset(self, vs: dict) -> None:
        if not self.named:
            self.named = True
            self.message = self._text(vs_canonical(vs) or "(unidentified)")
            self.args = (self.message,)


def check_understood(inc: dict, system: str, cs, path: str) -> None:
    """Refuse a filter `cs` does not understand (see filters.understands), with the filter's location."""
    if cs is None:
        return
    for j, f in enumerate(inc.get("filter") or ()):
        if isinstance(f, dict) and not _filters.understands(cs, f.get("property"), f.get("op")):
            raise FilterNotUnderstood(f, system, f"{path}.filter[{j}]")


class CircularValueSet(InvalidRequest):
    """A value set imports (or excludes) itself, directly or through others."""
    issue_code = "processing"


MAX_IMPORT_DEPTH = 20   # a backstop for chains of value sets without a canonical to tell a cycle by


def _check_cycle(chain: tuple, vs: dict) -> None:
    """Refuse to process `vs` inside `chain` (the value sets being processed, outermost first) when its
    canonical url|version is among them: a real cycle, whatever its depth."""
    canon = vs_canonical(vs)
    if canon and any(vs_canonical(v) == canon for v in chain):
        pathway = ", ".join(vs_canonical(v) or "(unidentified)" for v in chain)
        raise CircularValueSet(f"Found a circularity pointing to {canon} processing ValueSet with pathway "
                               f"[{pathway}]", tx_code="vs-invalid")
    if len(chain) > MAX_IMPORT_DEPTH:
        raise InvalidRequest("value set imports are nested too deeply", tx_code="vs-invalid")


def check_not_supplement(cs, path: str | None) -> None:
    """A supplement adds to its base system's concepts; a value set cannot take codes from it."""
    if cs is not None and cs.content == "supplement":
        canon = canonical(cs.url, cs.version)
        raise InvalidRequest(f"CodeSystem {canon} is a supplement, so can't be used as a value in "
                             f"{path or 'ValueSet.compose.include'}.system: include its base code system "
                             f"({cs.resource.get('supplements') or 'unknown'}) and name the supplement with "
                             f"useSupplement", location=path, tx_code="invalid-data")


def vs_canonical(vs: dict) -> str:
    return canonical(vs.get("url") or "", vs.get("version"))


class ComposeEvaluator:
    """Evaluates one ValueSet's compose against a catalog; collects what it used."""

    # Kept on the root evaluator (one per request), made on first use ($validate-code of a stored value set
    # needs none of them, and pays for no empty dicts):
    # so that a value set reached by many import paths (a diamond) is worked out once,
    # (id(vs), system, code, strict, id(cs), id(concept)) -> (vs, member?) and id(vs) -> (vs, members)
    _held: dict | None = None
    _enumerated: dict | None = None
    # id(vs) -> vs of value sets the request brought, and their includes (id -> include): their listed codes
    # (`_listed`) and rules are kept for this request only, never in the caches that outlive it
    _supplied: dict | None = None
    _transient: dict | None = None
    _listed: dict | None = None

    def __init__(self, catalog, *, rules: SystemVersionRules | None = None, date: str | None = None,
                 supplements=None, exclude_systems=(), check_versions: bool = True, _depth: int = 0,
                 _parent: "ComposeEvaluator | None" = None, _chain: tuple = ()):
        self.catalog = catalog
        self.rules = rules or SystemVersionRules()
        self.date = date
        self.supplements = supplements      # callable(cs) -> cs with supplements applied, or None
        # exclude-system: system -> the versions excluded (None: every version), from "system" or "system|version"
        self.exclude_systems: dict[str, set] = _parent.exclude_systems if _parent else {}
        for ex in exclude_systems or ():
            system, version = split_canonical(str(ex))
            self.exclude_systems.setdefault(catalog.canonical_system(system), set()).add(version)
        # False: a version a check-system-version parameter refuses is used anyway ($validate-code reports
        # the refusal as an issue of its answer instead of failing the request)
        self.check_versions = _parent.check_versions if _parent else check_versions
        # callable(cs) -> codes matching the request's text filter, best first; lets a whole-system
        # include walk only the hits of the text index instead of every concept
        self.text_hits = _parent.text_hits if _parent else None
        self.depth = _depth
        # the value sets being enumerated by this evaluator and its parents, outermost first (cycle check)
        self._chain = _chain
        self.root = _parent.root if _parent else self
        if _parent is None:
            self.used_codesystems: list[str] = []
            self.used_valuesets: list[str] = []
            self._cs_cache: dict = {}
            self._rules: dict = {}
            self._expansion_views: dict = {}

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

    def codesystem(self, system: str, version: str | None, required: bool = True):
        """The index for system|version (after version rules); NotFound when absent and required."""
        version = self.resolve_version(system, version)
        key = (system, version)
        cache = self.root._cs_cache
        if key in cache:
            return cache[key]
        cs = self.catalog.codesystem(system, version)
        if cs is None and required:
            # no location: the reference servers name none for an unknown system on $expand
            raise unknown_system(self.catalog, system, version)
        if cs is not None:
            check = self.root.rules.check.get(system)
            if check is not None and cs.version is not None and not matches_version(check, cs.version) \
                    and self.root.check_versions:
                raise VersionCheckFailed(version_check_text(system, cs.version, check), tx_code="version-error")
            if self.supplements is not None:
                cs = self.supplements(cs)
        cache[key] = cs
        if cs is not None:
            self.note_codesystem(cs)
        return cs

    def note_codesystem(self, cs) -> None:
        canon = canonical(cs.url, cs.version)
        if canon not in self.root.used_codesystems:
            self.root.used_codesystems.append(canon)

    def valueset(self, ref: str, location: str | None = None) -> dict:
        if not isinstance(ref, str) or not ref.strip():
            where = location if location and location.endswith("]") and ".valueSet[" in location else \
                f"{location or 'ValueSet.compose.include'}.valueSet"
            raise InvalidRequest(f"{where} is {_shown(ref)}, not the canonical URL of a value set",
                                 location=where, tx_code="vs-invalid")
        url, version = split_canonical(ref)
        rules = self.root.rules
        if rules.vs_force or rules.vs_default or rules.vs_check:
            version = rules.pick_valueset_version(self.catalog, url, version)
            ref = canonical(url, version)
        vs = self.catalog.valueset(url, version) or resolve_implicit(self.catalog, ref)
        if vs is None and version is not None and self.catalog.valueset(url) is not None:
            raise NotFound(f"Unable to find included value set '{url}' version '{version}'",
                           tx_code="not-found", location=location)
        if vs is None:
            raise NotFound(f"A definition for the value Set '{ref}' could not be found",
                           tx_code="not-found", location=location)
        if rules.vs_check:
            rules.check_valueset(vs)
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
            url, ver = split_canonical(canon)
            cs = self.root._cs_cache.get((url, ver))
            if cs is None:
                cs = next((c for (u, _v), c in self.root._cs_cache.items() if c is not None and u == url
                           and (c.version or None) == ver), None)
            if cs is not None:
                yield "CodeSystem", cs.resource, canon
        for canon in self.root.used_valuesets:
            vs = self.catalog.valueset(*split_canonical(canon))
            if vs is not None:
                yield "ValueSet", vs, canon

    @property
    def chain(self) -> tuple:
        if self._chain:
            return self._chain
        root = getattr(self, "root_valueset", None)
        return (root,) if root is not None else ()

    def child(self, vs: dict) -> "ComposeEvaluator":
        """An evaluator for the imported value set `vs`, refused when importing it closes a cycle."""
        chain = self.chain
        _check_cycle(chain, vs)
        return ComposeEvaluator(self.catalog, rules=self.rules, date=self.date, supplements=self.supplements,
                                _depth=self.depth + 1, _parent=self, _chain=chain + (vs,))

    # --- what one include or exclude selects -------------------------------------------------
    def selects(self, inc: dict, path: str, system: str, code: str, concept, cs, strict: bool = False,
                imported=None, _chain: tuple = ()) -> bool:
        """Whether include (or exclude) `inc` selects `system#code`: the one definition used by $expand and
        $validate-code alike.

        `concept` and `cs` are the code in the version in hand (`cs` None: the system is not loaded,
        `concept` None: the code is not in it). An include that pins another version selects the code when
        that version has it, unless `strict` (the coding named its version: only that version counts).
        `imported(ref, system, code)` answers value set imports from sets built once (enumeration); by
        default each import is asked with `contains`."""
        inc_system = inc.get("system")
        if inc_system is None:
            check_source(inc, path)
            # imported members keep their own version: a coding that names its version must match it
            return self._imports_hold(inc, path, system, code, concept, cs, strict, imported, _chain)
        if self.catalog.canonical_system(inc_system) != system or \
                (self.exclude_systems and self._system_excluded(system, cs.version if cs is not None else None)):
            return False
        version = inc.get("version")
        if version is not None and cs is not None and cs.version is not None and version != cs.version:
            held = self._in_version(inc, system, code, concept, cs, strict)
            if held is None:
                return False
            concept, cs = held
        return self._admits(inc, path, system, code, concept, cs, imported, _chain=_chain)

    def _admits(self, inc: dict, path: str, system: str, code: str, concept, cs, imported=None,
                rule: "_Rule | None" = None, presumed: int = 0, _chain: tuple = ()) -> bool:
        """The part of `selects` past system and version: the imports the include intersects with, its
        concept list and filters (the first `presumed` filters are known to hold for this candidate)."""
        if inc.get("valueSet") and not self._imports_hold(inc, path, system, code, concept, cs, False, imported,
                                                          _chain):
            return False
        if rule is None:
            if not inc.get("filter"):
                # the whole system (of the version in hand), or the codes listed (kept across requests when
                # the value set is stored content)
                if not inc.get("concept"):
                    return True
                transient = self.root._transient
                return code in (listed_codes(inc, cs) if transient is None or id(inc) not in transient
                                else self.listed(inc, cs))
            rule = self.rule(inc, system, cs, path)
        return rule.admits(code, concept, presumed)

    def _imports_hold(self, inc, path, system, code, concept, cs, strict, imported, _chain) -> bool:
        # enumeration (`imported`) asks once per candidate: its include's references were checked already
        for ref in (inc.get("valueSet") or ()) if imported is not None else import_refs(inc, path):
            if imported is not None:
                if not imported(ref, system, code):
                    return False
            else:
                sub = self.valueset(ref, path)
                chain = _chain or self.chain
                _check_cycle(chain, sub)
                # each imported value set answers once per code: a set reached by many paths (L_i and M_i
                # both importing L_i+1 and M_i+1) would otherwise be asked once per path, 2^depth times
                memo = self.root._held
                if memo is None:
                    memo = self.root._held = {}
                key = (id(sub), system, code, strict, id(cs), id(concept))
                got = memo.get(key)
                if got is None or got[0] is not sub:
                    got = memo[key] = (sub, self.contains(sub, system, code, concept, cs, strict, chain + (sub,)))
                if not got[1]:
                    return False
        return True

    def _in_version(self, inc: dict, system: str, code: str, concept, cs, strict: bool):
        """(concept, index) of the version `inc` (which names one) selects from, for the code in hand; None
        when that version does not hold the code. (An include without a version takes the version in hand.)"""
        version = inc["version"]
        wanted = self.root.rules.force.get(system, version)     # force-system-version overrides the pin
        if cs.version == wanted or matches_version(wanted, cs.version):
            return concept, cs
        if strict:
            return None
        other = self._quiet_codesystem(system, version)
        found = other.get(concept.code if concept is not None else code) if other is not None else None
        return (found, other) if found is not None else None

    def rule(self, inc: dict, system: str, cs, path: str, presumed: int = 0) -> "_Rule":
        """`inc`'s concept list and filters compiled for one code system version (the first `presumed`
        filters only when a code needs them: their own answer is the enumeration's source)."""
        if not inc.get("concept") and not inc.get("filter"):
            return _ALL     # the whole system (of the version in hand)
        cache = self._rule_cache(inc, cs)
        got = cache.get(id(inc))
        if got is not None and got.inc is inc and got.cs is cs:
            return got
        got = _Rule(inc, system, cs, path, presumed, self.listed(inc, cs) if inc.get("concept") else None)
        if len(cache) >= MAX_KEPT_RULES:
            cache.clear()
        cache[id(inc)] = got
        return got

    def _rule_cache(self, inc: dict, cs) -> dict:
        """Where `inc`'s rule for `cs` is kept: on the index, across requests, when its tests are pure
        functions of index and filter (as the text index is kept there); else for this request only: a regex
        filter's time budget is per request, and an index with tests of its own (SNOMED CT) keeps its own
        memory-bounded cache of their answers."""
        transient = self.root._transient
        if cs is None or getattr(cs, "filter_test", None) is not None or \
                (transient is not None and id(inc) in transient) or \
                any(f.get("op") == "regex" for f in inc.get("filter") or ()):
            return self.root._rules.setdefault(id(cs), {})
        kept = getattr(cs, _RULES_ATTR, None)
        if kept is None or kept[0] != id(cs):       # a copy (supplements) carries the original's
            kept = (id(cs), {})
            try:
                setattr(cs, _RULES_ATTR, kept)
            except AttributeError:
                return self.root._rules.setdefault(id(cs), {})
        return kept[1]

    # An exclude removes what it selects in whatever version it names (members are excluded by system and
    # code); one that only lists codes also removes each code it lists when the version it names lacks it.
    # `members` and `contains` both remove by these two rules.
    def listing_excludes(self, excludes) -> list:
        """(canonical system, exclude) of each exclude of a system by a concept list only (no filter, no
        import): worked out once per store revision for a stored value set ($validate-code's hot path), per
        call for one a request brought."""
        transient = self.root._transient
        stored = not excludes or transient is None or id(excludes[0]) not in transient
        cache = self.catalog.derived(_LISTING_KEY, _new_dict) if stored and hasattr(self.catalog, "derived") \
            else None
        got = cache.get(id(excludes)) if cache is not None else None
        if got is not None and got[0] is excludes:
            return got[1]
        listing = [(self.catalog.canonical_system(exc["system"]), exc) for exc in excludes or ()
                   if isinstance(exc, dict) and _lists_only(exc) and isinstance(exc["system"], str)]
        if cache is not None:
            cache[id(excludes)] = (excludes, listing)
        return listing

    def listed_out(self, listing: list, system: str, code: str, cs) -> bool:
        """Whether an exclude of `listing` lists `system#code`, by system and code: the listed codes compared
        as the code system in hand (`cs`; None: not loaded) spells them, whichever version the exclude names."""
        return any(s == system and code in self.listed(exc, cs) for s, exc in listing)

    def contains(self, vs: dict, system: str, code: str, concept=None, cs=None, strict: bool = False,
                 _chain: tuple | None = None) -> bool:
        """Whether `system#code` is a member of `vs`, without enumerating it: `members` asked about one code.
        A code the server does not hold (`concept` None, e.g. of a fragment) is a member as far as can be
        told: when an include takes its whole system or lists it."""
        if _chain is None:
            _chain = (vs,)      # the value set asked about is the outermost one being processed
        compose = vs.get("compose") or {}
        self._note_origin(vs, compose)
        if not compose and isinstance(vs.get("expansion"), dict):
            return (system, code) in self.expansion_keys(vs)
        if compose.get("inactive") is False and concept is not None and concept.inactive:
            return False
        try:
            excludes = compose.get("exclude")
            if excludes:
                listing = self.listing_excludes(excludes)
                if self.listed_out(listing, system, code, cs):
                    return False
                decided = {id(exc) for _s, exc in listing}   # a list-only exclude has said all it can
                for i, exc in enumerate(excludes):
                    if id(exc) not in decided and \
                            self.selects(exc, _path("exclude", i), system, code, concept, cs, False, _chain=_chain):
                        return False
            for i, inc in enumerate(compose.get("include") or ()):
                if self.selects(inc, _path("include", i), system, code, concept, cs, strict, _chain=_chain):
                    return True
            return False
        except FilterNotUnderstood as e:
            e.name_valueset(vs)
            raise

    def see(self, vs: dict) -> None:
        """Tell apart, before anything is kept about it, a value set of the store from one the request brought."""
        self._note_origin(vs, vs.get("compose") or {})

    def _note_origin(self, vs: dict, compose: dict) -> None:
        """On first sight of `vs` in this request: refuse import references that are not URLs (whether or not
        the code in hand needs them), and tell apart value sets of the store from those the request brought
        (tx-resource, valueSet, implicit ones made up per request): only the former's includes may be cached
        across requests."""
        root = self.root
        supplied = root._supplied
        if supplied is not None and supplied.get(id(vs)) is vs:
            return
        derived = getattr(self.catalog, "derived", None)     # (inline: $validate-code's hot path)
        known = derived(_STORED_KEY, _new_dict) if derived is not None else None
        if known is not None and known.get(id(vs)) is vs:
            return      # stored, and its references were checked when it was first seen
        for kind in ("include", "exclude"):
            for i, inc in enumerate(compose.get(kind) or ()):
                if isinstance(inc, dict) and inc.get("valueSet") is not None:
                    import_refs(inc, _path(kind, i))
        if known is not None and _is_stored(self.catalog, vs):
            known[id(vs)] = vs
            return
        if supplied is None:
            supplied = root._supplied = {}
            root._transient = {}
        supplied[id(vs)] = vs
        for inc in chain(compose.get("include") or (), compose.get("exclude") or ()):
            root._transient[id(inc)] = inc

    def listed(self, inc: dict, cs) -> frozenset:
        """`listed_codes`, kept across requests only for the includes of stored value sets."""
        root = self.root
        transient = root._transient
        if transient is None or id(inc) not in transient:
            return listed_codes(inc, cs)
        kept = root._listed
        if kept is None:
            kept = root._listed = {}
        key = (id(inc), id(cs))
        got = kept.get(key)
        if got is None:
            got = kept[key] = listed_codes(inc, cs, keep=False)
        return got

    def concept_entries(self, inc: dict) -> dict:
        """code -> the include's own concept entry (its display, designations, extensions): kept per store
        revision for the includes of stored value sets, made per call for those a request brought."""
        transient = self.root._transient
        brought = (transient is not None and id(inc) in transient) or getattr(self.catalog, "extra", None)
        cache = None if brought or not hasattr(self.catalog, "derived") else \
            self.catalog.derived(_ENTRIES_KEY, _new_dict)
        got = cache.get(id(inc)) if cache is not None else None
        if got is not None and got[0] is inc:
            return got[1]
        entries = {}
        for c in inc.get("concept") or ():
            if isinstance(c, dict) and isinstance(c.get("code"), str):
                entries.setdefault(c["code"], c)
        if cache is not None:
            cache[id(inc)] = (inc, entries)
        return entries

    def expansion_keys(self, vs: dict) -> frozenset:
        """(system, code) of each entry of a value set that has only an expansion. Only the keys: membership
        needs no concept views, and a batch asks about one value set many times (each check with its own
        evaluator), so they are also kept for the last value sets asked about (identity checked)."""
        got = self.root._expansion_views.get(id(vs))
        if got is not None and got[0] is vs:
            return got[2]
        return _recent_expansion_keys(vs)

    def _expansion_view(self, vs: dict) -> tuple:
        """(vs, members, keys) of a value set that has only an expansion: made once per request, and once per
        store revision for a stored value set (building the members' views is the costly part)."""
        got = self.root._expansion_views.get(id(vs))
        if got is None or got[0] is not vs:
            def build(_catalog=None):
                members = list(_expansion_members(vs["expansion"]))
                return vs, members, {m.key for m in members}
            if _is_stored(self.catalog, vs):
                got = self.catalog.derived(("expansion-view", id(vs)), build)
                if got[0] is not vs:        # an earlier body at the same address: not this one
                    got = build()
            else:
                got = build()
            self.root._expansion_views[id(vs)] = got
        return got

    def _system_excluded(self, system: str, version: str | None) -> bool:
        """Whether exclude-system removes `system` (canonical) in `version`; version None asks about all."""
        versions = self.exclude_systems.get(system)
        return versions is not None and (None in versions or (version is not None and version in versions))

    # --- which versions of a system a value set uses -------------------------------------------------
    def system_includes(self, vs: dict, system: str) -> list[tuple[dict, str]]:
        """(include, path) of each include of `system` (canonical) in `vs` and in the value sets it imports
        whole (an include of value sets only, at any depth), in order. The version an include names is the
        one its codes are taken in, wherever it sits; an import inside an include of a system only narrows
        that include (its own versions do not count). Imports that cannot be read are left out here:
        membership reports them when it needs them."""
        cache = self._stored_cache(vs, _INCLUDES_KEY, value_set_rules_only=True)
        got = cache.get((id(vs), system)) if cache is not None else None
        if got is not None and got[0] is vs:
            return got[1]
        out: list = []
        self._walk_includes(vs, system, out, {id(vs)}, 0)
        if cache is not None:
            cache[(id(vs), system)] = (vs, out)
        return out

    def versions_used(self, vs: dict, system: str, includes: list | None = None) -> list:
        """The versions of `system` the includes of `vs` take (system_includes, or `includes` when the caller
        has them), after the version rules (None: the latest), in order."""
        cache = self._stored_cache(vs, _VERSIONS_KEY)
        got = cache.get((id(vs), system)) if cache is not None else None
        if got is not None and got[0] is vs:
            return got[1]
        if includes is None:
            includes = [inc for inc, _path in self.system_includes(vs, system)]
        out = list(dict.fromkeys(self.resolve_version(system, inc.get("version")) for inc in includes))
        if cache is not None:
            cache[(id(vs), system)] = (vs, out)
        return out

    def _stored_cache(self, vs: dict, key: str, value_set_rules_only: bool = False) -> dict | None:
        """Catalog.derived table `key` when what is worked out about `vs` holds until the store changes: `vs`
        is stored, the request brings no resources of its own, no version rules and (unless only value set
        rules matter) no date ($validate-code asks these for every code)."""
        root = self.root
        supplied = root._supplied
        if supplied is not None and supplied.get(id(vs)) is vs:
            return None         # brought by the request (or made up for it): worked out per request
        rules = root.rules
        if getattr(self.catalog, "extra", None) or not hasattr(self.catalog, "derived") or \
                rules.vs_force or rules.vs_default or rules.vs_check or \
                (not value_set_rules_only and (rules.force or rules.default or rules.check or self.date)):
            return None
        known = self.catalog.derived(_STORED_KEY, _new_dict)
        if known.get(id(vs)) is not vs:
            self._note_origin(vs, vs.get("compose") or {})
            if known.get(id(vs)) is not vs:
                return None
        return self.catalog.derived(key, _new_dict)

    def _walk_includes(self, vs: dict, system: str, out: list, seen: set, depth: int) -> None:
        compose = vs.get("compose") or {}
        for i, inc in enumerate(compose.get("include") or ()):
            if not isinstance(inc, dict):
                continue
            if inc.get("system") is not None:
                if isinstance(inc["system"], str) and self.catalog.canonical_system(inc["system"]) == system:
                    out.append((inc, _path("include", i)))
                continue
            refs = inc.get("valueSet")
            if not isinstance(refs, list) or depth >= MAX_IMPORT_DEPTH:
                continue
            for ref in refs:
                try:
                    sub = self.valueset(ref)
                except TerminologyError:
                    continue
                if id(sub) not in seen:     # each value set once: a diamond (or a cycle) is walked once
                    seen.add(id(sub))
                    self._walk_includes(sub, system, out, seen, depth + 1)

    def versions_selecting(self, vs: dict, system: str, code: str) -> list:
        """The versions of `system` (as loaded) in which `code` is a member of `vs`, in include order: the
        versions $expand lists the code with. The candidates are the versions the includes of `system` in `vs`
        (and in the value sets it imports whole) name; each is held to the whole membership rule (`contains`,
        strict: that version only), so the excludes of the value set an include sits in count too. An include
        whose version is not loaded offers no candidate: `missing_versions` names it. An include that cannot be
        read (a missing import, a bad filter) raises when membership in a candidate version reaches it, as it
        does in `contains`."""
        out: list = []
        tried: set = set()
        for inc, _path in self.system_includes(vs, system):
            cs = self._quiet_codesystem(system, inc.get("version"))
            if cs is None or id(cs) in tried:
                continue
            tried.add(id(cs))
            concept = cs.find(code)[0]
            if concept is None and cs.content == "complete":
                continue
            if self.contains(vs, system, concept.code if concept is not None else code, concept, cs,
                             strict=True) and cs.version not in out:
                out.append(cs.version)
        return out

    def missing_versions(self, vs: dict, system: str, includes: list | None = None) -> list:
        """The versions of `system` (after the version rules) that an include in `vs`, or in a value set it
        imports whole (`includes`, when the caller has them: `system_includes`), takes all codes of or filters,
        and that are not loaded: $expand refuses `vs` for them (404). An include that lists its codes does not
        need its version loaded; one of a system that exclude-system removes is never read."""
        out: list = []
        if self._system_excluded(system, None):
            return out
        for inc in includes if includes is not None else (inc for inc, _path in self.system_includes(vs, system)):
            version = inc.get("version")
            if version is None or inc.get("concept"):
                continue
            if self._quiet_codesystem(system, version) is None:
                resolved = self.resolve_version(system, version)
                if resolved not in out:
                    out.append(resolved)
        return out

    # --- enumeration ------------------------------------------------------------
    def members(self, vs: dict) -> Iterator[Member]:
        """Every member of `vs`, includes in order, excludes removed, duplicates possible."""
        compose = vs.get("compose") or {}
        if not compose and isinstance(vs.get("expansion"), dict):
            for m in self._expansion_view(vs)[1]:
                self.note_codesystem(m.cs)      # the expansion's own systems are the ones it used
                yield m
            return
        self._note_origin(vs, compose)
        try:
            yield from self._members(vs, compose)
        except FilterNotUnderstood as e:
            e.name_valueset(vs)
            raise

    def _members(self, vs: dict, compose: dict) -> Iterator[Member]:
        excludes = compose.get("exclude") or []
        excluded = None
        listing = ()
        if excludes:
            excluded = set()
            for i, exc in enumerate(excludes):
                for m in self._include(exc, _path("exclude", i), note=False):
                    excluded.add(m.key)
            listing = self.listing_excludes(excludes)
        active_only = compose.get("inactive") is False
        for i, inc in enumerate(compose.get("include") or []):
            for m in self._include(inc, f"ValueSet.compose.include[{i}]"):
                if excluded is not None and (m.key in excluded or
                                             (listing and self.listed_out(listing, m.system, m.code, m.cs))):
                    continue
                if active_only and m.concept is not None and m.concept.inactive:
                    continue
                yield m

    def _include(self, inc: dict, path: str, note: bool = True) -> Iterator[Member]:
        """The codes `inc` selects: candidates from the cheapest source, each admitted by `selects`' rule."""
        system = inc.get("system")
        check_source(inc, path)
        imports = import_refs(inc, path)
        if system is not None and self._system_excluded(self.catalog.canonical_system(system), None):
            return      # every version excluded: not even resolved
        imported = None
        if imports:
            # each imported value set is enumerated once; candidates are then looked up by system and code
            held = {}
            for ref in imports:
                if ref not in held:
                    held[ref] = self._members_of(self.valueset(ref, path))
            imported = lambda ref, s, c: (s, c) in held[ref]  # noqa: E731
            if system is None:
                for m in held[imports[0]].values():
                    if self.selects(inc, path, m.system, m.code, m.concept, m.cs, imported=imported):
                        m.enumerated = True   # an imported set keeps its own shape: never re-nested
                        yield m
                return
        system = self.catalog.canonical_system(system)
        concepts = inc.get("concept")
        flts = inc.get("filter") or []
        check_filters(inc, system, path)
        cs = self.codesystem(system, inc.get("version"), required=not concepts) if note else \
            self._quiet_codesystem(system, inc.get("version"))
        if not concepts and cs is None:
            return
        if self._system_excluded(system, cs.version if cs is not None else inc.get("version")):
            return
        check_not_supplement(cs, path)
        text_first = self.text_hits is not None and note
        rule = self.rule(inc, system, cs, path, presumed=1 if flts and not concepts and not text_first else 0)

        def admits(code, concept, presumed=0):
            return self._admits(inc, path, system, code, concept, cs, imported, rule, presumed)

        if concepts:
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
                if admits(code, concept):
                    yield Member(system, cs.version if cs else inc.get("version"), code, concept, cs,
                                 display=c.get("display"), designations=c.get("designation"), enumerated=True,
                                 extensions=c.get("extension"))
            return
        if cs.content == "not-present" and not flts:
            raise NotSupported(f"The code system {system} has no content on this server (content = not-present), "
                               f"so the value set cannot be expanded", location=path)
        if flts and not text_first:
            # the first filter's own answer is the source; the rule tests the rest
            first = flts[0]
            for code in _filters.codes_for(cs, first.get("property"), first.get("op"), first.get("value")):
                concept = cs.get(code)
                if concept is not None and admits(code, concept, presumed=1):
                    yield Member(system, cs.version, code, concept, cs)
            return
        whole = not flts
        if text_first:
            # the text hits are usually far fewer than the codes a filter or the whole system selects
            for code in self.text_hits(cs):
                concept = cs.get(code)
                if concept is not None and admits(code, concept):
                    yield Member(system, cs.version, code, concept, cs, whole_system=whole, prefiltered=True)
            return
        check = imported is not None
        for concept in cs.concepts.values():
            if not check or admits(concept.code, concept):
                yield Member(system, cs.version, concept.code, concept, cs, whole_system=True)

    def _members_of(self, sub: dict) -> dict:
        """The members of the imported value set `sub` by (system, code), enumerated once per request."""
        child = self.child(sub)     # refused when it closes a cycle, however often it was enumerated before
        memo = self.root._enumerated
        if memo is None:
            memo = self.root._enumerated = {}
        got = memo.get(id(sub))
        if got is not None and got[0] is sub:
            return got[1]
        keyed: dict = {}
        for m in child.members(sub):
            keyed.setdefault(m.key, m)
        memo[id(sub)] = (sub, keyed)    # only once complete: a cycle found on the way leaves nothing behind
        return keyed

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
        cs = self.codesystem(system, inc.get("version"))
        if cs is None or cs.content in ("not-present", "supplement") or self.text_hits is not None:
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
        cs = self.codesystem(system, inc.get("version"))
        if cs is None or cs.content in ("not-present", "supplement"):
            return None
        try:
            check_understood(inc, system, cs, "ValueSet.compose.include[0]")
        except FilterNotUnderstood as e:
            e.name_valueset(vs)
            raise
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


class _Rule:
    """An include's concept list and filters applied to one code system version."""
    __slots__ = ("inc", "cs", "listed", "tests")

    def __init__(self, inc: dict, system: str, cs, path: str, presumed: int = 0, listed=None):
        self.inc, self.cs = inc, cs      # kept: the cache keys on their ids
        # codes the concept list names (None: the include lists none)
        self.listed = listed if listed is not None or not inc.get("concept") else listed_codes(inc, cs)
        # one predicate per filter, all must hold; None until first needed
        self.tests = tests = []
        check_understood(inc, system, cs, path)
        for k, f in enumerate(inc.get("filter") or ()):
            if ("value" not in f and f.get("op") != "exists") or f.get("op") == "regex":
                check_filters(inc, system, path)    # says which one
            tests.append(None if k < presumed else _never if cs is None else
                         _filters.test_for(cs, f.get("property"), f.get("op"), f.get("value")))

    def admits(self, code: str, concept, presumed: int = 0) -> bool:
        if self.listed is not None and code not in self.listed:
            return False
        tests = self.tests
        if tests and concept is None:
            return False
        for k, t in enumerate(tests):
            if k < presumed:
                continue
            if t is None:
                t = tests[k] = self.test(k)
            if not t(concept):
                return False
        return True

    def test(self, k: int):
        if self.cs is None:
            return _never
        f = self.inc["filter"][k]
        return _filters.test_for(self.cs, f.get("property"), f.get("op"), f.get("value"))


_ALL = _Rule({}, "", None, "")


def _never(_concept) -> bool:
    return False    # a filter on a code system that is not loaded selects nothing


_RULES_ATTR = "_kodebro_compose_rules"
MAX_KEPT_RULES = 512        # per index: includes of stored value sets, and of supplied ones until it fills

_PATHS = {(kind, i): f"ValueSet.compose.{kind}[{i}]" for kind in ("include", "exclude") for i in range(32)}


def _path(kind: str, i: int) -> str:
    return _PATHS.get((kind, i)) or f"ValueSet.compose.{kind}[{i}]"


def _lists_only(exc: dict) -> bool:
    """An include or exclude of a system by a concept list only: no filter, no value set import."""
    return bool(exc.get("system") and exc.get("concept")) and not exc.get("filter") and not exc.get("valueSet")


def check_source(inc: dict, path: str) -> None:
    """An include or exclude takes codes from a system or from value sets (FHIR invariant vsd-1)."""
    if inc.get("system") is None and not inc.get("valueSet"):
        raise InvalidRequest(f"{path} has neither system nor valueSet", location=path, tx_code="vs-invalid")
    import_refs(inc, path)


def import_refs(inc: dict, path: str) -> list:
    """The value sets `inc` imports: a list of canonical URLs, refused (400) when it is anything else."""
    refs = inc.get("valueSet")
    if not refs:
        return []
    if not isinstance(refs, list):
        raise InvalidRequest(f"{path}.valueSet is {_shown(refs)}, not a list of value set URLs",
                             location=f"{path}.valueSet", tx_code="vs-invalid")
    for j, ref in enumerate(refs):
        if not isinstance(ref, str) or not ref.strip():
            where = f"{path}.valueSet[{j}]"
            raise InvalidRequest(f"{where} is {_shown(ref)}, not the canonical URL of a value set",
                                 location=where, tx_code="vs-invalid")
    return refs


def _shown(value) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def check_filters(inc: dict, system: str, path: str) -> None:
    for j, f in enumerate(inc.get("filter") or ()):
        if "value" not in f and f.get("op") != "exists":
            raise InvalidRequest(
                f"The system {system} filter with property = {f.get('property')}, op = {f.get('op')} has no value",
                location=f"{path}.filter[{j}]", tx_code="vs-invalid")
        _filters.check_filter(f, f"{path}.filter[{j}]")


# (id(include), id(index)) -> (include, weak ref to index, codes); the include is kept so its id stays its own.
# Only includes of stored value sets come here (ComposeEvaluator.listed): what a request brings is not kept.
_LISTED: dict[tuple, tuple] = {}
MAX_LISTED_INCLUDES = 2000
MAX_LISTED_CODES = 2_000_000    # the codes all kept lists hold together (stored lists only, but some are large)
_listed_total = 0


def listed_codes(inc: dict, cs, keep: bool = True) -> frozenset:
    """The codes an include lists, as the code system spells them; a code the system does not hold counts
    as listed unless the system is complete (a fragment may lack it). Computed once per include and index
    (`keep` False: not kept here, the caller keeps it for its request)."""
    global _listed_total
    key = (id(inc), id(cs))
    got = _LISTED.get(key) if keep else None
    if got is not None and got[0] is inc and got[1]() is cs:
        return got[2]
    codes = set()
    for c in inc.get("concept") or ():
        code = c.get("code")
        if code is None:
            continue
        found = cs.find(code)[0] if cs is not None else None
        if found is not None:
            codes.add(found.code)
        elif cs is None or cs.content != "complete":
            codes.add(code)
    frozen = frozenset(codes)
    if cs is None or not keep:
        return frozen
    if len(_LISTED) >= MAX_LISTED_INCLUDES or _listed_total + len(frozen) > MAX_LISTED_CODES:
        _LISTED.clear()
        _listed_total = 0
    try:   # a weak reference: a replaced (large) code system index must not be kept alive by this cache
        ref = weakref.ref(cs)
    except TypeError:
        return frozen
    _LISTED[key] = (inc, ref, frozen)
    _listed_total += len(frozen)
    return frozen


# Catalog.derived key: id(body) -> body of the stored value sets seen so far, per store revision
_STORED_KEY = "kodebro.compose.stored-valuesets"
# Catalog.derived key: id(exclude list) -> (the list, its list-only excludes) of stored value sets
_LISTING_KEY = "kodebro.compose.listing-excludes"
# Catalog.derived keys: (id(body), system) -> (body, system_includes / versions_used) of stored value sets
_INCLUDES_KEY = "kodebro.compose.system-includes"
_VERSIONS_KEY = "kodebro.compose.versions-used"
# Catalog.derived key: id(include) -> (include, code -> concept entry) of stored value sets
_ENTRIES_KEY = "kodebro.compose.concept-entries"


def _is_stored(catalog, vs: dict) -> bool:
    """Whether `vs` is the stored body of a value set (not one the request brought or one made up for it)."""
    url = vs.get("url")
    if not isinstance(url, str) or not url:
        return False
    version = vs.get("version")
    base = getattr(catalog, "base", catalog)
    return base.valueset(url, version if isinstance(version, str) else None) is vs


def _new_dict(_catalog) -> dict:
    return {}


def standards_status(res: dict, lifecycle: bool = True) -> str | None:
    """The status a client should be warned about: deprecated/withdrawn, and with `lifecycle`
    also draft, retired or experimental (for code systems, whose content may still change)."""
    for ext in res.get("extension") or ():
        if ext.get("url") == STANDARDS_STATUS and ext.get("valueCode") in ("deprecated", "withdrawn"):
            return ext["valueCode"]
    if not lifecycle:
        return None
    if res.get("status") in ("draft", "retired"):
        return res["status"]
    if res.get("experimental") is True:
        return "experimental"
    return None


def is_abstract(concept, cs) -> bool:
    """Not selectable: the notSelectable property, or whatever code the system gives that property's URI."""
    if concept.abstract:
        return True
    alias = cs.not_selectable_alias() if cs is not None else None
    return alias is not None and any(v is True or v == "true" for v in concept.property_values(alias))


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


# id(value set) -> (value set, keys) of the expansion-only value sets asked about last; bounded by codes held
_RECENT_KEYS: dict = {}
_RECENT_KEYS_MAX_CODES = 300_000
_recent_lock = threading.Lock()


def _recent_expansion_keys(vs: dict) -> frozenset:
    got = _RECENT_KEYS.get(id(vs))
    if got is not None and got[0] is vs:
        return got[1]
    keys = []
    expansion = vs.get("expansion")
    stack = list(expansion.get("contains") or []) if isinstance(expansion, dict) else []
    while stack:
        c = stack.pop()
        if isinstance(c, dict):
            if c.get("code") and c.get("system"):
                keys.append((c["system"], c["code"]))
            stack.extend(c.get("contains") or [])
    keys = frozenset(keys)
    with _recent_lock:
        while _RECENT_KEYS and sum(len(k) for _v, k in _RECENT_KEYS.values()) + len(keys) > _RECENT_KEYS_MAX_CODES:
            _RECENT_KEYS.pop(next(iter(_RECENT_KEYS)))
        if len(keys) <= _RECENT_KEYS_MAX_CODES:
            _RECENT_KEYS[id(vs)] = (vs, keys)
    return keys


def _expansion_members(expansion: dict) -> Iterator[Member]:
    """The codes of a value set that has only an expansion, each with a concept (and a code system view per
    system and version) made from its entry, so that inactive and abstract flags, the nesting and the
    version its entry states survive an $expand of it as they would for stored content."""
    flat: dict[tuple, list] = {}
    order: list[tuple] = []
    stack = [(c, None) for c in reversed(expansion.get("contains") or [])]
    while stack:
        c, parent = stack.pop()
        if not isinstance(c, dict):
            continue
        code, system = c.get("code"), c.get("system")
        if code and system:
            props = [{"code": "inactive", "valueBoolean": True}] if c.get("inactive") is True else []
            if c.get("abstract") is True:
                props.append({"code": "notSelectable", "valueBoolean": True})
            key = (system, c.get("version"))
            flat.setdefault(key, []).append({"code": code, "display": c.get("display"), "property": props,
                                             "designation": c.get("designation") or [],
                                             "parents": [parent] if parent else []})
            order.append((key, code, c))
        stack.extend((k, code if code and system else parent) for k in reversed(c.get("contains") or []))
    views = {key: CodeSystemIndex({"url": key[0], "version": key[1], "content": "fragment"}, rows)
             for key, rows in flat.items()}
    for key, code, c in order:
        cs = views[key]
        yield Member(key[0], key[1], code, cs.get(code), cs, display=c.get("display"),
                     designations=c.get("designation"), from_expansion=True)


def present_versions(versions) -> str:
    """A list of versions as the reference servers write it in messages: "1", "1 or 2", "1, 2 and 3"."""
    versions = [str(v) for v in versions]
    if len(versions) < 2:
        return "".join(versions)
    return f"{', '.join(versions[:-1])} {'or' if len(versions) == 2 else 'and'} {versions[-1]}"


def unknown_version_tail(known) -> str:
    """What follows "... could not be found, so ..." for a version that is not loaded: the versions that are."""
    return f"Valid versions: {present_versions(known)}" if known else "No versions of this code system are known"


def unknown_system(catalog, system: str, version: str | None,
                   purpose: str = "the value set cannot be expanded") -> NotFound:
    known = catalog.codesystem_versions(system)
    if version is not None:
        return NotFound(f"A definition for CodeSystem '{system}' version '{version}' could not be found, "
                        f"so {purpose}. {unknown_version_tail(known)}", tx_code="not-found")
    return NotFound(f"A definition for CodeSystem '{system}' could not be found, so {purpose}", tx_code="not-found")


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
    base, version = split_canonical(url)
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

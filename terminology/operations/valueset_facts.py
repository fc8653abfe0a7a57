"""What is worked out once about a value set and kept per store revision when the value set is stored
content (its list-only excludes, the includes and versions of a system it takes, its own concept entries,
where it came from): the `ValueSetFacts` part of ComposeEvaluator, and the Catalog.derived tables they live in.
"""
from __future__ import annotations

import weakref
from itertools import chain

from ..codesystem import folded_codes
from ..errors import TerminologyError
from ..exclusions import ExclusionReasons
from .compose_checks import (MAX_IMPORT_DEPTH, check_has_source, check_stored_shape, compose_path,
                             import_refs, lists_only, vs_canonical)
from .concept_status import reported_status
from .expansion_only import expansion_members, recent_expansion_keys
from .include_rules import kept_listed_codes, listed_codes
from .revision_cache import (CONCEPT_ENTRIES, EXPANSION_VIEWS, LISTING_EXCLUDES, STORED_KEY as _STORED_KEY,
                             SYSTEM_INCLUDES, VERSIONS_USED, FactTable, _new_dict, brought, stored_body)

# id(value set) -> what $validate-code asks of every value set it checks against, before any code (`own_facts`)
VALUESET_OWN = FactTable("valueset-own")


class _ConceptEntries(dict):
    """code -> an include's own concept entry, and (made on first need) the same by casefolded code: one fact,
    so a case-insensitive lookup costs no second table read."""
    __slots__ = ("_folded",)

    def __init__(self, inc: dict):
        super().__init__()
        self._folded = None
        for c in inc.get("concept") or ():
            if isinstance(c, dict) and isinstance(c.get("code"), str):
                self.setdefault(c["code"], c)

    def folded(self) -> dict:
        """casefolded code -> the concept entry written so, for a case-insensitive system's codes; entries that
        differ only in case name neither (None), as the code system folds its own codes."""
        got = self._folded
        if got is None:
            got = {f: (self[k] if k is not None else None) for f, k in folded_codes(self).items()}
            self._folded = got      # (two threads may both build it: the same dict either way)
        return got


class _Listing(list):
    """The list-only excludes of a compose (listing_excludes), with the codes they list together per system and
    code system version (`united`): $validate-code asks one set, not one per exclude. The sets live as long as
    the listing (a store revision or a request, as revision_cache keeps it); each is kept with a weak
    reference to its index, so a replaced or per-request (supplemented) index is neither kept alive nor
    mistaken for a later one at the same address."""
    __slots__ = ("_united", "ids", "_pinned")
    MAX_KEPT = 8        # versions and supplemented copies of a system asked about one value set

    def __init__(self, items=()):
        super().__init__(items)
        self._united: dict = {}
        self.ids = frozenset(id(exc) for _s, exc in self)     # the excludes a listing decides alone
        self._pinned: dict = {}

    def all_name(self, system: str, version: str) -> bool:
        """Whether every list-only exclude of `system` names `version` (an edition's rule set pinned throughout)."""
        got = self._pinned.get((system, version))
        if got is None:
            if len(self._pinned) >= 64:
                self._pinned.clear()
            got = self._pinned[(system, version)] = all(exc.get("version") == version for s, exc in self
                                                        if s == system)
        return got

    def united(self, system: str, cs) -> frozenset | None:
        got = self._united.get((system, id(cs)))
        if got is not None and (cs is None if got[0] is None else got[0]() is cs):
            return got[1]
        return None

    def keep(self, system: str, cs, codes: frozenset) -> None:
        try:
            ref = weakref.ref(cs) if cs is not None else None
        except TypeError:
            return
        kept = self._united
        if len(kept) >= self.MAX_KEPT:
            kept.clear()
        kept[(system, id(cs))] = (ref, codes)


_NO_LISTING = _Listing()


class _SystemIncludes(list):
    """The (include, path) pairs of one system in a value set (`system_includes`), with the includes alone
    (`includes`), whether any of them lists concepts (`lists`: else the value set has no concept entry of the
    system to read) and the version they name when they all name one (`pinned`), kept with the pairs:
    $validate-code asks for them on every request, and they are as fixed as the pairs."""
    __slots__ = ("includes", "lists", "_pinned")
    _UNSET = object()

    def __init__(self, pairs=()):
        super().__init__(pairs)
        self.includes = [inc for inc, _path in self]
        self.lists = any(inc.get("concept") for inc in self.includes)
        self._pinned = self._UNSET

    def pinned(self) -> str | None:
        """The version the includes name, when they name exactly one (None: none, or several). Worked out on
        first need, so that a version that is no string fails where it always did (the first ask)."""
        got = self._pinned
        if got is self._UNSET:
            versions = {inc.get("version") for inc in self.includes}
            got = self._pinned = versions.pop() if len(versions) == 1 else None
        return got


class ValueSetFacts:
    """Per-value-set facts of ComposeEvaluator, kept across requests for stored value sets and worked out per
    request for those a request brought. A mixin: it reads the evaluator's `root`, `catalog`, `date` and calls
    `valueset`, `contains`, `resolve_version` and `_quiet_codesystem`."""

    # the stored value set last told apart by `_note_origin` in this request (set on the root evaluator)
    _stored_seen: dict | None = None

    # An exclude removes what it selects in whatever version it names (members are excluded by system and
    # code); one that only lists codes also removes each code it lists when the version it names lacks it.
    # `members` and `contains` both remove by these two rules, from the versions ExcludeScopes._exclude_scope
    # (compose_versions.py) says the exclude reaches.
    def listing_excludes(self, excludes, vs: dict | None = None) -> list:
        """(canonical system, exclude) of each exclude of a system by a concept list only (no filter, no
        import) among `excludes` (of value set `vs`): kept per store revision for a stored value set
        ($validate-code's hot path), per request for one a request brought (revision_cache)."""
        if not excludes:
            return _NO_LISTING
        return LISTING_EXCLUDES.get(self, vs, excludes, id(excludes), self._listing, excludes)

    def _listing(self, excludes) -> list:
        return _Listing((self.catalog.canonical_system(exc["system"]), exc) for exc in excludes
                        if isinstance(exc, dict) and lists_only(exc) and isinstance(exc["system"], str))

    def listed_union(self, listing: list, system: str, cs) -> frozenset:
        """The codes of `system` the excludes of `listing` list, by system and code: the listed codes as the code
        system in hand (`cs`; None: not loaded) spells them, whichever version each exclude names. Made once per
        listing and index, and kept with the listing."""
        united = listing.united(system, cs)
        if united is None:
            united = frozenset().union(*(self.listed(exc, cs) for s, exc in listing if s == system))
            listing.keep(system, cs, united)
        return united

    def own_facts(self, vs: dict) -> tuple[str | None, bool, str, ExclusionReasons]:
        """(the status `vs` reports of itself: concept_status.reported_status(vs, vs); whether its compose imports
        no value set, so that it has no import graph to check; how messages name it: url|version; why its
        excludes leave codes out, by code: exclusions.ExclusionReasons): functions of its body alone, which
        $validate-code asks of every value set it checks against, kept per store revision for a stored one."""
        return VALUESET_OWN.get(self, vs, vs, id(vs), _own_facts, vs)

    def see(self, vs: dict) -> None:
        """Tell apart, before anything is kept about it, a value set of the store from one the request brought."""
        catalog = self.catalog
        if self.on_store and self.root._supplied is None and \
                catalog.derived(_STORED_KEY, _new_dict).get(id(vs)) is vs:
            # mirrors _note_origin's first looks for $validate-code's hot path (a stored value set seen before in
            # this store revision): change the two together (the call costs ~0.3 us a request)
            self.root._stored_seen = vs
            return
        self._note_origin(vs)

    def _note_origin(self, vs: dict, compose: dict | None = None) -> None:
        """On first sight of `vs` in this request: refuse import references that are not URLs (whether or not
        the code in hand needs them), and tell apart value sets of the store from those the request brought
        (tx-resource, valueSet, implicit ones made up per request): only the former's includes may be cached
        across requests."""
        root = self.root
        if root._stored_seen is vs:
            return      # (told already in this request: Validator sees it, then `contains` asks again)
        supplied = root._supplied
        if supplied is not None and supplied.get(id(vs)) is vs:
            return
        derived = getattr(self.catalog, "derived", None)     # (inline: $validate-code's hot path)
        known = derived(_STORED_KEY, _new_dict) if derived is not None else None
        if known is not None and known.get(id(vs)) is vs:
            root._stored_seen = vs
            return      # stored, and its shape and references were checked when it was first seen
        if compose is None:
            compose = vs.get("compose") or {}
        stored = known is not None and stored_body(self.catalog, vs)
        if stored:
            # a body written into the store past the shape checks (PUT, importers) is refused here, once per
            # revision, rather than failing deep in the evaluation; a brought one was checked at the boundary
            check_stored_shape(vs)
        for kind in ("include", "exclude"):
            for i, inc in enumerate(compose.get(kind) or ()):
                if isinstance(inc, dict):
                    if inc.get("valueSet") is not None:
                        import_refs(inc, compose_path(kind, i))
                    if inc.get("system") is None:
                        check_has_source(inc, compose_path(kind, i))
        if stored:
            known[id(vs)] = vs
            return
        if supplied is None:
            supplied = root._supplied = {}
            root._transient = {}
        supplied[id(vs)] = vs
        for inc in chain(compose.get("include") or (), compose.get("exclude") or ()):
            root._transient[id(inc)] = inc

    def listed(self, inc: dict, cs) -> frozenset:
        """`listed_codes` of `inc` in `cs`, and the one place that decides where they are kept: across requests
        (include_rules' bounded store, not a FactTable: revision_cache says why) for the includes of stored
        value sets; for this request for those a request brought."""
        if not brought(self, inc):
            return kept_listed_codes(inc, cs)
        root = self.root
        kept = root._listed
        if kept is None:
            kept = root._listed = {}
        key = (id(inc), id(cs))
        got = kept.get(key)
        if got is None:
            got = kept[key] = listed_codes(inc, cs)
        return got

    def known_stored(self, vs: dict) -> bool:
        """Whether `vs` is stored content (or kept for the store revision), telling its origin on first sight."""
        derived = getattr(self.catalog, "derived", None)
        if derived is None:
            return False
        known = derived(_STORED_KEY, _new_dict)
        if known.get(id(vs)) is not vs:
            self._note_origin(vs)
        return known.get(id(vs)) is vs

    def concept_entries(self, inc: dict) -> dict:
        """code -> the include's own concept entry (its display, designations, extensions): kept per store
        revision for the includes of stored value sets, per request for those a request brought."""
        return CONCEPT_ENTRIES.get(self, None, inc, id(inc), _ConceptEntries, inc)

    def folded_concept_entries(self, inc: dict) -> dict:
        """`concept_entries` by casefolded code, kept with them."""
        return self.concept_entries(inc).folded()

    def expansion_keys(self, vs: dict) -> frozenset:
        """(system, code) of each entry of a value set that has only an expansion. Only the keys: membership
        needs no concept views, and a batch asks about one value set many times (each check with its own
        evaluator), so they are also kept for the last value sets asked about (identity checked)."""
        views = self.root._expansion_views
        got = views.get(id(vs)) if views is not None else None
        if got is not None and got[0] is vs:
            return got[2]
        return recent_expansion_keys(vs)

    def _expansion_view(self, vs: dict) -> tuple:
        """(vs, members, keys) of a value set that has only an expansion: made once per request, and once per
        store revision for a stored value set (building the members' views is the costly part)."""
        root = self.root
        if root._expansion_views is None:
            root._expansion_views = {}
        got = root._expansion_views.get(id(vs))
        if got is None or got[0] is not vs:
            def build():
                members = list(expansion_members(vs["expansion"]))
                return vs, members, {m.key for m in members}
            got = self.root._expansion_views[id(vs)] = EXPANSION_VIEWS.get(self, vs, vs, id(vs), build)
        return got

    # --- which versions of a system a value set uses -------------------------------------------------
    def system_includes(self, vs: dict, system: str) -> list[tuple[dict, str]]:
        """(include, path) of each include of `system` (canonical) in `vs` and in the value sets it imports
        whole (an include of value sets only, at any depth), in order. The version an include names is the
        one its codes are taken in, wherever it sits; an import inside an include of a system only narrows
        that include (its own versions do not count). Imports that cannot be read are left out here:
        membership reports them when it needs them. Kept as revision_cache says; the value sets the walk
        read are recorded in this request whether the walk is made or taken from where it was kept."""
        return SYSTEM_INCLUDES.get(self, vs, vs, (id(vs), system), self._system_includes, vs, system)

    def _system_includes(self, vs: dict, system: str) -> list:
        out: list = []
        self._walk_includes(vs, system, out, {id(vs)}, 0)
        return _SystemIncludes(out)

    def versions_used(self, vs: dict, system: str, includes: list | None = None) -> list:
        """The versions of `system` the includes of `vs` take (system_includes, or `includes` when the caller
        has them), after the version rules (None: the latest), in order."""
        return VERSIONS_USED.get(self, vs, vs, (id(vs), system), self._versions_used, vs, system, includes)

    def _versions_used(self, vs: dict, system: str, includes: list | None) -> list:
        if includes is None:
            includes = [inc for inc, _path in self.system_includes(vs, system)]
        return list(dict.fromkeys(self.resolve_version(system, inc.get("version")) for inc in includes))

    def _walk_includes(self, vs: dict, system: str, out: list, seen: set, depth: int) -> None:
        compose = vs.get("compose") or {}
        for i, inc in enumerate(compose.get("include") or ()):
            if not isinstance(inc, dict):
                continue
            if inc.get("system") is not None:
                if isinstance(inc["system"], str) and self.catalog.canonical_system(inc["system"]) == system:
                    out.append((inc, compose_path("include", i)))
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


def _own_facts(vs: dict) -> tuple[str | None, bool, str, ExclusionReasons]:
    compose = vs.get("compose")
    # an include or exclude with a `valueSet` (whatever its value) is what compose_checks.check_imports walks
    imports = isinstance(compose, dict) and any(
        isinstance(part, dict) and "valueSet" in part
        for kind in ("include", "exclude") if isinstance(compose.get(kind), list) for part in compose[kind])
    return reported_status(vs, vs), not imports, vs_canonical(vs) or "(unidentified)", ExclusionReasons(vs)

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
rule selects, and an exclude that only lists codes also each code it lists
(`listed_union`): both operations remove by the two. It removes them from the
version of the system it resolves to only (tx.fhir.org's rule), or by code
from any version when every include and exclude of the system names a
version and none shares one: compose_versions.py (the `ExcludeScopes` part
of the evaluator), with what a compose's version texts say.

What is kept about a value set across requests is in valueset_facts.py (the
`ValueSetFacts` part of the evaluator), what one include's list and filters
admit in include_rules.py, and what makes a compose invalid in compose_checks.py. The $expand shortcuts that
cut a page straight from an index (one whole system, one filter) are in expand_shortcuts.py.
"""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Iterator, Mapping

from ..catalog import is_store_catalog
from ..editions import edition_for_date, not_in_force
from ..errors import InvalidRequest, NotFound, NotSupported
from ..identifiers import canonical, split_canonical
from ..implicit import resolve as resolve_implicit
from ..languages import display_extensions
from ..supplements import joined, valueset_supplement_refs, valueset_systems
from ..versions import matches_version
from . import codesystem_valueset as _codesystem_valueset  # noqa: F401  (registers its implicit value sets)
from . import filters as _filters
from .compose_checks import (FilterNotUnderstood, check_cycle, check_filters, check_not_supplement, check_outline,
                             check_source, compose_path, import_refs, shown, vs_canonical)
from .compose_versions import ANY_VERSION, NO_VERSION, ExcludeScopes
from .concept_status import status_day
from .display_choice import valueset_language
from .include_rules import ALL, MAX_KEPT_RULES, RULES_ATTR, Rule
from .member import Member
from .membership_plan import membership_plan, plain_request
from .revision_cache import brought
from .valueset_facts import ValueSetFacts
from .version_rules import (SystemVersionRules, VersionCheckFailed, find_valueset, missing_valueset, unknown_system,
                            version_check_text)


# exclude-system of a request naming none: read, never written (a request naming some gets a dict of its own)
_NONE_EXCLUDED = MappingProxyType({})


def whole_system_include(inc: dict) -> bool:
    """Whether an include takes all codes of its system: it names one and no concept list, filter or import."""
    return bool(inc.get("system")) and not (inc.get("concept") or inc.get("filter") or inc.get("valueSet"))


class ComposeEvaluator(ExcludeScopes, ValueSetFacts):
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
    # facts revision_cache keeps for this request only (table key -> entries), and the lists recording what
    # the facts being built read (so that a kept fact records it again when it is taken)
    _request_facts: dict | None = None
    _recorders: list | None = None
    # id(vs) -> (vs, supplements applied, their code system cache, its own supplements) of imported value sets
    # that name supplements of their own (valueset-supplement): `child`
    _import_supplements: dict | None = None
    # $expand's `date` (not compose.lockedDate): an include, nested ones too, whose dated edition was not in
    # force then is refused (editions.not_in_force, $lookup's rule); set on the root evaluator
    refuse_before: str | None = None
    # $expand: an include that lists codes needs the code system's definition as a whole-system include does
    # (FHIRsmith includeCodes; R4 $expand SHALL fail on a definition it lacks), where $validate-code and $related
    # still answer from the list; set on the root evaluator
    listed_need_definition: bool = False
    # made on the root evaluator when first needed (see __init__): canonicals and ids of the value sets noted,
    # id(cs) -> include rules kept for this request only, id(vs) -> views of expansion-only value sets
    _used_vs_seen: set | None = None
    _imported_ids: set | None = None
    # the canonicals of the value sets used, and the definitions imports were read from, contained and implicit
    # ones too (which no canonical finds): lists on the root evaluator once one is noted, empty until then
    used_valuesets: "list[str] | tuple" = ()
    imported_valuesets: "list[dict] | tuple" = ()
    _rules: dict | None = None
    _expansion_views: dict | None = None

    def __init__(self, catalog, *, rules: SystemVersionRules | None = None, date: str | None = None,
                 supplements=None, exclude_systems=(), check_versions: bool = True, _depth: int = 0,
                 _parent: "ComposeEvaluator | None" = None, _chain: tuple = (), _cs_cache: dict | None = None):
        self.catalog = catalog
        self.rules = rules or SystemVersionRules()
        self.date = date
        self.supplements = supplements      # callable(cs) -> cs with supplements applied, or None
        # exclude-system: system -> the versions excluded (None: every version), from "system" or "system|version"
        # (a request naming none, nearly every one, shares one empty mapping)
        self.exclude_systems: Mapping[str, set] = _parent.exclude_systems if _parent else \
            {} if exclude_systems else _NONE_EXCLUDED
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
        # is_store_catalog, asked once per evaluator: the hot paths ask it several times a request
        self.on_store = _parent.on_store if _parent is not None and catalog is _parent.catalog else \
            is_store_catalog(catalog)
        if _parent is not None:
            # (system, version) -> index: one cache per set of supplements applied, so that a part of the answer
            # with supplements of its own (an import's) never shares a copy with one without them
            self._cs_cache = _parent._cs_cache if _cs_cache is None else _cs_cache
        else:
            self.used_codesystems: list[str] = []
            # (used_valuesets and imported_valuesets are made with `_used_vs_seen`, by the first note_valueset)
            # beside the lists (which keep first-seen order for the answer): membership in O(1), so a wide
            # import fan costs per reference, not per reference times distinct value sets
            self._used_cs_seen: set[str] = set()
            self._cs_cache: dict = {}
            # (made on first need, as `_used_vs_seen`, `_imported_ids`, `_rules` and `_expansion_views` are: most
            # $validate-code requests import nothing, and every container made per request costs it time)

    # --- resources ------------------------------------------------------------
    def resolve_version(self, system: str, version: str | None, dated: bool = True) -> str | None:
        """The version of `system` a reference naming `version` (None: none) takes, in the one order the version
        rules apply in ($expand and $validate-code alike): force-system-version, the version named,
        system-version, check-system-version, then the edition in force on the request's date. None: the latest.
        `dated` False leaves the date out ($validate-code chooses first and `codesystem` applies it)."""
        r = self.root.rules
        if system in r.force:
            return r.force[system]
        if version is None:
            if system in r.default:
                r.chose("system-version", system)
                return r.default[system]
            if system in r.check:
                # check-system-version "specifies a version to use": a versionless include takes it;
                # only a version the value set names itself can conflict with it
                r.chose("check-system-version", system)
                return r.check[system]
            if self.date and dated:
                return edition_for_date(self.catalog, system, self.date)
        return version

    def codesystem(self, system: str, version: str | None, required: bool = True):
        """The index for system|version (after version rules); NotFound when absent and required."""
        version = self.resolve_version(system, version)
        key = (system, version)
        cache = self._cs_cache
        if key in cache:
            cs = cache[key]
            if cs is None and required:
                # a quiet look-up (an exclude of the system) kept its absence: a use that needs it still refuses
                raise unknown_system(self.catalog, system, version)
            return cs
        on = self.root.refuse_before
        late = not_in_force(self.catalog, system, version, on) if on else None
        if late:
            # a 2015 expansion answered from 2021 is not about 2015 (a version None: the date picked none)
            raise NotFound(late, tx_code="not-found")
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
        root = self.root
        if root._recorders:
            for rec in root._recorders:
                rec.append(("cs", cs, None))
        canon = canonical(cs.url, cs.version)
        if canon not in root._used_cs_seen:
            root._used_cs_seen.add(canon)
            root.used_codesystems.append(canon)

    def valueset(self, ref: str, location: str | None = None, note: bool = True) -> dict:
        """The value set `ref` names, under the request's value set version rules; `note` False: read without
        recording it among the value sets used (an eager check of the import graph, not an evaluation)."""
        if not isinstance(ref, str) or not ref.strip():
            where = location if location and location.endswith("]") and ".valueSet[" in location else \
                f"{location or 'ValueSet.compose.include'}.valueSet"
            raise InvalidRequest(f"{where} is {shown(ref)}, not the canonical URL of a value set",
                                 location=where, tx_code="vs-invalid")
        url, version = split_canonical(ref)
        rules = self.root.rules
        if rules.valueset_rule_in_force:
            version = rules.pick_valueset_version(self.catalog, url, version)
            ref = canonical(url, version)
        vs = find_valueset(self.catalog, url, version) or resolve_implicit(self.catalog, ref)
        if vs is None:
            raise missing_valueset(self.catalog, url, version, imported=True)
        check_outline(vs)
        if rules.vs_check:
            rules.check_valueset(vs)
        if note:
            self.note_valueset(vs, ref)
        return vs

    def note_valueset(self, vs: dict, ref: str) -> None:
        """Record `vs`, read for reference `ref`, among the value sets this request used."""
        root = self.root
        if root._recorders:
            for rec in root._recorders:
                rec.append(("vs", vs, ref))
        canon = vs_canonical(vs)
        if root._used_vs_seen is None:
            root._used_vs_seen, root._imported_ids = set(), set()
            root.used_valuesets, root.imported_valuesets = [], []
        if not ref.startswith("#") and canon not in root._used_vs_seen:
            root._used_vs_seen.add(canon)
            root.used_valuesets.append(canon)
        # by identity: the list holds every one, so an id here is never reused by another dict meanwhile
        if id(vs) not in root._imported_ids:
            root._imported_ids.add(id(vs))
            root.imported_valuesets.append(vs)

    def recording(self, reads: list, build, *args):
        """`build(*args)`, with what it reads (note_valueset, note_codesystem) also appended to `reads`."""
        root = self.root
        if root._recorders is None:
            root._recorders = []
        root._recorders.append(reads)
        try:
            return build(*args)
        finally:
            root._recorders.pop()

    def replay(self, note: str, what, ref) -> None:
        """Record again what a kept fact read when it was built (one item of `recording`'s list)."""
        if note == "vs":
            self.note_valueset(what, ref)
        else:
            self.note_codesystem(what)

    def used_resources(self):
        """(kind, resource, canonical) of the root value set, the code systems and value sets used."""
        root = getattr(self.root, "root_valueset", None)
        if root is not None and root.get("url"):
            yield "ValueSet", root, vs_canonical(root)
        caches = [self.root._cs_cache] + [got[2] for got in (self.root._import_supplements or {}).values()]
        for canon in self.root.used_codesystems:
            url, ver = split_canonical(canon)
            cs = next((c for cache in caches for c in (cache.get((url, ver)),) if c is not None), None)
            if cs is None:
                cs = next((c for cache in caches for (u, _v), c in cache.items() if c is not None and u == url
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
        check_cycle(chain, vs)
        supplements, cache = self.supplements, None
        if vs.get("extension"):
            own = self._own_supplements(vs)
            if own is not None:
                supplements, cache = own
        return ComposeEvaluator(self.catalog, rules=self.rules, date=self.date, supplements=supplements,
                                _depth=self.depth + 1, _parent=self, _chain=chain + (vs,), _cs_cache=cache)

    def _own_supplements(self, vs: dict):
        """(supplements, code system cache) for the imported value set `vs` when it names supplements of its
        own: the parent's and its own (`supplements.joined`), worked out once per request; None when it names
        none (the import then shares its parent's, at no cost)."""
        refs = valueset_supplement_refs(vs)
        if not refs:
            return None
        root = self.root
        memo = root._import_supplements
        if memo is None:
            memo = root._import_supplements = {}
        got = memo.get(id(vs))
        if got is None or got[0] is not vs:
            applied, own = joined(self.supplements, self.catalog, refs, valueset_systems(self.catalog, vs))
            got = memo[id(vs)] = (vs, applied, {}, own)
        return got[1], got[2]

    def import_supplement_sets(self) -> list:
        """The supplements imported value sets named of their own (one set per value set), in the order met."""
        return [got[3] for got in (self.root._import_supplements or {}).values()]

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
        # (`system` is canonical already: an include naming it as written needs no second look-up)
        if (inc_system != system and self.catalog.canonical_system(inc_system) != system) or \
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
                rule: "Rule | None" = None, presumed: int = 0, _chain: tuple = ()) -> bool:
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
                return code in self.listed(inc, cs)
            rule = self.rule(inc, system, cs, path)
        return rule.admits(code, concept, presumed)

    def _imports_hold(self, inc, path, system, code, concept, cs, strict, imported, _chain) -> bool:
        # enumeration (`imported`) asks once per candidate: its include's references were checked already
        for i, ref in enumerate((inc.get("valueSet") or ()) if imported is not None else import_refs(inc, path)):
            if imported is not None:
                if not imported(ref, system, code):
                    return False
            else:
                sub = self.valueset(ref, path)
                chain = _chain or self.chain
                check_cycle(chain, sub)
                # each imported value set answers once per code: a set reached by many paths (L_i and M_i
                # both importing L_i+1 and M_i+1) would otherwise be asked once per path, 2^depth times
                memo = self.root._held
                if memo is None:
                    memo = self.root._held = {}
                # the members of an intersection are the first value set's, in the versions it has them in;
                # the others are asked by system and code, as $expand intersects them
                exact = strict and i == 0
                key = (id(sub), system, code, exact, id(cs), id(concept))
                got = memo.get(key)
                if got is None or got[0] is not sub:
                    got = memo[key] = (sub, self.contains(sub, system, code, concept, cs, exact, chain + (sub,)))
                if not got[1]:
                    return False
        return True

    def _in_version(self, inc: dict, system: str, code: str, concept, cs, strict: bool):
        """(concept, index) of the version `inc` (which names one) selects from, for the code in hand; None
        when that version does not hold the code. (An include without a version takes the version in hand.)"""
        version = inc["version"]
        wanted = self.resolve_version(system, version)     # force-system-version overrides the pin
        if matches_version(wanted, cs.version):
            return concept, cs
        if strict:
            return None
        other = self._quiet_codesystem(system, version)
        found = other.get(concept.code if concept is not None else code) if other is not None else None
        return (found, other) if found is not None else None

    def rule(self, inc: dict, system: str, cs, path: str, presumed: int = 0) -> "Rule":
        """`inc`'s concept list and filters compiled for one code system version (the first `presumed`
        filters only when a code needs them: their own answer is the enumeration's source)."""
        if not inc.get("concept") and not inc.get("filter"):
            return ALL     # the whole system (of the version in hand)
        kept = getattr(cs, RULES_ATTR, None)
        if kept is not None and kept[0] == id(cs):
            # a rule kept on the index was found keepable when it was made, and is still the one for this
            # include and index (checked by identity): no need to decide again where it belongs
            got = kept[1].get(id(inc))
            if got is not None and got.inc is inc and got.cs is cs:
                return got
        cache = self._rule_cache(inc, cs)
        got = cache.get(id(inc))
        if got is not None and got.inc is inc and got.cs is cs:
            return got
        got = Rule(inc, system, cs, path, presumed, self.listed(inc, cs) if inc.get("concept") else None,
                   self.filter_day(inc))
        if len(cache) >= MAX_KEPT_RULES:
            cache.clear()
        cache[id(inc)] = got
        return got

    def _rule_cache(self, inc: dict, cs) -> dict:
        """Where `inc`'s rule for `cs` is kept: on the index, across requests, when its tests are pure
        functions of index and filter (as the text index is kept there); else for this request only: a regex
        filter's time budget is per request, and an index with tests of its own keeps its own memory-bounded
        cache of their answers (unless its tests hold none of it: `keep_filter_tests`, SNOMED CT)."""
        if not self.keeps_rule(inc, cs):
            return self._request_rules(cs)
        kept = getattr(cs, RULES_ATTR, None)
        if kept is None or kept[0] != id(cs):       # a copy (supplements) carries the original's
            kept = (id(cs), {})
            try:
                setattr(cs, RULES_ATTR, kept)
            except AttributeError:
                return self._request_rules(cs)
        return kept[1]

    def keeps_rule(self, inc: dict, cs) -> bool:
        """Whether `inc`'s rule for `cs` is kept on the index, across requests (`_rule_cache`)."""
        return not (cs is None or (getattr(cs, "filter_test", None) is not None and
                                   not getattr(cs, "keep_filter_tests", False)) or brought(self, inc) or
                    any(f.get("op") == "regex" for f in inc.get("filter") or ()) or _filters.is_dated(inc))

    def filter_day(self, inc: dict) -> str | None:
        """The day `inc`'s dated filters (a deprecation) are judged on: the request's `date`, else the server's
        today, as the expansion's statuses are; None when it has none."""
        return status_day(self.catalog, self.root.date) if _filters.is_dated(inc) else None

    def _request_rules(self, cs) -> dict:
        """The include rules for `cs` kept for this request only (`_rule_cache`)."""
        root = self.root
        if root._rules is None:
            root._rules = {}
        return root._rules.setdefault(id(cs), {})

    def contains(self, vs: dict, system: str, code: str, concept=None, cs=None, strict: bool = False,
                 _chain: tuple | None = None) -> bool:
        """Whether `system#code` is a member of `vs`, without enumerating it: `members` asked about one code.
        A code the server does not hold (`concept` None, e.g. of a fragment) is a member as far as can be
        told: when an include takes its whole system or lists it."""
        if _chain is None and self.root._stored_seen is vs and self.on_store and \
                plain_request(self):
            # a stored value set seen in this request (_note_origin has nothing more to do), of the usual shape:
            # its decisions before the code are kept (membership_plan)
            plan = membership_plan(self, vs, system, cs)
            if plan is not None:
                try:
                    return plan.holds(code, concept)
                except FilterNotUnderstood as e:
                    e.name_valueset(vs)     # (as below: a filter test made on first use may still refuse)
                    raise
        # what follows is the order of tests MembershipPlan (membership_plan.py) makes from a plan: change the two
        # together, or a value set with a plan answers otherwise than one without
        compose = vs.get("compose") or {}
        self._note_origin(vs, compose)
        if _chain is None:
            _chain = (vs,)      # the value set asked about is the outermost one being processed
        if not compose and isinstance(vs.get("expansion"), dict):
            return (system, code) in self.expansion_keys(vs)
        if compose.get("inactive") is False and concept is not None and concept.inactive:
            return False
        try:
            excludes = compose.get("exclude")
            if excludes:
                listing = self.listing_excludes(excludes, vs)
                version = cs.version if cs is not None else None
                if listing:
                    reaching = self._listed_reaching(listing, compose, system, version)
                    if code in self.listed_union(listing, system, cs) if reaching is None else \
                            any(code in self.listed(exc, cs) for exc in reaching):
                        return False
                decided = listing.ids       # a list-only exclude has said all it can
                for i, exc in enumerate(excludes) if len(decided) < len(excludes) else ():
                    if id(exc) in decided:
                        continue
                    if not self._exclude_reaches(compose, exc, system, version):
                        self._read_imports(exc, compose_path("exclude", i))
                        continue
                    if self.selects(exc, compose_path("exclude", i), system, code, concept, cs, False, _chain=_chain):
                        return False
            for i, inc in enumerate(compose.get("include") or ()):
                if self.selects(inc, compose_path("include", i), system, code, concept, cs, strict, _chain=_chain):
                    return True
            return False
        except FilterNotUnderstood as e:
            e.name_valueset(vs)
            raise

    # --- enumeration ------------------------------------------------------------
    def members(self, vs: dict) -> Iterator[Member]:
        """Every member of `vs`, includes in order, excludes removed, duplicates possible."""
        compose = vs.get("compose") or {}
        if not compose and isinstance(vs.get("expansion"), dict):
            lang = valueset_language(vs)
            for m in self._expansion_view(vs)[1]:
                self.note_codesystem(m.cs)      # the expansion's own systems are the ones it used
                # the members are kept for the value set and shared: its language goes on a copy
                yield replace(m, language=lang) if lang and (m.display or m.designations) else m
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
        versioned = False
        tested_cs = listed = None
        if excludes:
            excluded = set()        # (system, code): removed in every version; (system, version, code): in one
            for i, exc in enumerate(excludes):
                scope = self._exclude_scope(compose, exc)
                if scope is NO_VERSION:
                    self._read_imports(exc, compose_path("exclude", i))
                    continue
                versioned = versioned or scope is not ANY_VERSION
                for m in self._include(exc, compose_path("exclude", i), note=False):
                    excluded.add(m.key if scope is ANY_VERSION else m.vkey)
            listing = self.listing_excludes(excludes, vs)
        active_only = compose.get("inactive") is False
        language = valueset_language(vs)
        for i, inc in enumerate(compose.get("include") or []):
            for m in self._include(inc, f"ValueSet.compose.include[{i}]", language=language):
                if excluded is not None:
                    if m.key in excluded or (versioned and m.vkey in excluded):
                        continue
                    if listing:
                        # one test per code system index (an include's members share theirs)
                        if m.cs is None or m.cs is not tested_cs:
                            tested_cs = m.cs
                            listed = self._listed_codes(listing, compose, m.system, m.cs, m.version)
                        if m.code in listed:
                            continue
                if active_only and m.concept is not None and m.concept.inactive:
                    continue
                yield m

    def _include(self, inc: dict, path: str, note: bool = True, language: str | None = None) -> Iterator[Member]:
        """The codes `inc` selects: candidates from the cheapest source, each admitted by `selects`' rule.
        `language`: that of the value set `inc` is in, the language of the displays its concepts give."""
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
        strict = note and self.root.listed_need_definition
        cs = self.codesystem(system, inc.get("version"), required=not concepts or strict) if note else \
            self._quiet_codesystem(system, inc.get("version"))
        if not concepts and cs is None:
            return
        if strict and cs.content == "not-present":
            # a resource that holds no codes is no definition of them: as if the system were not known
            raise unknown_system(self.catalog, system, inc.get("version"))
        if cs is None and note:
            self._refuse_missing_rule_version(system, inc.get("version"))
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
                    # not loaded: the version the rules give (a forced one replaces the include's)
                    version = cs.version if cs else self.resolve_version(system, inc.get("version"))
                    yield Member(system, version, code, concept, cs, display=c.get("display"),
                                 designations=c.get("designation"), enumerated=True, extensions=c.get("extension"),
                                 display_extensions=display_extensions(c) if "_display" in c else None,
                                 language=language)
            return
        if cs.content == "not-present" and not flts:
            raise NotSupported(f"The code system {system} has no content on this server (content = not-present), "
                               f"so the value set cannot be expanded", location=path)
        if flts and not text_first:
            # the first filter's own answer is the source; the rule tests the rest
            first = flts[0]
            for code in _filters.codes_for(cs, first.get("property"), first.get("op"), first.get("value"),
                                           self.filter_day(inc)):
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

    def enumerated_imports(self):
        """(value set, number of members) of each imported value set enumerated in this request so far."""
        for sub, keyed in (self.root._enumerated or {}).values():
            yield sub, len(keyed)

    def _refuse_missing_rule_version(self, system: str, version: str | None) -> None:
        """A concept list of a system the server has, whose version a version rule replaced by one it lacks:
        the whole-system include's NotFound, not the listed codes under a version nobody has. (A system the
        server lacks altogether is answered from its list by $validate-code and $related; $expand refuses it:
        `listed_need_definition`.)"""
        wanted = self.resolve_version(system, version, dated=False)
        if wanted is None or wanted == version or not self.catalog.codesystem_versions(system):
            return
        raise unknown_system(self.catalog, system, wanted)

    def _quiet_codesystem(self, system, version):
        try:
            return self.codesystem(system, version, required=False)
        except NotFound:
            return None

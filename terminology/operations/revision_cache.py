"""Where a fact worked out about a value set is kept: one decision for every such fact.

A fact (the list-only excludes of a compose, the includes of a system it reaches and the versions they
take, an include's own concept entries, the members of a value set that has only an expansion) is a function
of the value set's body and, for some facts, of the store, the request's version rules and its date. It may
be kept across requests, in a table of the store revision (Catalog.derived), only when every one of those
holds still until the store changes:

- the value set is stored content, or an implicit value set kept for the revision (`stored_body`), and the
  part the fact is about is not one the request brought (`ComposeEvaluator._transient`);
- a fact that reads the catalog (imports, code system versions) is asked against the store alone: the request
  brought no resources of its own (no overlay: `revision_catalog`);
- no version rule or date the fact depends on is in force (`FactTable.rules`).

A reference naming no version of a yearly codebook reads the edition in force today (Catalog.find_header), so a
fact may hold this year's edition: the catalog drops its `derived` tables when the year turns
(`Catalog.in_force_day`), which keeps these tables to one year as well as one store revision.

Otherwise, when the request brought resources and no such rule is in force, it is kept with the overlay
catalog the request made of them (`OverlayCatalog.facts`): the checks of a $batch-validate-code are
evaluators of their own sharing one overlay, and a fact about a part (held, so checked
by identity) against that overlay is the same for all of them. A check that brings resources of its own
evaluates against an overlay of its own. Else the fact is kept for the request, on the root evaluator, and
dropped with it. These conditions were once
written out at each fact and drifted apart; `FactTable.where` is now the only place they are decided.

Whatever a fact read while it was built (the value sets and code systems `note_valueset`/`note_codesystem`
record: what an answer reports as used, draft or experimental) is kept with it and recorded again each time
the fact is taken from a table. A kept fact and a freshly built one thus leave the same trace in the request,
whoever writes the next fact (the drift this prevents: a kept include walk once skipped recording the value
sets it read, so a draft import was reported on the first $validate-code only).

Tables are bounded: when one is full the oldest entry goes (each entry is checked by identity, so a dropped
one is merely built again).

One fact that outlives a request is kept apart on purpose: the codes an include's concept list names
(`include_rules.kept_listed_codes`). A FactTable entry is a fact about one part, checked by that part's
identity; a listed-codes entry is about an include *and* a code system index (a version, or a supplemented
copy made per request), and the index must be held by weak reference and checked by identity, so that a
replaced index is neither kept alive nor mistaken for a later one at its address. The list is a pure function
of those two (it reads no other resource, no version rule, no date), so it needs neither the revision's
lifetime nor the overlay condition: under a request's own resources a stored include's list is still the
store's, where a FactTable would build it again per request (it cannot tell whose a part seen alone is). Its
bounds count codes as well as includes, as some stored lists are large. The one decision it shares with the
tables, stored include or one a request brought, is taken in `ValueSetFacts.listed` and nowhere else.
(Compiled filter rules are kept on the index itself, for the same reason, when their tests are pure functions
of index and filter: `ComposeEvaluator._rule_cache`.)
"""
from __future__ import annotations

import threading

from ..catalog import OverlayCatalog, revision_catalog, store_view
from ..implicit import kept_for_revision

REVISION = "revision"      # kept in a table of the store revision, across requests
REQUEST = "request"        # kept on the root evaluator, for this request only

MAX_ENTRIES = 50_000       # per table and store revision; a stored value set has a handful of entries


def stored_body(catalog, vs: dict) -> bool:
    """Whether `vs` is the stored body of a value set (not one the request brought or one made up for it), or
    an implicit value set kept for the store revision (terminology/implicit.py): as fixed until the store
    changes as a stored body."""
    url = vs.get("url")
    if not isinstance(url, str) or not url:
        return False
    version = vs.get("version")
    base = store_view(catalog)
    return base.valueset(url, version if isinstance(version, str) else None) is vs or kept_for_revision(catalog, vs)


def brought(ev, part) -> bool:
    """Whether `part` (an include, exclude or exclude list) belongs to a value set the request brought."""
    transient = ev.root._transient
    return transient is not None and id(part) in transient


class _Entries:
    """One table's entries in one store revision (a Catalog.derived value): key -> (part, value, reads)."""
    __slots__ = ("data", "lock")

    def __init__(self, _catalog=None):
        self.data: dict = {}
        self.lock = threading.Lock()

    def put(self, key, entry, limit: int) -> None:
        with self.lock:
            data = self.data
            if key not in data:
                while len(data) >= limit:
                    data.pop(next(iter(data)))
            data[key] = entry


class FactTable:
    """A kind of fact and the conditions under which it may outlive the request.

    `reads_catalog`: the fact reads other resources through the catalog (imports, code system versions), so
    it may be kept across requests only when the request brought none. `rules`: which request parameters it
    depends on besides the body: None, "valueset" (value set version rules) or "all" (also the system version
    rules and the date)."""

    def __init__(self, name: str, *, reads_catalog: bool = False, rules: str | None = None,
                 max_entries: int = MAX_ENTRIES):
        self.name = name
        self.key = "kodebro.compose." + name        # its Catalog.derived key
        self.reads_catalog = reads_catalog
        self.rules = rules
        self.max_entries = max_entries
        TABLES.append(self)

    def where(self, ev, vs: dict | None, part) -> str:
        """REVISION or REQUEST: where the fact about `part` of value set `vs` (None: not known here; `part`
        then is judged by itself) may be kept."""
        return REVISION if self._revision_entries(ev, vs, part) is not None else REQUEST

    def _revision_entries(self, ev, vs: dict | None, part) -> "_Entries | None":
        """This table's entries for the store revision when the fact may be kept there (`where`), else None."""
        root = ev.root
        catalog = ev.catalog
        if ev.on_store:
            plain = True
        else:
            plain = revision_catalog(catalog) is not None
            if not hasattr(catalog, "derived"):
                return None
        if part is not vs:
            transient = root._transient
            if transient is not None and id(part) in transient:
                return None     # brought by the request
        if (self.reads_catalog or vs is None) and not plain:
            return None         # (a part judged by itself: under an overlay, whose it is cannot be told)
        if self.rules is not None and self._rule_bound(root):
            return None
        if vs is not None and root._stored_seen is not vs:
            # (told stored in this request already by _note_origin: the two looks below said so then)
            supplied = root._supplied
            if supplied is not None and supplied.get(id(vs)) is vs:
                return None
            if catalog.derived(STORED_KEY, _new_dict).get(id(vs)) is not vs and not ev.known_stored(vs):
                return None
        return catalog.derived(self.key, _Entries)

    def _rule_bound(self, root) -> bool:
        """Whether a request parameter this fact depends on is in force, so that it holds for this request only."""
        rules = self.rules
        if rules is None:
            return False
        r = root.rules
        # SystemVersionRules.valueset_rule_in_force and the system rules written out: asked twice a request on
        # $validate-code's hot path, where the two property calls cost ~0.5 us. Change them together
        if r.date is not None or r.vs_force or r.vs_default or r.vs_check:
            return True
        return bool(rules == "all" and (r.force or r.default or r.check or root.date))

    def get(self, ev, vs: dict | None, part, key, build, *args):
        """`build(*args)` for `part` (of value set `vs`) under `key`, taken from where `where` keeps it when it
        was built before; what the build read is recorded in this request either way."""
        root = ev.root
        catalog = ev.catalog
        if root._stored_seen is vs and vs is not None and ev.on_store and \
                (part is vs or root._transient is None) and (self.rules is None or not self._rule_bound(root)):
            # mirrors _revision_entries for $validate-code's hot path (a stored value set, a request that brought
            # nothing, no rule in force): change the two together (the call costs ~0.4 us a request)
            entries = catalog.derived_values.get(self.key)     # (Catalog.derived's look, without the call)
            if entries is None:
                entries = catalog.derived(self.key, _Entries)
        else:
            entries = self._revision_entries(ev, vs, part)
        if entries is None:
            if isinstance(catalog, OverlayCatalog) and not self._rule_bound(root):
                kept, lock = catalog.facts, catalog.facts_lock
            else:
                kept, lock = root._request_facts, None
                if kept is None:
                    kept = root._request_facts = {}
            entries = kept.get(self.key)
            if entries is None:
                if lock is None:
                    entries = kept[self.key] = _Entries()
                else:
                    with lock:
                        entries = kept.setdefault(self.key, _Entries())
        got = entries.data.get(key)
        if got is not None and got[0] is part:
            if got[2]:
                for note, what, ref in got[2]:
                    ev.replay(note, what, ref)
            return got[1]
        reads: list = []
        value = ev.recording(reads, build, *args)
        entries.put(key, (part, value, tuple(reads)), self.max_entries)
        return value


def _new_dict(_catalog) -> dict:
    return {}


# Catalog.derived key: id(body) -> body of the stored value sets seen so far, per store revision
STORED_KEY = "kodebro.compose.stored-valuesets"


TABLES: list[FactTable] = []

# id(exclude list) -> its list-only excludes (canonical system, exclude)
LISTING_EXCLUDES = FactTable("listing-excludes")
# id(include) -> code -> the include's own concept entry
CONCEPT_ENTRIES = FactTable("concept-entries")
# id(value set) -> (members, keys) of a value set that has only an expansion
EXPANSION_VIEWS = FactTable("expansion-views", max_entries=512)
# (id(value set), system) -> the includes of `system` it reaches through whole imports
SYSTEM_INCLUDES = FactTable("system-includes", reads_catalog=True, rules="valueset")
# (id(value set), system) -> the versions of `system` those includes take
VERSIONS_USED = FactTable("versions-used", reads_catalog=True, rules="all")

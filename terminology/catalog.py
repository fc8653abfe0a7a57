"""The engine's view of all terminology content: stored resources plus those a request brings.

`Catalog` wraps a store with hot in-memory indexes (headers by URL, CodeSystem
indexes, parsed ValueSets/ConceptMaps) and notices when another process has
written new content. `Catalog.overlay(resources)` gives a per-request view in
which `tx-resource` content shadows the store without touching it.
"""
from __future__ import annotations

import gc
import threading
import time
from collections import defaultdict

from .codesystem import GRAMMARS, CodeSystemIndex, build_index
from .editions import dated_by_year, in_force
from .editions import today as day_today
from .errors import NotFound, StoreUnavailable
from .identifiers import canonical_system
from .index_cache import IndexShelf  # noqa: F401  (also imported from here: scripts, tests)
from .json_values import same_json  # noqa: F401  (the rule's name here before json_values)
from .store.base import ResourceHeader
from .versions import latest, matches_version, version_key

_REFRESH_SECONDS = 1.0
_MAX_KEPT_VERSIONS = 4096   # (url, version) pairs `Catalog.codesystem` keeps per store revision


def pick_version(held: list, version: str | None) -> int | None:
    """Which of the resources of one url, whose versions are `held` (in the order held or given; not empty), a
    lookup naming `version` reads, by its place in the list: with no version the latest (the first when none
    has a version; a stored yearly codebook takes the edition in force today instead, Catalog.find_header),
    else that version, else the newest a wildcard (1.x, or a SNOMED CT edition URI without a date) names,
    pre-releases included. Of several with the chosen version, the first. None: no version fits.

    The one rule of every lookup by url, stored or supplied. A value set reference reads more into a version
    (`1.0.x` or `1.0?` names 1.0.2, a wildcard names releases first): version_rules.find_valueset, on top of this."""
    if version is None:
        return held.index(latest([v for v in held if v is not None]))
    if version in held:
        return held.index(version)
    wild = [k for k, v in enumerate(held) if isinstance(v, str) and matches_version(version, v)]
    return max(wild, key=lambda k: version_key(held[k])) if wild else None


class Catalog:
    def __init__(self, store, today: str | None = None):
        self.store = store
        self._lock = threading.RLock()
        self._generation = None
        self._checked = 0.0
        self._today = today
        # the year `derived_values` were worked out in (in_force_day): today's from the start, so the first request's
        # refresh keeps what was worked out before it (the server's warm-up, in the master before the fork)
        self._year = day_today(today)[:4]
        # called as fn(catalog, previous generation) after a refresh found the store changed (the server's log
        # line); the catalog itself keeps no logging policy
        self.on_reload: list = []
        self._load_headers()

    # --- freshness --------------------------------------------------------------
    def _load_headers(self) -> None:
        with self._lock:
            # read before the headers, set after them: what a reader keeps under a generation (next-edition notes,
            # the succession graph) must not be worked out from the lists of the one before
            generation = self.store.generation()
            headers = self.store.headers()
            by_url: dict[tuple[str, str], list[ResourceHeader]] = defaultdict(list)
            by_id: dict[tuple[str, str], ResourceHeader] = {}
            for h in headers:
                by_id[(h.type, h.id)] = h
                if h.url:
                    by_url[(h.type, h.url)].append(h)
            self._by_url = dict(by_url)
            # (type, url) -> [headers, their versions, the latest, dated by year, (year, its edition in force)]:
            # find_header
            self._versions: dict = {}
            self._by_id = by_id
            self._headers = headers
            # keep what is unchanged: a (pk, rev) pair names one written state of a resource
            alive = {h.pk: h.rev for h in headers}
            old_rev = getattr(self, "_revs", {})
            self._cs_cache: dict[int, CodeSystemIndex] = {
                pk: cs for pk, cs in getattr(self, "_cs_cache", {}).items()
                if pk in alive and old_rev.get(pk) == alive[pk]}
            self._body_cache: dict[int, dict] = {
                pk: b for pk, b in getattr(self, "_body_cache", {}).items()
                if pk in alive and old_rev.get(pk) == alive[pk]}
            self._revs = alive
            self._conceptmaps: list[dict] | None = None
            # key -> what `derived` made in this store revision: public so that a hot path may look a value up
            # without the call (revision_cache), never to write (a refresh or a new year swaps in a new dict)
            self.derived_values: dict = {}
            self._aliases = self._build_aliases()
            # (url as asked, version named) -> index: `codesystem`'s answer for these headers and aliases (made new
            # after them, so that a read under the old ones cannot land in it)
            self._cs_by_version: dict = {}
            self._generation = generation
            self._checked = time.monotonic()

    def refresh(self, force: bool = False) -> None:
        """Reload indexes if the store changed (checked at most once a second).

        When the store cannot be reached (a database restart, a failover), an unforced check leaves the catalog
        as it was loaded and the request goes on with it: what needs only the indexes in memory is answered, what
        must read the store meets the outage itself (a 503). A forced check (a read by id, a write, the
        readiness probe) needs the store's word, and raises."""
        now = time.monotonic()
        if not force and now - self._checked < _REFRESH_SECONDS:
            return
        self._checked = now
        self.in_force_day()     # the server's requests pass here: a new year drops what the old one's editions made
        try:
            current = self.store.generation()
        except StoreUnavailable:
            if force:
                raise
            return
        # every change starts a generation: a forced refresh skips the time check only
        if current != self._generation:
            before = self._generation
            self._load_headers()
            for fn in self.on_reload:
                fn(self, before)

    def _build_aliases(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        # a loaded code system answers by its own URL, whatever a NamingSystem prefers
        loaded = {h.url for h in self._headers if h.type == "CodeSystem" and h.url}
        for h in self._headers:
            if h.type != "NamingSystem":
                continue
            ns = self.body(h.pk)
            if ns is None:      # deleted since the last refresh
                continue
            ids = ns.get("uniqueId") or []
            preferred = next((u["value"] for u in ids if u.get("type") == "uri" and u.get("value") in loaded), None)
            preferred = preferred or next((u["value"] for u in ids if u.get("type") == "uri" and u.get("preferred")), None)
            preferred = preferred or next((u["value"] for u in ids if u.get("type") == "uri"), None)
            if not preferred:
                continue
            for u in ids:
                v = u.get("value")
                if not v or v == preferred:
                    continue
                if u.get("type") == "oid":
                    v = v if v.startswith("urn:oid:") else "urn:oid:" + v
                if v in loaded:
                    aliases[v] = v  # stays itself (and a bare OID finds its urn:oid: code system)
                    continue
                if aliases.get(v) in loaded and preferred not in loaded:
                    continue  # another NamingSystem already tied this id to a loaded code system
                aliases[v] = preferred
        return aliases

    # --- generic lookups ----------------------------------------------------------
    @property
    def generation(self):
        return self._generation

    @property
    def today(self) -> str | None:
        """KODEBRO_TODAY (YYYY-MM-DD): the day whose edition in force answers a read naming no version of a yearly
        codebook; None: the clock's (editions.today)."""
        return self._today

    @today.setter
    def today(self, day: str | None) -> None:
        self._today = day
        self.in_force_day()

    def in_force_day(self) -> str:
        """The day (YYYY-MM-DD) whose edition in force a read naming no version of a yearly codebook takes. When
        its year changes, what was worked out per store revision (`derived`: value set facts, implicit value sets)
        is dropped, as it may hold the old year's editions. Asked by every such read and by `refresh` (each
        request, at most once a second), not by `derived` itself, whose every call it would slow."""
        day = day_today(self._today)
        if day[:4] != self._year:
            with self._lock:
                if day[:4] != self._year:
                    self.derived_values = {}
                    self._year = day[:4]
        return day

    def default_version(self, rtype: str, url: str) -> str | None:
        """The version a read of `url` naming none takes (find_header): the edition in force today for a yearly
        codebook, else the latest loaded."""
        h = self.find_header(rtype, url)
        return h.version if h is not None else None

    def headers(self, rtype: str | None = None) -> list[ResourceHeader]:
        return [h for h in self._headers if rtype is None or h.type == rtype]

    def headers_by_url(self, rtype: str, url: str) -> list[ResourceHeader]:
        return list(self._by_url.get((rtype, url), ()))

    def header_by_id(self, rtype: str, rid: str) -> ResourceHeader | None:
        return self._by_id.get((rtype, rid))

    def body(self, pk: int) -> dict:
        cache = self._body_cache     # a refresh swaps in a new dict: a late read lands in the old one
        b = cache.get(pk)
        if b is None:
            b = self.store.body(pk)
            cache[pk] = b
        return b

    def canonical_system(self, system: str | None) -> str | None:
        got = canonical_system(system, self._aliases)
        if got and (got[0].isdigit() or got.startswith("urn:oid:")):
            return self._own_oid(got) or got
        return got

    def _own_oid(self, url: str | None) -> str | None:
        """The url of the loaded code system whose own OID `url` (urn:oid: or bare) is, when no code system
        answers by `url` itself."""
        if not url or not (url.startswith("urn:oid:") or url[:1].isdigit()) or ("CodeSystem", url) in self._by_url:
            return None
        return self._own_oids().get(url if url.startswith("urn:oid:") else "urn:oid:" + url)

    def _own_oids(self) -> dict[str, str]:
        """A code system's own OIDs (CodeSystem.identifier, "used to identify this code system when it is
        represented in other formats": HL7 v2 messages and CDA documents name v2-0001 2.16.840.1.113883.18.2) ->
        its url, where no NamingSystem ties the OID elsewhere. Read from the bodies once a store revision, and
        only when an OID no alias knows is asked about: searches and reads stay on the headers."""
        def build(cat) -> dict[str, str]:
            claims: dict[str, set] = {}
            for h in cat._headers:
                ids = (cat.body(h.pk) or {}).get("identifier") if h.type == "CodeSystem" and h.url else None
                for ident in ids if isinstance(ids, list) else ():
                    value = ident.get("value") if isinstance(ident, dict) else None
                    if isinstance(value, str) and value.startswith("urn:oid:") and value not in cat._aliases:
                        claims.setdefault(value, set()).add(h.url)
            # an OID more than one code system claims (THO's fragment triggerEventID and the complete
            # v3-triggerEventID share one) names none of them for sure
            return {oid: next(iter(urls)) for oid, urls in claims.items() if len(urls) == 1}
        return self.derived("catalog.code-system-oids", build)

    def versions(self, rtype: str, url: str) -> list[str]:
        url = self.canonical_system(url) if rtype == "CodeSystem" else url
        hs = self._by_url.get((rtype, url))
        if not hs and rtype == "CodeSystem" and url in GRAMMARS:
            return [GRAMMARS[url].version] if GRAMMARS[url].version else []
        vs = [h.version for h in hs or () if h.version is not None]
        return sorted(vs, key=version_key)

    def find_header(self, rtype: str, url: str, version: str | None = None) -> ResourceHeader | None:
        if rtype == "CodeSystem":
            url = canonical_system(url, self._aliases)      # (self.canonical_system, one call fewer per read)
        hs = self._by_url.get((rtype, url))
        if not hs:
            url = self._own_oid(url) if rtype == "CodeSystem" else None
            hs = self._by_url.get((rtype, url)) if url else None
            if not hs:
                return None
        # the versions of these headers and the latest of them, worked out once per list: every request asks
        # (a refresh makes new lists, so what is kept is used only with the list it came from)
        kept = self._versions.get((rtype, url))
        if kept is None or kept[0] is not hs:
            held = [h.version for h in hs]
            kept = self._versions[(rtype, url)] = [hs, held, hs[pick_version(held, None)],
                                                   dated_by_year(rtype, url, held), None]
        if version is None:
            if not kept[3]:
                return kept[2]
            # a yearly edition answers from its 1 January, not from when it was loaded; the year's choice is kept
            # with the list, so it is made again when the year turns
            year = self.in_force_day()[:4]
            chosen = kept[4]
            if chosen is None or chosen[0] != year:
                chosen = kept[4] = (year, hs[kept[1].index(in_force(kept[1], year))])
            return chosen[1]
        held = kept[1]
        if version in held:
            return hs[held.index(version)]      # (pick_version's first look, without the call: the usual read)
        k = pick_version(held, version)
        return None if k is None else hs[k]

    # --- typed lookups ------------------------------------------------------------
    def codesystem(self, url: str, version: str | None = None) -> CodeSystemIndex | None:
        # a system is read again and again (every $validate-code and $lookup): the index found is kept with the
        # headers it was found in. A version None of a yearly codebook is not kept: it reads the edition in force
        # today, which the next year changes
        kept = self._cs_by_version       # (a refresh swaps in a new dict, with the new headers)
        cs = kept.get((url, version))
        if cs is not None:
            return cs
        h = self.find_header("CodeSystem", url, version)
        if h is None:
            grammar = GRAMMARS.get(self.canonical_system(url))
            return grammar if grammar is not None and grammar.answers(version) else None
        cs = self.codesystem_by_pk(h.pk)
        if len(kept) < _MAX_KEPT_VERSIONS and (version is not None or not self._by_year(url)):
            kept[(url, version)] = cs
        return cs

    def _by_year(self, url: str) -> bool:
        """Whether a read of `url` naming no version takes the edition in force on a day (find_header, which has
        worked this out for the headers of the url by the time this is asked); True when not known."""
        kept = self._versions.get(("CodeSystem", canonical_system(url, self._aliases)))
        return kept is None or bool(kept[3])

    def codesystem_by_pk(self, pk: int) -> CodeSystemIndex:
        cs = self._cs_cache.get(pk)
        if cs is None:
            with self._lock:
                cs = self._cs_cache.get(pk)
                if cs is None:
                    body = self.store.body(pk)
                    if body is None:
                        # deleted by another request (another worker) since this catalog's headers were read
                        # (they are checked at most once a second): as a read of it answers, not a 500
                        h = next((x for x in self._headers if x.pk == pk), None)
                        what = f"CodeSystem/{h.id} ({h.url}|{h.version})" if h is not None else "The code system"
                        raise NotFound(f"{what} was deleted by another request while this one was reading it")
                    cs = build_index(body, self.store.concepts(pk))
                    self._cs_cache[pk] = cs
                    # an index lives as long as the process: keep it out of the cyclic GC's
                    # full collections, whose pauses grow with the heap (HTTP p99)
                    gc.freeze()
        return cs

    def codesystem_versions(self, url: str) -> list[str]:
        return self.versions("CodeSystem", url)

    def warm(self, max_concepts: int | None = None, text: bool = True) -> int:
        """Build the indexes (and text-search indexes) of the stored code systems now, not on first use.

        A server worker calls this before taking requests, so that no client
        waits for an index build (a SNOMED CT edition takes seconds).
        """
        from .textsearch import TextIndex
        n = 0
        for h in self.headers("CodeSystem"):
            if max_concepts is None or h.concept_count <= max_concepts:
                cs = self.codesystem_by_pk(h.pk)
                if text and len(cs):
                    TextIndex.of(cs).search_ordinals("kodebro")
                n += 1
        gc.freeze()  # all of it lives as long as the process (see codesystem_by_pk)
        return n

    def resource(self, rtype: str, url: str, version: str | None = None) -> dict | None:
        h = self.find_header(rtype, url, version)
        return self.body(h.pk) if h else None

    def valueset(self, url: str, version: str | None = None) -> dict | None:
        return self.resource("ValueSet", url, version)

    def supplies(self, rtype: str, url: str, version: str | None = None) -> bool:
        """Whether the request brought this resource (so nothing built from it may outlive the request)."""
        return False

    def conceptmaps(self) -> list[dict]:
        """All stored ConceptMaps; the same list object until the store changes (callers must not modify it)."""
        cms = self._conceptmaps
        if cms is None:
            # a map deleted since the last refresh has no body any more: it is left out, not handed on as None
            cms = self._conceptmaps = [b for h in self._headers if h.type == "ConceptMap"
                                       for b in (self.body(h.pk),) if b is not None]
        return cms

    def derived(self, key: str, build):
        """`build(self)`, made once per store revision: indexes other packages keep over stored content.

        An overlay hands this to its base, so the value never holds supplied resources. The build runs
        outside the catalog's lock (it may take other locks that wait for this one); two first callers
        may both build, and the first value stored is kept.
        """
        cache = self.derived_values      # a refresh swaps in a new dict: a late build lands in the old one
        hit = cache.get(key)
        if hit is None:
            hit = cache.setdefault(key, build(self))
        return hit

    def overlay(self, resources: list[dict], shelf: "IndexShelf | None" = None) -> "Catalog":
        """A view of this catalog with `resources` shadowing the store. `shelf`: where the indexes built of
        them are kept; give the same one to every overlay of one request (a batch) to index each once."""
        return OverlayCatalog(self, resources, shelf=shelf) if resources else self


def store_view(catalog):
    """The store's own catalog: under an overlay of the resources a request brought (OverlayCatalog), its base;
    else `catalog` itself. What the stored content alone must decide (a derived map, a stored body) reads this."""
    return getattr(catalog, "base", catalog)


def is_store_catalog(catalog) -> bool:
    """Whether `catalog` is a store's own Catalog, no overlay of resources a request brought: the hot paths' form
    of `revision_catalog(catalog) is not None` (what is worked out against it holds for the store revision),
    without its three looks. A catalog of another class is not told one: it takes the long way."""
    return type(catalog) is Catalog


def revision_catalog(catalog):
    """`catalog` when what is worked out against it depends on the store revision alone, so that it may be kept
    in `derived` until the store changes; None when the catalog carries resources a request brought (an
    overlay) or keeps nothing per revision."""
    if getattr(catalog, "extra", None) or getattr(catalog, "base", None) is not None:
        return None
    return catalog if hasattr(catalog, "derived") else None


class OverlayCatalog:
    """A catalog view where request-supplied resources shadow stored ones.

    The resources lie in at most two layers: those the view was made with, and those a check lays on top of
    them (`layer`: its own tx-resources over a batch's shared ones, a value set's contained resources).
    Versions are chosen over both layers as over one list; of two resources with the chosen url and version,
    the upper layer's wins (within a layer, the first given)."""

    def __init__(self, base: Catalog, resources: list[dict], *, shelf: IndexShelf | None = None,
                 upper: list[dict] = ()):
        self.base = base
        self.store = base.store
        self.extra: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.shelf = shelf if shelf is not None else IndexShelf()
        # facts about value sets worked out against this view, for every evaluator using it (revision_cache)
        self.facts: dict = {}
        self.facts_lock = threading.Lock()
        self.lower = list(resources)
        lower_ids = {id(r) for r in self.lower}
        # a lower resource handed in again stays in the lower layer
        self.upper = [r for r in upper if id(r) not in lower_ids]
        self._upper_ids = {id(r) for r in self.upper}
        # supplied resources arrive checked for shape (fhir_api.supplied)
        for r in self.lower + self.upper:
            if isinstance(r.get("url"), str) and r["url"]:
                self.extra[(r["resourceType"], r["url"])].append(r)

    def __getattr__(self, name):
        return getattr(self.base, name)

    def canonical_system(self, system):
        if system.__class__ is str and ("CodeSystem", system) in self.extra:
            return system       # a code system the request brought answers by its own url, whatever claims it
        return self.base.canonical_system(system)

    def overlay(self, resources, shelf: IndexShelf | None = None):
        """`resources` shadowing this view as its own shadow the store: laid on top (`layer`)."""
        return self.layer(resources)

    def layer(self, resources):
        """`resources` laid on top of this view's (or on top of its upper layer, with it): they win a tie of
        url and version with the lower layer. Indexes stay on the shared shelf."""
        if not resources:
            return self
        return OverlayCatalog(self.base, self.lower, shelf=self.shelf, upper=self.upper + list(resources))

    def supplies(self, rtype, url, version=None):
        return self._pick(rtype, url, version) is not None

    def _pick(self, rtype, url, version):
        r = self._pick_in(rtype, url, version)
        if r is not None and self._upper_ids and id(r) not in self._upper_ids:
            r = next((o for o in self.extra.get((rtype, url), ())
                      if id(o) in self._upper_ids and o.get("version") == r.get("version")), r)
        return r

    def _pick_in(self, rtype, url, version):
        rs = self.extra.get((rtype, url))
        k = pick_version([r.get("version") for r in rs], version) if rs else None
        return None if k is None else rs[k]

    def versions(self, rtype, url):
        url = self.canonical_system(url) if rtype == "CodeSystem" else url
        mine = {r.get("version") for r in self.extra.get((rtype, url), []) if r.get("version")}
        return sorted(mine | set(self.base.versions(rtype, url)), key=version_key)

    def codesystem_versions(self, url):
        return self.versions("CodeSystem", url)

    def codesystem(self, url, version=None):
        url = self.canonical_system(url)
        r = self._pick("CodeSystem", url, version)
        if r is not None:
            # a supplied resource wins unless a stored one matches a version it lacks
            return self.shelf.index(r)
        return self.base.codesystem(url, version)

    def resource(self, rtype, url, version=None):
        r = self._pick(rtype, url, version)
        return r if r is not None else self.base.resource(rtype, url, version)

    def valueset(self, url, version=None):
        return self.resource("ValueSet", url, version)

    def default_version(self, rtype, url):
        """A request's own resources of `url` win without a version: their latest, else the stored default."""
        r = self._pick(rtype, self.canonical_system(url) if rtype == "CodeSystem" else url, None)
        return r.get("version") if r is not None else self.base.default_version(rtype, url)

    def conceptmaps(self):
        return [r for (t, _), rs in self.extra.items() if t == "ConceptMap" for r in rs] + self.base.conceptmaps()

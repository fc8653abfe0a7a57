"""Implicit value sets: URLs that stand for a value set without a stored resource.

Resolvers are functions `(catalog, url) -> dict | None` returning a ValueSet
resource (usually with a compose) for URLs they recognise, e.g.
`http://snomed.info/sct?fhir_vs=isa/123` or a code system's `valueSet`
(all codes). The expansion engine asks them when no stored ValueSet matches.

What a resolver answers depends on the stored content only (which versions
are loaded, which code systems name the URL as their value set), so against
a catalog without request-supplied resources the answer is kept for the
store revision: each request naming the URL then gets the same dict, and
what is worked out about a value set per store revision (its includes, the
versions it uses, compiled filters: operations/revision_cache.py decides where) is worked out
once for it too, as for a stored value set (`kept_for_revision`). The dict is
shared: like a stored body, nobody may change it.

A code an implicit value set names (`{system}?fhir_vs=isa/<code>`, SNOMED CT `refset/<id>`) must be a code of
the version the include is applied to: the filter is a `CodeFilter`, a dict like any filter that also knows
how to say what is wrong, and compose_checks.check_understood asks it (`check_applied`) where an include meets
the version the request resolved for it, never before. The resolver cannot judge: the version used depends on
the request (system-version, force-system-version, the coding's own version on $validate-code), so a code
held only by another loaded version is judged against the version used, not refused by the resolver.

Bounds: at most MAX_KEPT URLs per store revision, each at most MAX_URL_CHARS
long. The first ones asked about stay until the store changes (a new
revision starts empty); later ones are resolved per request, as before.
Nothing is ever evicted within a revision, because the per-revision caches
elsewhere hold what they worked out for a kept value set by its identity:
a value set dropped here and made again would be a new entry there, without
bound.
"""
from __future__ import annotations

import threading

from .catalog import Catalog, revision_catalog
from .errors import InvalidRequest, shortened

RESOLVERS: list = []

MAX_KEPT = 512              # implicit value sets kept per store revision
MAX_URL_CHARS = 4096        # an ECL expression in a URL can be long; longer ones are not kept

_KEY = "kodebro.implicit.kept-valuesets"    # Catalog.derived key


def resolver(fn):
    RESOLVERS.append(fn)
    return fn


class _Kept:
    """The implicit value sets resolved in one store revision (a Catalog.derived value)."""
    __slots__ = ("by_url", "by_id", "lock")

    def __init__(self, _catalog=None):
        self.by_url: dict = {}      # url -> value set
        self.by_id: dict = {}       # id(value set) -> value set: what kept_for_revision asks
        self.lock = threading.Lock()

    def add(self, url: str, vs: dict) -> dict:
        """The value set kept for `url`: `vs`, or the one another thread kept first; `vs` unkept when full."""
        with self.lock:
            got = self.by_url.get(url)
            if got is not None:
                return got
            if len(self.by_url) >= MAX_KEPT:
                return vs
            self.by_url[url] = vs
            self.by_id[id(vs)] = vs
            return vs


def _kept(catalog) -> _Kept | None:
    """The store revision's kept value sets; None when answers may depend on more than the store (the
    request brought resources: an overlay) or the catalog keeps nothing per revision."""
    catalog = revision_catalog(catalog)
    return catalog.derived(_KEY, _Kept) if catalog is not None else None


def _resolve(catalog, url: str) -> dict | None:
    for fn in RESOLVERS:
        vs = fn(catalog, url)
        if vs is not None:
            return vs
    return None


def resolve(catalog, url: str) -> dict | None:
    """The value set `url` stands for, None when no resolver knows it. Errors (a malformed implicit URL)
    are raised afresh each time; only value sets are kept."""
    if type(catalog) is Catalog:
        # a store's own catalog (is_store_catalog), asked about a URL kept for its revision: the one look every
        # request naming an implicit value set makes, without _kept's calls (change the two together)
        kept = catalog.derived_values.get(_KEY)
        got = kept.by_url.get(url) if kept is not None and url.__class__ is str else None
        if got is not None:
            return got
    kept = _kept(catalog) if isinstance(url, str) and len(url) <= MAX_URL_CHARS else None
    if kept is None:
        return _resolve(catalog, url)
    got = kept.by_url.get(url)
    if got is not None:
        return got
    vs = _resolve(catalog, url)
    return kept.add(url, vs) if vs is not None else None


def kept_for_revision(catalog, vs) -> bool:
    """Whether `vs` is an implicit value set kept for the store revision `catalog` (or the catalog an overlay
    lies on) is at: then it is as fixed as a stored body until the store changes."""
    base = getattr(catalog, "base", None) or catalog
    derived = getattr(base, "derived", None)
    if derived is None:
        return False
    return derived(_KEY, _Kept).by_id.get(id(vs)) is vs


class CodeFilter(dict):
    """A compose filter of an implicit value set whose value is a code that must be in the version the include
    is applied to (`problem` says when it is not). Serialises, compares and reads as the plain filter dict."""
    __slots__ = ("url", "loaded")

    def __init__(self, url: str, loaded, prop: str, op: str, value: str):
        super().__init__(property=prop, op=op, value=value)
        self.url = url                  # the implicit value set's URL, for the message
        self.loaded = tuple(loaded)     # the versions of the system loaded when the URL was resolved

    def codes(self) -> list[str]:
        """The codes the filter names: the value of `is-a` is one code (a comma may be part of it); only `in`
        takes a comma separated list (R4 filter-operator)."""
        value = str(self.get("value"))
        if self.get("op") != "in":
            return [value.strip()] if value.strip() else []
        return [c.strip() for c in value.split(",") if c.strip()]

    def problem(self, cs) -> str | None:
        """Why this filter cannot be applied to code system version `cs`, None when it can. Only a complete
        system is judged: a fragment (or an example) may simply not list the code."""
        if getattr(cs, "content", "complete") != "complete":
            return None
        missing = next((c for c in self.codes() if cs.find(c)[0] is None), None)
        if missing is None:
            return None
        return f"{self.named()}: the code '{shortened(missing)}' is not in {in_version(cs)}{self.loaded_text()}"

    def named(self) -> str:
        """The implicit value set's URL as a message names it (a huge one cut short)."""
        return f"'{shortened(self.url, 200)}'"

    def loaded_text(self) -> str:
        return f" (loaded versions: {', '.join(self.loaded)})" if self.loaded else ""


def in_version(cs) -> str:
    """'<system> version <v>' of a code system version, as the messages name it."""
    return f"{cs.url} version {cs.version}" if cs.version else f"{cs.url} (no version)"


def code_filter(catalog, url: str, system: str, prop: str, op: str, value: str, kind=CodeFilter) -> CodeFilter:
    """The filter of implicit value set `url` selecting by `value`, a code of `system`."""
    return kind(url, [v for v in catalog.codesystem_versions(catalog.canonical_system(system)) if v], prop, op, value)


def check_applied(inc: dict, cs) -> None:
    """Refuse (400) an implicit value set's include applied to a version `cs` that lacks the code it names."""
    for f in inc.get("filter") or ():
        if isinstance(f, CodeFilter):
            text = f.problem(cs)
            if text is not None:
                raise InvalidRequest(text)

"""Which version of its system an exclude removes codes of, and what a compose's version texts say.

tx.fhir.org's rule, which $expand and $validate-code both follow: an exclude removes codes from the version of
its system it resolves to only (`ExcludeScopes._exclude_scope`), or by code from any version when every
include and exclude of the system names a version and none shares one (`versions_match`, echoed by $expand as
the versionsMatch parameter). Whether the codes of an expansion name their version is decided by the same
texts (`version_texts_differ`).

`ExcludeScopes` is a part of ComposeEvaluator (as `ValueSetFacts` is): it reads the evaluator's `root`,
`catalog`, `exclude_systems` and the root's `rules`, and calls `resolve_version`, `valueset`, `listed` and
`listed_union`.
"""
from __future__ import annotations

from .compose_checks import import_refs

# `ExcludeScopes._exclude_scope`'s answers besides a version: remove by code in any version; remove nothing
ANY_VERSION = object()
NO_VERSION = object()


class ExcludeScopes:
    """Which version of its system an exclude of a compose removes codes of: the ComposeEvaluator part that
    `members` and `contains` ask before they let an exclude remove a code."""

    # (id(compose), system, version named) -> (compose, the version of the system an exclude naming it removes
    # codes of): `_exclude_scope`; kept on the root evaluator (one per request), made on first use
    _exclude_scopes: dict | None = None

    def _exclude_scope(self, compose: dict, exc: dict):
        """The version of its system whose codes `exc` removes (tx.fhir.org's rule): the version it resolves to
        (an unversioned exclude: the one the version rules and the catalog give it, as for an unversioned
        include); ANY_VERSION, by code in whatever version, when every include and exclude of the system names
        a version and none shares one (the value set plainly means "these codes, not those"), or when the
        system is not loaded in any version (nothing to tell versions by); NO_VERSION when it names a version
        that is not loaded (it removes nothing). An exclude by value set import alone removes by code."""
        system = exc.get("system") if isinstance(exc, dict) else None
        if not isinstance(system, str):
            return ANY_VERSION
        memo = self.root._exclude_scopes
        if memo is None:
            memo = self.root._exclude_scopes = {}
        # one answer per system and version named: a compose may list hundreds of excludes of one system
        named = exc.get("version")
        key = (id(compose), system, named if isinstance(named, str) else None)
        got = memo.get(key)
        if got is not None and got[0] is compose:
            return got[1]
        canon = self.catalog.canonical_system(system)
        # the catalog alone: deciding the scope neither notes a used code system nor applies supplements
        cs = self.catalog.codesystem(canon, self.resolve_version(canon, named))
        if cs is None:
            scope = ANY_VERSION if self.catalog.codesystem(canon, None) is None else NO_VERSION
        elif _versions_apart(self.catalog, compose, canon):
            scope = ANY_VERSION
        else:
            scope = cs.version
        memo[key] = (compose, scope)
        return scope

    def _exclude_reaches(self, compose: dict, exc: dict, system: str, version: str | None) -> bool:
        """Whether `exc` may remove a code of `system` in `version` (the version in hand; None: not loaded)."""
        if not isinstance(exc, dict) or not isinstance(exc.get("system"), str):
            return True
        if self.catalog.canonical_system(exc["system"]) != system:
            return False        # (selects says no too; this spares it the asking)
        if version is not None and exc.get("version") == version and system not in self.root.rules.force:
            # it names the version in hand, which it resolves to: reached (by that version or by any), and the
            # common case (an edition's rule set pins one edition throughout) asks nothing more
            return True
        scope = self._exclude_scope(compose, exc)
        return scope is ANY_VERSION or (scope is not NO_VERSION and scope == version)

    def _read_imports(self, exc: dict, path: str) -> None:
        """Read the value sets an exclude that reaches no code in hand imports: one that cannot be read fails the
        request (a 404 on $expand) whether or not the exclude's version reaches the codes."""
        if isinstance(exc, dict) and exc.get("valueSet"):
            for ref in import_refs(exc, path):
                self.valueset(ref, path)

    def _listed_codes(self, listing: list, compose: dict, system: str, cs, version: str | None) -> frozenset:
        """The codes of `system` in `cs` (`version`; cs None: not loaded) that the list-only excludes of
        `listing` reaching that version list: when all of them reach it (the usual case), the listing's kept
        union (`listed_union`); else the union of those that reach, made for this request only (which of them
        reach depends on the request's version rules). The one rule of `members` and of a membership plan."""
        reaching = self._listed_reaching(listing, compose, system, version)
        if reaching is None:
            return self.listed_union(listing, system, cs)
        return frozenset().union(*(self.listed(exc, cs) for exc in reaching))

    def _listed_reaching(self, listing: list, compose: dict, system: str, version: str | None) -> list | None:
        """The list-only excludes of `system` that reach `version`; None when all of them do (the usual case,
        answered by the listing's kept union)."""
        if version is not None and system not in self.root.rules.force and listing.all_name(system, version):
            return None     # each names the version in hand (as _exclude_reaches says, without its asking)
        mine = [exc for s, exc in listing if s == system]
        reaching = [exc for exc in mine if self._exclude_reaches(compose, exc, system, version)]
        return None if len(reaching) == len(mine) else reaching

    def _system_excluded(self, system: str, version: str | None) -> bool:
        """Whether exclude-system removes `system` (canonical) in `version`; version None asks about all."""
        versions = self.exclude_systems.get(system)
        return versions is not None and (None in versions or (version is not None and version in versions))


def version_texts_differ(catalog, compose: dict) -> bool:
    """Whether some system comes in `compose`'s includes and excludes with two version texts (an absent
    version is a text of its own; `1.x` and `1.2.0` differ): then, as on tx.fhir.org, every code of the
    expansion names its code system's version; else none does. Entries that only import value sets do not
    count."""
    first: dict = {}
    for kind in ("include", "exclude"):
        for entry in compose.get(kind) or ():
            if not isinstance(entry, dict) or not isinstance(entry.get("system"), str):
                continue
            version = entry.get("version") or None
            system = catalog.canonical_system(entry["system"])
            if first.setdefault(system, version) != version:
                return True
    return False


def versions_match(catalog, compose: dict) -> bool:
    """tx.fhir.org's "exclude another version" case, which it echoes as expansion parameter versionsMatch:
    every include and exclude names one and the same system with a version, and no exclude names an
    include's version (the excludes then remove by code, whatever the version: `_versions_apart`)."""
    entries = [e for kind in ("include", "exclude") for e in compose.get(kind) or ()]
    if not compose.get("include") or not compose.get("exclude") or \
            not all(isinstance(e, dict) and isinstance(e.get("system"), str) for e in entries):
        return False
    systems = {catalog.canonical_system(e["system"]) for e in entries}
    return len(systems) == 1 and _versions_apart(catalog, compose, systems.pop())


def _versions_apart(catalog, compose: dict, system: str) -> bool:
    """Whether every include and exclude of `system` (canonical) in `compose` names a version, and no include
    names one an exclude names: then an exclude removes its codes from the includes' other versions."""
    inc_versions, exc_versions = set(), set()
    for kind, found in (("include", inc_versions), ("exclude", exc_versions)):
        for entry in compose.get(kind) or ():
            if not isinstance(entry, dict) or not isinstance(entry.get("system"), str) or \
                    catalog.canonical_system(entry["system"]) != system:
                continue
            version = entry.get("version")
            if not isinstance(version, str) or not version:
                return False
            found.add(version)
    return bool(inc_versions) and bool(exc_versions) and not (inc_versions & exc_versions)

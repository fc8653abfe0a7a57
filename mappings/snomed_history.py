"""SNOMED CT history into the succession graph: historical association refsets become change edges.

Registered in mappings.succession_build.EDGE_SOURCES, so `build_from_catalog` calls
`snomed_edges(catalog, graph)` for every loaded SNOMED CT edition:

    REPLACED BY, SAME AS                  -> replaced (1 target) / split (several)
    POSSIBLY EQUIVALENT TO, ALTERNATIVE,
    POSSIBLY REPLACED BY, PARTIALLY EQ.   -> split into alternatives (or replaced when there is one)
    an inactive concept without any       -> retired (with its inactivation reason as the note)
    WAS A, MOVED TO/FROM, REFERS TO       -> not successions; left out

Lineages: an edition's history is its own module's and the international edition's (every extension includes
one), never another country's extension. The importer keeps no module dependencies, so the lineage of an
edition of module M is the loaded editions of M and of the international module; of an international edition,
the international editions. A change is dated by the loaded edition of its lineage that first shows it (the
row's effectiveTime stays in the note: it names no edition a client could ask for), editions are compared
(derived changes) only with editions of their own module, and walks between SNOMED CT versions use the graph
of one lineage (`SnomedLineages.pick`). When every loaded edition is of one lineage (one country's editions, with
or without international ones), that lineage's graph is the shared graph itself.
"""
from __future__ import annotations

import threading
from dataclasses import replace

from terminology.errors import shortened
from terminology.identifiers import SNOMED, SNOMED_INT_MODULE
from terminology.snomed.implicit import map_url_of, module_of, not_loaded
from terminology.snomed.successors import DEFINITE, SUCCESSOR_ASSOCIATIONS, successor_links
from terminology.snomed.successors import inactive_note as _inactive_note
from terminology.versions import version_key

from .changelist import Change
from .succession import SuccessionGraph, quiet_gc


def changes_of(cs) -> list[Change]:
    """Changes stated by the historical associations of one loaded SNOMED CT edition (a SnomedIndex), each under
    the edition's module at the row's effectiveTime: a reading of one release, not yet dated by a loaded edition
    (`dated_changes` does that for the graph)."""
    out: list[Change] = []
    module = (cs.release or {}).get("module") or SNOMED_INT_MODULE
    codes = cs.codes
    for i, active in enumerate(cs.active):
        if active:
            continue
        edition = f"{SNOMED}/{module}/version/{cs.eff[i] or cs.release.get('date', '')}"
        links = successor_links(cs, i)
        reason = cs.reason.get(i)
        if not links:
            out.append(Change(SNOMED, edition, "retired", codes[i],
                              note=f"inactivated (reason {reason})" if reason else "inactivated"))
            continue
        targets = list(dict.fromkeys(t for _r, t in links))
        refsets = tuple(sorted({r for r, _t in links}))
        names = sorted({SUCCESSOR_ASSOCIATIONS[r] for r in refsets})
        definite = all(r in DEFINITE for r in refsets)
        kind = "replaced" if len(targets) == 1 else "split"
        note = ", ".join(names) + ("" if definite else " (not a definite replacement)")
        out.append(Change(SNOMED, edition, kind, codes[i], targets, note=note, refsets=refsets))
    return out


def inactive_note(cs, code: str, maps_to) -> str | None:
    """Why an inactive concept has no map rows, and where to go instead: its historical associations, each with
    what that concept maps to (`maps_to(code)` -> target codes). None for an active or unknown concept. A term bank
    that holds concepts of older releases (Epic) needs the replacement named, not only "no rows"."""
    def onward(target):
        got = list(dict.fromkeys(maps_to(target)))
        return f", which maps to {' or '.join(got)}" if got else ", which has no rows in the map either"
    return _inactive_note(cs, code, onward)


def loaded_editions(catalog) -> list[tuple]:
    """[(edition URI, SnomedIndex)] of the loaded SNOMED CT editions, oldest first."""
    out = []
    for version in catalog.codesystem_versions(SNOMED):
        cs = catalog.codesystem(SNOMED, version)
        if cs is not None and hasattr(cs, "assoc") and cs.version == version:
            out.append((version, cs))
    return sorted(out, key=lambda e: version_key(e[0]))


def dated_changes(editions) -> list[Change]:
    """The changes of `editions` (oldest first), each dated by the first of them in its lineage that shows it.

    An extension's release repeats the international rows it builds on: a change an earlier edition of its own
    module or of the international module already showed is no new change; a different target (a repointed
    REPLACED BY) is. Another country's extension shows nothing to this one."""
    shown: dict[str, set] = {}
    out = []
    for version, cs in editions:
        module = module_of(version)
        before = shown.get(module, set()) | (shown.get(SNOMED_INT_MODULE, set()) if module != SNOMED_INT_MODULE
                                             else set())
        mine = shown.setdefault(module, set())
        for c in changes_of(cs):
            key = (c.code, c.kind, tuple(c.successor))
            mine.add(key)
            if key not in before:
                row_date = c.edition.rsplit("/", 1)[-1]
                out.append(replace(c, edition=version, note=f"{c.note}; row effectiveTime {row_date}"))
    return out


def snomed_edges(catalog, graph) -> None:
    """EDGE_SOURCES hook: add every loaded SNOMED CT edition's history to the succession graph, which compares
    SNOMED CT editions only with editions of their own module; walks use one lineage's graph (`SnomedLineages`)."""
    editions = loaded_editions(catalog)
    if not editions:
        return
    # whether anything before this (a stored change list) already says something of SNOMED CT codes
    told = SNOMED in graph.systems_editions
    changes = dated_changes(editions)
    graph.add_changes(changes)
    graph.families[SNOMED] = module_of
    graph.lineages[SNOMED] = SnomedLineages(graph, editions, history_only=not told, changes=changes)


class SnomedLineages:
    """The succession graph of each SNOMED CT lineage, built on first use from the shared graph's snapshots."""

    def __init__(self, shared, editions, history_only: bool = False, changes: list[Change] | None = None):
        self.shared = shared
        self.editions = editions
        # the shared graph says nothing of SNOMED CT codes but the loaded editions' history (no change list does)
        self.history_only = history_only
        # the modules with a loaded edition: fixed for the life of the shared graph
        self.modules = {module_of(v) for v, _cs in editions}
        # the shared graph's dated changes of `editions`, kept while two extensions are loaded (no extension's
        # lineage is then the shared graph: each is built on its own, `dated`) until each extension's is built;
        # reading them again would pass every concept of the lineage's editions
        self.kept_changes = changes if changes is not None and not self._one_lineage() else None
        self._graphs: dict = {}
        self._lock = threading.Lock()

    def pick(self, catalog, version: str | None, target_version: str | None):
        """(the lineage graph a request between `version` and `target_version` walks, None), or (None, why) when
        they are editions of two extensions. An international edition alone goes with the edition the other
        end defaults to (the one in force), whose extension includes it. The versions are edition URIs
        (`edition`)."""
        loaded = self.modules
        # a module with no loaded edition picks no lineage: the edition asked is then no known edition of the one
        # walked, and the answer says so instead of vouching for a release that is not there
        mods = [m if m in loaded else None for m in (module_of(version), module_of(target_version))]
        ext = list(dict.fromkeys(m for m in mods if m and m != SNOMED_INT_MODULE))
        if len(ext) > 1:
            return None, (f"{version} and {target_version} are editions of two SNOMED CT extensions (modules "
                          f"{ext[0]} and {ext[1]}): an edition's history is its own module's and the international "
                          "edition's, so there is no walk from one to the other; ask within one extension and "
                          "the international edition")
        if ext:
            module = ext[0]
        elif mods[1] == SNOMED_INT_MODULE:
            module = SNOMED_INT_MODULE
        else:
            module = module_of(catalog.default_version("CodeSystem", SNOMED))
            if module not in loaded:
                module = module_of(self.editions[-1][0])
        return self.graph(module), None

    @staticmethod
    def edition(catalog, asked: str | None) -> str | None:
        """The loaded edition a request's SNOMED CT version names, read as every other SNOMED CT path reads it
        (a module alone: its latest loaded edition). A version that names none, URI or not (`1`, a bare date), is
        the 404 naming the loaded ones that the SNOMED CT map and succession paths give: whatever its spelling, it
        is a SNOMED CT version, and the same mistake gets the same answer."""
        if not asked:
            return asked
        cs = catalog.codesystem(SNOMED, asked)
        if cs is None:
            raise not_loaded(catalog, shortened(asked))
        return cs.version

    def graph(self, module: str):
        got = self._graphs.get(module)
        if got is None:
            with self._lock:
                got = self._graphs.get(module)
                if got is None:
                    got = self._graphs[module] = self._build(module)
                    if self.modules - {SNOMED_INT_MODULE} <= self._graphs.keys():
                        # every extension's lineage is built (pick builds only loaded modules'): an international
                        # one, rarely asked alone, reads its editions again rather than keep the list for it
                        self.kept_changes = None
        return got

    def _one_lineage(self) -> bool:
        # no second extension: no lineage leaves another country's rows out of the shared list
        return len(self.modules - {SNOMED_INT_MODULE}) <= 1

    def dated(self, module: str) -> list[Change]:
        """The dated changes of the lineage of `module`: the shared list filtered to its modules while it is kept.
        The "first shown" rule looks only at the change's own module and the international one, so these are the
        rows `dated_changes` gives for the lineage's editions alone, which it reads again once the list is gone."""
        keep = (module, SNOMED_INT_MODULE)
        changes = self.kept_changes
        if changes is None:
            return dated_changes([(v, cs) for v, cs in self.editions if module_of(v) in keep])
        return [c for c in changes if module_of(c.edition) in keep]

    def _is_shared(self, module: str) -> bool:
        """Whether the lineage of `module` is the shared graph's SNOMED CT part as it stands: every loaded edition is
        of the lineage (the usual store: one country's editions, with or without international ones), and nothing
        else speaks of SNOMED CT codes there. Its graph would then be built from the same rows and editions by the
        same rules, so the shared graph is used, not a copy built again (re-reading every edition's associations
        and comparing its editions again)."""
        if not self.history_only or not self.modules <= {module, SNOMED_INT_MODULE}:
            return False
        # the shared graph also compares SNOMED CT editions that are no RF2 import (a CodeSystem resource)
        return set(self.shared.loaded.get(SNOMED, ())) == {v for v, _cs in self.editions}

    def _build(self, module: str):
        if self._is_shared(module):
            return self.shared
        # it lives as long as the shared graph: built as that one is
        with quiet_gc(self.shared.long_lived):
            mine = [(v, cs) for v, cs in self.editions if module_of(v) in (module, SNOMED_INT_MODULE)]
            sg = SuccessionGraph()
            sg.long_lived = self.shared.long_lived
            sg.families[SNOMED] = module_of
            sg.lineages[SNOMED] = self
            sg.add_changes(self.dated(module))
            for version, _cs in mine:
                snap = self.shared.editions.get((SNOMED, version))
                if snap is not None:
                    sg.add_snapshot(snap)
            sg.derive_from_editions()
        return sg

    @staticmethod
    def source_of(catalog, edge: dict | None) -> str | None:
        """The implicit ConceptMap that states a step (its graph edge): the association refset's map, on the base
        of the edition the step is dated by unless that is the default edition, whose map the bare base names
        (an earlier edition's row may since have been repointed). None when several refsets state it."""
        refsets = (edge or {}).get("refsets") or ()
        if len(refsets) != 1:
            return None
        return map_url_of(refsets[0], edge.get("edition"), catalog)


try:  # the succession graph is optional for SNOMED CT: register when it is there
    from .succession_build import EDGE_SOURCES
except ImportError:  # pragma: no cover
    EDGE_SOURCES = None
if EDGE_SOURCES is not None and snomed_edges not in EDGE_SOURCES:
    EDGE_SOURCES.append(snomed_edges)

"""What two editions of a codebook show by themselves: the one set of rules for derived changes.

The succession graph (changes no change list states), the derived
adjacent-edition ConceptMaps and `kodebro diff-editions` all compare editions
through `diff`, so a code cannot be "retired" in one of them and "unchanged"
in another. The rules:

- active in the older edition, not active in the newer one: `retired`;
- not active in the older edition, active in the newer one: `reactivated` when
  the code is known from before the older edition (listed, even as inactive, in
  an earlier loaded edition, or a change list took it out of use by then), else
  `new`;
- active in both with another display: `text` (display); another definition:
  `text` (subtext, the CodeSystem `definition` holds the undertekst). A WHO
  grouping's display (origin=who, English, added by the ICD-10-NO importers) is
  no Norwegian text: it never makes a text row;
- selectable in the older edition, a grouping (notSelectable) in the newer one
  with selectable codes below it that the older lacks: `split` into those codes
  (ICD-10-NO subdivides a category: R17 -> R17.0, R17.9), the commonest change
  NAV's lists show without saying it; the new codes get no `new` row, as under a
  stated split;
- absence proves nothing in a fragment (`content` other than complete): a code
  a fragment leaves out is neither retired nor new; one it lists as inactive is;
- what a change list states for the code in an edition after the older and up
  to the newer one wins: a stated succession, retirement, new code or text change
  suppresses the derived row of the same sort (see `SuccessionGraph.stated`);
- a row's edition is the newer one unless the editions between or the code's
  validTo/validFrom date it earlier (`succession_dating.dated`, for the graph and
  `edition_changes` alike).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from terminology.catalog import store_view
from terminology.editions import is_complete, is_year
from terminology.norway.properties import who_grouping
from terminology.operations.concept_status import VALID_FROM, VALID_TO
from terminology.versions import version_key

from .changelist import DERIVED_MARK, Change

# what a change says happened to a code, as far as comparing two code lists can tell
GONE, NEW, TEXT, SUBTEXT = "gone", "new", "text", "subtext"
# how an answer marks a derived row that no curator has read: the derived ConceptMaps' comments and $translate's
UNCHECKED = "derived from the code lists, meaning not checked"
DERIVED_TEXT = f"text changed; {UNCHECKED}"
DERIVED_SPLIT = "subdivided; derived from the code lists"


@dataclass(slots=True)
class EditionCodes:
    """The part of one edition that comparisons read."""
    system: str
    edition: str
    active: dict            # active code -> display
    subtext: dict           # active code -> definition, only codes that have one
    inactive: frozenset     # codes the edition lists but marks inactive
    complete: bool
    # year editions only: listed code -> its validTo / validFrom day (NAV's Gyldig til / fra), for codes that
    # carry one; the succession graph dates a derived retirement or new code by them
    valid_to: dict = field(default_factory=dict)
    valid_from: dict = field(default_factory=dict)
    # active groupings (notSelectable) -> their child codes; and the active codes whose display is WHO's
    # (origin=who: a grouping the ICD-10-NO importers added from WHO ICD-10, English text)
    groupings: dict = field(default_factory=dict)
    who: frozenset = frozenset()

    @classmethod
    def of(cls, system: str, edition: str, cs) -> "EditionCodes":
        active, subtext, inactive, valid_to, valid_from, groupings, who = {}, {}, [], {}, {}, {}, []
        dated = is_year(edition)
        for c in cs.concepts.values():
            if c.inactive:
                inactive.append(c.code)
                if dated and c.properties:
                    _validity(c, valid_to, valid_from)     # a retired code's end dates its retirement
                continue
            active[c.code] = c.display
            if c.definition:
                subtext[c.code] = c.definition
            if c.properties:
                if dated:
                    _validity(c, valid_to, valid_from)
                # only a code with codes below it can be a subdivided one or a WHO grouping (the importers add
                # WHO groupings as parents and notSelectable); asking every concept made this read of the full
                # ICD-10-NO 2026 take 28 ms instead of 11 (15 ms asking only these)
                if c.children and c.abstract:
                    groupings[c.code] = c.children     # the index's own list: read, never changed
                    if who_grouping(c):
                        who.append(c.code)
        return cls(system, edition, active, subtext, frozenset(inactive), is_complete(cs.content),
                   valid_to, valid_from, groupings, frozenset(who))

    def lists(self, code: str) -> bool:
        return code in self.active or code in self.inactive

    def selectable_below(self, code: str) -> list[str]:
        """The active selectable codes under a grouping, at any depth, in code order."""
        out, todo, seen = [], list(self.groupings.get(code, ())), {code}
        while todo:
            c = todo.pop()
            if c in seen or c not in self.active:
                continue
            seen.add(c)
            if c in self.groupings:
                todo.extend(self.groupings[c])
            else:
                out.append(c)
        return sorted(out)


def _validity(concept, valid_to: dict, valid_from: dict) -> None:
    for p in concept.properties:
        name = p.get("code")
        if name not in VALID_TO and name not in VALID_FROM:
            continue
        value = p.get("valueDateTime") or p.get("valueDate") or p.get("valueString")
        # a year of four ASCII digits (str.isdigit takes '²', which int() refuses when the graph dates by it)
        if not (isinstance(value, str) and is_year(value[:4])):
            continue
        # the widest period the concept's values give
        into, pick = (valid_to, max) if name in VALID_TO else (valid_from, min)
        got = into.get(concept.code)
        into[concept.code] = value[:10] if got is None else pick(got, value[:10])


def diff(old: EditionCodes, new: EditionCodes, *, stated: set | frozenset = frozenset(),
         known_before: Callable[[str], bool] | None = None) -> list[Change]:
    """Derived change rows from `old` to `new` (edition of every row: `new.edition`).

    `stated`: (code, GONE|NEW|TEXT|SUBTEXT) that change lists already say for
    editions after `old` up to `new`. `known_before(code)`: whether the code
    was in use before `old` in a way `old` does not show (an earlier edition, a
    stated retirement); not whether it was between `old` and `new`.
    """
    system, a, b = new.system, old.edition, new.edition
    rows: list[Change] = []
    subdivided = _subdivided(old, new, stated)
    below = {c for parts in subdivided.values() for c in parts}
    for code in sorted(new.active.keys() - old.active.keys()):
        if (code, NEW) in stated or code in below or not (old.complete or code in old.inactive):
            continue
        back = code in old.inactive or (known_before is not None and known_before(code))
        rows.append(Change(system, b, "reactivated" if back else "new", code, new_text=new.active[code],
                           note=f"{DERIVED_MARK} not in {a}, in {b}" + (", and in use before" if back else "")))
    for code in sorted(old.active.keys() - new.active.keys()):
        if (code, GONE) in stated or not (new.complete or code in new.inactive):
            continue
        rows.append(Change(system, b, "retired", code, old_text=old.active[code],
                           note=f"{DERIVED_MARK} in {a}, not in {b}"))
    for code, parts in sorted(subdivided.items()):
        # one new code under the grouping is a replacement: a split names alternatives (changelist.parse_row)
        rows.append(Change(system, b, "split" if len(parts) > 1 else "replaced", code, parts,
                           old_text=old.active[code],
                           note=f"{DERIVED_MARK} subdivided: {code} is a grouping in {b} "
                                f"over {', '.join(parts)}, which {a} lacks; confirm"))
    for code in sorted(old.active.keys() & new.active.keys()):
        o, n = old.active[code], new.active[code]
        if code in subdivided or code in old.who or code in new.who:
            # a subdivided code's text is its grouping's now; a WHO display is no Norwegian text to compare
            n = o
        if o != n and (code, TEXT) not in stated:
            rows.append(Change(system, b, "text", code, old_text=o, new_text=n,
                               note=f"{DERIVED_MARK} display differs between {a} and {b}"))
        o, n = old.subtext.get(code), new.subtext.get(code)
        if o != n and (code, SUBTEXT) not in stated:
            rows.append(Change(system, b, "text", code, old_text=o, new_text=n, text_part="subtext",
                               note=f"{DERIVED_MARK} subtext differs between {a} and {b}"))
    return rows


def listed_retirements(snap: EditionCodes) -> list[Change]:
    """Retirements one edition shows by itself, whatever edition is loaded before it: the codes it lists as
    inactive with a validTo before its year (NCMP 2021 lists ZWUU40 "Gyldig til 31.12.2020"), each dated the
    year after its validTo, as `succession_dating.dated` dates a derived retirement. The edition before may be
    a fragment, or not loaded: the listed end is the evidence (review s16 M1)."""
    if not is_year(snap.edition):
        return []
    rows = []
    for code in sorted(snap.inactive):
        end = snap.valid_to.get(code)
        if end is None or not int(end[:4]) < int(snap.edition):
            continue        # no end date, or inactive for another reason (valid only from a later year)
        rows.append(Change(snap.system, str(int(end[:4]) + 1), "retired", code,
                           note=f"{DERIVED_MARK} listed as retired in {snap.edition}; valid to {end}"))
    return rows


def _subdivided(old: EditionCodes, new: EditionCodes, stated) -> dict[str, list[str]]:
    """code -> the new selectable codes under it, for each code selectable in `old` that `new` has as a
    grouping over codes `old` does not have (new as `diff` counts new: a fragment's silence proves nothing).
    A change list's word on the code (a stated succession or retirement) wins."""
    out = {}
    for code in new.groupings.keys() & old.active.keys():
        if code in old.groupings or (code, GONE) in stated:
            continue
        parts = [c for c in new.selectable_below(code)
                 if c not in old.active and (old.complete or c in old.inactive)]
        if parts:
            out[code] = parts
    return out


# --- a pair of loaded editions, for the CLI and the derived ConceptMaps -------------------

_KIND_ORDER = {k: i for i, k in enumerate(("new", "reactivated", "retired", "replaced", "merged", "split",
                                           "moved", "text"))}
DRAFT_HINT = "; add the successor if the change document names one"


def snapshot(catalog, sg, system: str, edition: str) -> EditionCodes:
    """The graph's copy of a loaded edition, else one read from the catalog (editions the graph skips)."""
    snap = sg.editions.get((system, edition))
    if snap is None:
        snap = EditionCodes.of(system, edition, catalog.codesystem(system, edition))
    return snap


def _complete(catalog, sg, system: str, edition: str) -> bool:
    """As the graph counts it: only complete editions end one of its adjacent pairs."""
    if (system, edition) in sg.editions:
        return (system, edition) in sg.complete
    return catalog.codesystem(system, edition).content == "complete"


def edition_changes(catalog, system: str, from_edition: str, to_edition: str, *,
                    with_stated: bool = False) -> list[Change]:
    """Changes of `system` from one loaded edition to another.

    Derived rows follow `diff` with what change lists state winning. With
    `with_stated`, the stated rows of this codebook for editions after `from`
    up to `to` come first in the answer: a draft that names every known change,
    so importing it back loses no curated succession.
    """
    from terminology.errors import InvalidRequest, NotFound

    from .succession_build import graph_for, stated_changes
    system = catalog.canonical_system(system)
    for ed in (from_edition, to_edition):
        cs = catalog.codesystem(system, ed)
        if cs is None or cs.version != ed:
            known = ", ".join(catalog.codesystem_versions(system)) or "none"
            raise NotFound(f"edition {ed} of {system} is not loaded (loaded: {known})")
    if version_key(from_edition) > version_key(to_edition):
        raise InvalidRequest(f"--from {from_edition} is later than --to {to_edition}: give the earlier edition as "
                             f"--from (--from {to_edition} --to {from_edition})")
    sg = graph_for(store_view(catalog))
    # a span over complete editions is the chain of its adjacent pairs, each row dated by the pair that shows
    # it as the graph dates it: compared end to end, M19.06 (gone in 2026) would be "retired in 2027" and B04's
    # two text changes one (review s16 re-check N1)
    lo, hi = version_key(from_edition), version_key(to_edition)
    stops = [v for v in catalog.codesystem_versions(system)
             if lo < version_key(v) < hi and _complete(catalog, sg, system, v)]
    if stops:
        ends = [from_edition, *sorted(stops, key=version_key), to_edition]
        rows = [r for a, b in zip(ends, ends[1:]) for r in _pair_changes(catalog, sg, system, a, b)]
    else:
        rows = _pair_changes(catalog, sg, system, from_edition, to_edition)
    if not with_stated:
        return rows
    for r in rows:
        if r.kind == "retired":
            r.note += DRAFT_HINT
    mine = [c for c in stated_changes(catalog) if c.codebook == system and lo < version_key(c.edition) <= hi]
    mine.sort(key=lambda c: (version_key(c.edition), _KIND_ORDER.get(c.kind, 99), c.code, c.text_part))
    return mine + rows


def _pair_changes(catalog, sg, system: str, from_edition: str, to_edition: str) -> list[Change]:
    """Derived rows between two loaded editions with no complete edition between them."""
    from .succession_dating import dated
    snaps: dict[str, EditionCodes] = {}

    def snap(ed: str) -> EditionCodes:
        got = snaps.get(ed)
        if got is None:
            got = snaps[ed] = snapshot(catalog, sg, system, ed)
        return got
    old, new = snap(from_edition), snap(to_edition)
    lo, hi = version_key(from_edition), version_key(to_edition)
    # "in use before" as the graph's adjacent pair reads it: listed in an edition before `from`, or a change
    # list took it out of use by `to`
    versions = catalog.codesystem_versions(system)
    earlier = [v for v in versions if version_key(v) < lo]

    def known_before(code: str) -> bool:
        return sg.gone_before((system, code), hi) or any(snap(v).lists(code) for v in earlier)

    rows = diff(old, new, stated=sg.stated(system, lo, hi), known_before=known_before)
    # dated as the graph dates them: by validTo/validFrom and what partial editions between list
    between = [snap(v) for v in versions if lo < version_key(v) < hi]
    return [dated(r, old, new, between) for r in rows]

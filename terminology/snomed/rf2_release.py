"""The rows of an RF2 Snapshot merged into one SNOMED CT release, in compact arrays.

Several modules of one release (the international release plus the Norwegian extension) may
come as several files of each kind. For every component id, of every kind, only the row with
the latest effectiveTime counts (the later file on a tie), and an inactive latest row removes
the component: an extension can change or retire a description, an acceptability, a
relationship or a refset member of the release it extends.

What has to be joined across files (descriptions to concepts, language refset rows to
descriptions, relationships, refset members, map rows) is kept in compact arrays keyed by a
dense concept number. terminology.importers.rf2 finds and reads the files and feeds their rows
to `Release`; terminology.snomed.concept_rows turns the finished release into flat concept rows.
"""
from __future__ import annotations

from array import array
from typing import Callable, NamedTuple

from ..identifiers import SNOMED_INT_MODULE, SNOMED_NO_MODULE
from . import constants as K


def number_of(numbers: dict, values: list, value) -> int:
    """The number of `value` in a table of distinct values (`values`; `numbers` maps each to its place), added at the
    end when new: the row arrays hold the small number, the table the string once."""
    n = numbers.get(value)
    if n is None:
        n = numbers[value] = len(values)
        values.append(value)
    return n


class DanglingRelationships(NamedTuple):
    """What read_relationships found of kept (active, used) rows that name a concept the release does not hold."""
    count: int = 0
    first: tuple | None = None      # (line, "sourceId" | "destinationId", the id) of the first such row

_CORE_MODULES = {SNOMED_INT_MODULE, K.MODEL_MODULE, K.ICD10_MAP_MODULE}
_MEMBER_LABELS = {"simple": "simple refset members", "association": "historical associations",
                  "attribute": "concept inactivation reasons", "simplemap": "simple map rows",
                  "complexmap": "complex/extended map rows"}


class RF2Error(ValueError):
    """A damaged or incomplete release, said in terms of its files and lines."""


class DuplicateId(ValueError):
    """An id met twice in one Snapshot file; the reader adds the file and line."""

    def __init__(self, cid):
        super().__init__(cid)
        self.id = cid


class Ids:
    """The ids already met of one component kind, when it comes in several files.

    A Snapshot file holds each id once, so an id can recur only in another file of the same
    kind (the international release and an extension, or several release folders). Files are
    read largest last (terminology.importers.rf2.read_release) and the ids of that last file are never stored: nothing read afterwards
    could meet them, so only the ids of the smaller files cost memory. `seen` is None when the
    kind has one file; `remember` is False while the last file is read.

    Since files are not read in their own order, rows compare by `effectiveTime << 16 | rank`,
    rank being the file's place in path order: on equal effectiveTimes the later file wins.
    """
    __slots__ = ("seen", "remember")

    def __init__(self, several: bool):
        self.seen: dict | None = {} if several else None
        self.remember = several


def _newer_row(effs: array, p: int, eff: str, rank: int) -> bool:
    """Whether a row of the component stored at `p` (its id met in an earlier file) replaces the
    stored one; if so the row's order is stored there, and the caller updates the rest in place."""
    order = int(eff) << 16 | rank
    if effs[p] > order:
        return False
    effs[p] = order
    return True


class Release:
    """Everything read from the Snapshot files, in compact form, indexed by dense concept numbers.

    Every component (concept, description, relationship, refset member) counts by its newest row
    only, the one with the latest effectiveTime; on a tie the row of the file read later. A
    newest row that is inactive removes the component. When an edition arrives as several files
    of one kind (the international release and an extension, or several release folders), the
    rows of each component id are found again through a dict of the ids seen so far, and an
    inactive row is kept as a tombstone so that an older active row read afterwards cannot
    revive it. With one file per kind no dict is needed and inactive rows are skipped.
    """

    def __init__(self, say: Callable[[str], None]):
        self.say = say                         # progress messages
        self.idx: dict[int, int] = {}          # concept id -> number
        self.ids = array("q")
        self.active = bytearray()
        self.defined = bytearray()
        self.eff = array("I")
        self.module = array("H")
        self.modules: list[str] = []
        self._module_no: dict[str, int] = {}
        # descriptions, by description number; d_type 0 marks a removed (inactive) description
        self.didx: dict[int, int] = {}
        self.d_concept = array("I")
        self.d_term: list[str] = []
        self.d_lang = array("B")
        self.d_type = bytearray()              # ord('F'|'S'|'D'), or 0
        self.d_acc = array("Q")                # 2 bits per language refset slot: 1 acceptable, 2 preferred
        self.d_eff = array("q")                # effectiveTime << 16 | file rank (see Ids)
        self.d_module = array("H")             # numbers into d_modules
        self.d_modules: list[str] = []
        self.langs: list[str] = []
        self.desc_modules: dict[str, int] = {}   # an extension may add only descriptions (translations)
        self.lang_slots: list[str] = []        # language refset ids by slot
        # language refset members, applied to d_acc once all are read
        self.l_desc, self.l_refset, self.l_val, self.l_eff = array("I"), array("H"), bytearray(), array("q")
        self.lang_refsets: list[str] = []
        # relationships as read (one table per file kind), then is-a pairs and attribute rows
        self.rel_rows = {k: (array("I"), array("q"), array("q"), array("B"), array("q"), bytearray())
                         for k in ("relationship", "stated")}
        self.isa = {"relationship": (array("I"), array("I")), "stated": (array("I"), array("I"))}
        self.rel_src, self.rel_type, self.rel_dest, self.rel_group = array("I"), array("q"), array("q"), array("B")
        # refset members as read: per kind, effectiveTimes and (concept number, refset, data) or None
        self.members: dict[str, tuple[array, list]] = {}
        self._names: dict[str, str] = {}       # one string object per refset / module id
        self.simple: dict[str, array] = {}
        self.assoc: dict[int, list] = {}
        self.reason: dict[int, str] = {}
        self.maps: dict[str, dict[int, list]] = {}
        self.map_kind: dict[str, str] = {}
        self.dates: set[str] = set()
        self.notes: list[str] = []             # what a person should know about the import
        self.counts: dict[str, int] = {}

    # concepts ------------------------------------------------------------------
    def _name(self, s: str) -> str:
        return self._names.setdefault(s, s)

    def read_concepts(self, rows) -> None:
        start = len(self.ids)       # concepts numbered from here on were first met in this file
        for r in rows:
            cid = int(r[0])
            eff = int(r[1])
            i = self.idx.get(cid)
            if i is not None and i >= start:
                raise DuplicateId(cid)
            if i is None:
                i = self.idx[cid] = len(self.ids)
                self.ids.append(cid)
                self.active.append(0)
                self.defined.append(0)
                self.eff.append(0)
                self.module.append(0)
            elif self.eff[i] > eff:
                continue
            self.active[i] = r[2] == "1"
            self.defined[i] = r[4] == K.DEFINED
            self.eff[i] = eff
            self.module[i] = number_of(self._module_no, self.modules, r[3])

    def read_descriptions(self, rows, definitions: bool, ids: Ids, rank: int) -> None:
        langs = {l: i for i, l in enumerate(self.langs)}
        dmods = {m: i for i, m in enumerate(self.d_modules)}
        idx, didx, d_eff, d_term, d_type = self.idx, self.didx, self.d_eff, self.d_term, self.d_type
        remember = ids.remember
        last_lang = last_mod = None
        li = mi = 0
        n = 0
        start = len(d_eff)          # descriptions numbered from here on were first met in this file
        for r in rows:
            active = r[2] == "1"
            if not active and ids.seen is None:
                continue
            did = int(r[0])
            order = (int(r[1]) << 16 | rank)
            di = didx.get(did)
            if di is None:
                if not active and not remember:
                    continue
                ci = idx.get(int(r[4]))
                if ci is None:
                    continue
                # every description is remembered: language refset rows look them up by id
                di = didx[did] = len(d_eff)
                self.d_concept.append(ci)
                d_term.append("")
                self.d_lang.append(0)
                d_type.append(0)
                self.d_acc.append(0)
                d_eff.append(order)
                self.d_module.append(0)
            elif di >= start:
                raise DuplicateId(did)
            elif d_eff[di] > order:
                continue
            d_eff[di] = order
            if not active:
                d_term[di] = ""
                d_type[di] = 0
                continue
            if r[5] != last_lang:
                last_lang = r[5]
                li = number_of(langs, self.langs, last_lang)
            if r[3] != last_mod:
                last_mod = r[3]
                mi = number_of(dmods, self.d_modules, last_mod)
            d_term[di] = r[7]
            d_type[di] = ord("D" if definitions or r[6] == K.DEFINITION else ("F" if r[6] == K.FSN else "S"))
            self.d_lang[di] = li
            self.d_module[di] = mi
            n += 1
            if n % 500_000 == 0:
                self.say(f"{n:,} description rows")

    def read_language(self, rows, ids: Ids, rank: int) -> None:
        numbers = {s: i for i, s in enumerate(self.lang_refsets)}
        didx, l_desc, l_refset, l_val, l_eff = self.didx, self.l_desc, self.l_refset, self.l_val, self.l_eff
        seen, remember, newer = ids.seen, ids.remember, _newer_row
        preferred = K.PREFERRED
        for r in rows:
            active = r[2] == "1"
            if seen is not None:
                p = seen.get(r[0])
                if p is not None:
                    if newer(l_eff, p, r[1], rank):
                        # a member's refset and description never change; its acceptability may
                        l_val[p] = (2 if r[6] == preferred else 1) if active else 0
                    continue
            if not active and not remember:
                continue
            di = didx.get(int(r[5]))
            if di is None:
                continue
            rs = number_of(numbers, self.lang_refsets, r[4])
            if remember:
                seen[r[0]] = len(l_eff)
            l_desc.append(di)
            l_refset.append(rs)
            l_val.append((2 if r[6] == preferred else 1) if active else 0)
            l_eff.append((int(r[1]) << 16 | rank))

    def read_relationships(self, rows, kind: str, ids: Ids, rank: int, at=None) -> DanglingRelationships:
        """`at`: the reader's LinePosition. Answers how many kept (active, used) rows name a source or
        destination concept this release does not hold, and where the first is (the rows are dropped or point
        nowhere: a person importing an extension without its base release should know)."""
        src, dst, typ, grp, effs, live = self.rel_rows[kind]
        idx = self.idx
        seen, remember, newer = ids.seen, ids.remember, _newer_row
        isa, inferred = K.IS_A, K.INFERRED
        dangling, first = 0, None
        for r in rows:
            active = r[2] == "1"
            # stated attributes and additional (not inferred) relationships are not used
            keep = active and (r[7] == isa or (kind == "relationship" and r[8] == inferred))
            if seen is not None:
                p = seen.get(r[0])
                if p is not None:
                    if newer(effs, p, r[1], rank):
                        live[p] = keep
                        dst[p] = int(r[5])
                        typ[p] = int(r[7])
                        grp[p] = min(int(r[6]), 255)
                    continue
            if not keep and not remember:
                continue
            s = idx.get(int(r[4]))
            d = int(r[5])
            if keep and (s is None or d not in idx):
                dangling += 1
                if first is None:
                    first = (at.n if at is not None else 0, "sourceId" if s is None else "destinationId",
                             r[4] if s is None else r[5])
            if s is None:
                continue
            if remember:
                seen[r[0]] = len(effs)
            src.append(s)
            dst.append(d)
            typ.append(int(r[7]))
            grp.append(min(int(r[6]), 255))
            effs.append((int(r[1]) << 16 | rank))
            live.append(keep)
        return DanglingRelationships(dangling, first)

    # refsets -----------------------------------------------------------------
    def read_refset(self, rows, kind: str, ids: Ids, rank: int) -> None:
        effs, data = self.members.setdefault(kind, (array("q"), []))
        idx, name = self.idx, self._name
        seen, remember, newer = ids.seen, ids.remember, _newer_row
        for r in rows:
            if not (r[5].isdigit() and r[4].isdigit() and r[3].isdigit()):
                # a damaged row, not a member of something outside the release: the reader names the column
                raise ValueError("an id of the row is not a SNOMED CT identifier")
            active = r[2] == "1"
            p = None
            if seen is not None:
                p = seen.get(r[0])
                if p is not None and not newer(effs, p, r[1], rank):
                    continue
            if p is None and not active and not remember:
                continue
            ci = idx.get(int(r[5]))
            if ci is None:
                continue
            refset = r[4]
            if kind == "attribute" and refset != K.CONCEPT_INACTIVATION:
                continue
            if not active:
                row = None
            elif kind == "simple":
                row = (ci, name(refset))
            elif kind in ("association", "attribute"):
                row = (ci, name(refset), r[6])
            elif kind == "simplemap":
                row = (ci, name(refset), (1, 1, "", "", r[6], "", "", name(r[3])), "simple")
            else:
                row = (ci, name(refset), (int(r[6]), int(r[7]), r[8], r[9], r[10], name(r[11]),
                                          name(r[12]) if len(r) > 12 else "", name(r[3])),
                       "extended" if len(r) > 12 else "complex")
            if p is None:
                if remember:
                    seen[r[0]] = len(effs)
                effs.append((int(r[1]) << 16 | rank))
                data.append(row)
            else:
                data[p] = row

    # after reading ------------------------------------------------------------
    def finish(self) -> None:
        """The winning rows into the shapes concept_rows reads; the per-row tables are dropped."""
        self.didx = {}                          # language rows have found their descriptions
        d_type, d_acc = self.d_type, self.d_acc
        # a language refset gets its 2-bit slot when its first live member is met
        shifts: list[int | None] = [None] * len(self.lang_refsets)
        n_lang = 0
        for di, rs, v in zip(self.l_desc, self.l_refset, self.l_val):
            if not v or not d_type[di]:
                continue
            sh = shifts[rs]
            if sh is None:
                sh = -1     # more language refsets than slots: the rest are ignored
                if len(self.lang_slots) < 32:
                    sh = 2 * len(self.lang_slots)
                    self.lang_slots.append(self.lang_refsets[rs])
                shifts[rs] = sh
            if sh < 0:
                continue
            d_acc[di] = (d_acc[di] & ~(3 << sh)) | (v << sh)
            n_lang += 1
        self.l_desc = self.l_refset = self.l_val = self.l_eff = None
        for m, live in zip(self.d_module, d_type):
            if live:
                name = self.d_modules[m]
                self.desc_modules[name] = self.desc_modules.get(name, 0) + 1
        isa, idx = int(K.IS_A), self.idx
        n_isa = {}
        for kind, (src, dst, typ, grp, _effs, live) in self.rel_rows.items():
            isa_src, isa_dst = self.isa[kind]
            for s, d, t, g, keep in zip(src, dst, typ, grp, live):
                if not keep:
                    continue
                if t == isa:
                    d = idx.get(d)
                    if d is not None:
                        isa_src.append(s)
                        isa_dst.append(d)
                else:
                    self.rel_src.append(s)
                    self.rel_type.append(t)
                    self.rel_dest.append(d)
                    self.rel_group.append(g)
            n_isa[kind] = len(isa_src)
        self.rel_rows = None
        n_members = {}
        for kind, (_effs, data) in self.members.items():
            n = 0
            for row in data:
                if row is None:
                    continue
                n += 1
                ci, refset = row[0], row[1]
                if kind == "simple":
                    self.simple.setdefault(refset, array("I")).append(ci)
                elif kind == "association":
                    self.assoc.setdefault(ci, []).append((refset, row[2]))
                elif kind == "attribute":
                    self.reason[ci] = row[2]
                else:
                    self.map_kind.setdefault(refset, row[3])
                    self.maps.setdefault(refset, {}).setdefault(ci, []).append(row[2])
            n_members[kind] = n
        self.members = {}
        self.idx = {}
        self.counts = {"concepts": len(self.ids), "descriptions": len(d_type) - d_type.count(0),
                       "language refset members": n_lang,
                       "relationship is-a": n_isa.get("relationship", 0), "stated is-a": n_isa.get("stated", 0)}
        for kind, label in _MEMBER_LABELS.items():
            if kind in n_members:
                self.counts[label] = n_members[kind]
        self.resolve_maps()

    def edition_module(self) -> str:
        if SNOMED_NO_MODULE in self._module_no:
            return SNOMED_NO_MODULE
        counts: dict[int, int] = {}
        for m in self.module:
            counts[m] = counts.get(m, 0) + 1
        ext = [(c, self.modules[m]) for m, c in counts.items() if self.modules[m] not in _CORE_MODULES]
        if not ext:
            ext = [(c, m) for m, c in self.desc_modules.items() if m not in _CORE_MODULES]
        return max(ext)[1] if ext else SNOMED_INT_MODULE

    def release_date(self) -> str:
        if self.dates:
            return max(self.dates)
        return str(max(self.eff)) if len(self.eff) else "00000000"

    def resolve_maps(self) -> None:
        """Norwegian rows replace the international ones for the same concept, then rows are ordered."""
        for refset, per in self.maps.items():
            for ci, rows in per.items():
                if any(row[7] == SNOMED_NO_MODULE for row in rows) and any(row[7] != SNOMED_NO_MODULE for row in rows):
                    rows = [row for row in rows if row[7] == SNOMED_NO_MODULE]
                rows.sort(key=lambda row: (row[0], row[1]))
                per[ci] = rows

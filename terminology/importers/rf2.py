"""SNOMED CT RF2 releases (a folder or a release .zip): Snapshot files into one CodeSystem version.

Files are recognised by their header row, not only their name, and read one
line at a time (LF or CRLF, `#` comment lines and blank lines skipped). What
has to be joined across files (descriptions to concepts, language refset rows
to descriptions, relationships, refset members, map rows) is kept in compact
arrays keyed by a dense concept number; the CodeSystem's flat concept rows are
then produced by a generator, so the store streams them into its table.

Several modules of one release (the international release plus the Norwegian
extension) are imported together when they sit under the folder or zip given:
all their Snapshot files are merged into one CodeSystem whose version is the
SNOMED version URI of the extension module (http://snomed.info/sct/<module>/version/<date>).
For every component id, of every kind, only the row with the latest effectiveTime counts (the
later file on a tie), and an inactive latest row removes the component: an extension can
change or retire a description, an acceptability, a relationship or a refset member of the
release it extends (see _Release and _Ids).

Flat concept rows carry SNOMED data in compact private keys read by
terminology.snomed.SnomedIndex (see there for the layout).
"""
from __future__ import annotations

import io
import os
import re
import sys
import time
import zipfile
from array import array
from typing import Iterator

from ..identifiers import SNOMED, SNOMED_INT_MODULE, SNOMED_NO_MODULE
from ..snomed import constants as K
from ..snomed.index import csr, pack_descriptions
from .base import Item

FORMAT = "rf2"
PRIORITY = 20

_DATE_IN_NAME = re.compile(r"_(\d{8})(?:T\d+Z?)?\.txt$", re.I)
_CORE_MODULES = {SNOMED_INT_MODULE, K.MODEL_MODULE, K.ICD10_MAP_MODULE}


# --- finding the files ----------------------------------------------------------------
def _is_rf2_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith(("sct2_", "der2_")) and base.endswith(".txt")


def _is_snapshot(name: str) -> bool:
    return "snapshot" in name.rsplit("/", 1)[-1].lower()


def detect(path: str) -> bool:
    if os.path.isdir(path):
        for _root, _dirs, files in os.walk(path):
            if any(_is_rf2_name(f) for f in files):
                return True
        return False
    if path.lower().endswith(".zip") and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return any(_is_rf2_name(n) for n in z.namelist())
    return _is_rf2_name(os.path.basename(path))


class _Source:
    """The Snapshot files of a folder, a zip, or a single file, openable as text line streams."""

    def __init__(self, path: str):
        self.path = path
        self.zip = None
        if os.path.isdir(path):
            names = []
            for root, dirs, files in os.walk(path):
                dirs.sort()
                names += [os.path.join(root, f) for f in sorted(files) if _is_rf2_name(f)]
        elif zipfile.is_zipfile(path):
            self.zip = zipfile.ZipFile(path)
            names = [n for n in self.zip.namelist() if _is_rf2_name(n)]
        else:
            names = [path]
        self.names = [n for n in names if _is_snapshot(n)]

    def lines(self, name: str) -> Iterator[list[str]]:
        """Rows of a file as lists of fields, header row first; comments and blank lines skipped."""
        raw = self.zip.open(name) if self.zip else open(name, "rb")
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
            for line in fh:
                line = line.rstrip("\r\n")
                if not line or line[0] == "#":
                    continue
                yield line.split("\t")

    def size(self, name: str) -> int:
        return self.zip.getinfo(name).file_size if self.zip else os.path.getsize(name)

    def header(self, name: str) -> list[str] | None:
        for row in self.lines(name):
            return row
        return None

    def close(self):
        if self.zip:
            self.zip.close()


def _kind(name: str, header: list[str]) -> str | None:
    h = header
    base = name.rsplit("/", 1)[-1].lower()
    if h[:5] == ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"]:
        return "concept"
    if len(h) >= 9 and h[4:8] == ["conceptId", "languageCode", "typeId", "term"]:
        return "description"
    if len(h) >= 10 and h[4:6] == ["sourceId", "destinationId"]:
        return "stated" if "statedrelationship" in base else "relationship"
    if len(h) >= 6 and h[4:6] == ["refsetId", "referencedComponentId"]:
        rest = h[6:]
        if rest == ["acceptabilityId"]:
            return "language"
        if rest == ["targetComponentId"]:
            return "association"
        if rest == ["valueId"]:
            return "attribute"
        if rest == []:
            return "simple"
        if rest == ["mapTarget"]:
            return "simplemap"
        if rest[:5] == ["mapGroup", "mapPriority", "mapRule", "mapAdvice", "mapTarget"]:
            return "complexmap"
    return None


# --- reading ----------------------------------------------------------------------------
class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = time.monotonic()

    def say(self, msg: str) -> None:
        if self.enabled:
            print(f"rf2 [{time.monotonic() - self.start:6.1f}s] {msg}", file=sys.stderr, flush=True)


class _Ids:
    """The ids already met of one component kind, when it comes in several files.

    A Snapshot file holds each id once, so an id can recur only in another file of the same
    kind (the international release and an extension, or several release folders). Files are
    read largest last and the ids of that last file are never stored: nothing read afterwards
    could meet them, so only the ids of the smaller files cost memory. `seen` is None when the
    kind has one file; `remember` is False while the last file is read.

    Since files are not read in their own order, rows compare by `effectiveTime << 16 | rank`,
    rank being the file's place in path order: on equal effectiveTimes the later file wins.
    """
    __slots__ = ("seen", "remember")

    def __init__(self, several: bool):
        self.seen: dict | None = {} if several else None
        self.remember = several


class _Release:
    """Everything read from the Snapshot files, in compact form, indexed by dense concept numbers.

    Every component (concept, description, relationship, refset member) counts by its newest row
    only, the one with the latest effectiveTime; on a tie the row of the file read later. A
    newest row that is inactive removes the component. When an edition arrives as several files
    of one kind (the international release and an extension, or several release folders), the
    rows of each component id are found again through a dict of the ids seen so far, and an
    inactive row is kept as a tombstone so that an older active row read afterwards cannot
    revive it. With one file per kind no dict is needed and inactive rows are skipped.
    """

    def __init__(self, progress: _Progress):
        self.p = progress
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
        self.d_eff = array("q")                # effectiveTime << 16 | file rank (see _Ids)
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
        self.counts: dict[str, int] = {}

    # concepts ------------------------------------------------------------------
    def _module_no_of(self, m: str) -> int:
        n = self._module_no.get(m)
        if n is None:
            n = self._module_no[m] = len(self.modules)
            self.modules.append(m)
        return n

    def _name(self, s: str) -> str:
        return self._names.setdefault(s, s)

    def read_concepts(self, rows) -> None:
        for r in rows:
            cid = int(r[0])
            eff = int(r[1])
            i = self.idx.get(cid)
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
            self.module[i] = self._module_no_of(r[3])

    def read_descriptions(self, rows, definitions: bool, ids: _Ids, rank: int) -> None:
        langs = {l: i for i, l in enumerate(self.langs)}
        dmods = {m: i for i, m in enumerate(self.d_modules)}
        idx, didx, d_eff, d_term, d_type = self.idx, self.didx, self.d_eff, self.d_term, self.d_type
        remember = ids.remember
        last_lang = last_mod = None
        li = mi = 0
        n = 0
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
            elif d_eff[di] > order:
                continue
            d_eff[di] = order
            if not active:
                d_term[di] = ""
                d_type[di] = 0
                continue
            if r[5] != last_lang:
                last_lang = r[5]
                li = langs.get(last_lang)
                if li is None:
                    li = langs[last_lang] = len(self.langs)
                    self.langs.append(last_lang)
            if r[3] != last_mod:
                last_mod = r[3]
                mi = dmods.get(last_mod)
                if mi is None:
                    mi = dmods[last_mod] = len(self.d_modules)
                    self.d_modules.append(last_mod)
            d_term[di] = r[7]
            d_type[di] = ord("D" if definitions or r[6] == K.DEFINITION else ("F" if r[6] == K.FSN else "S"))
            self.d_lang[di] = li
            self.d_module[di] = mi
            n += 1
            if n % 500_000 == 0:
                self.p.say(f"{n:,} description rows")

    def read_language(self, rows, ids: _Ids, rank: int) -> None:
        numbers = {s: i for i, s in enumerate(self.lang_refsets)}
        didx, l_desc, l_refset, l_val, l_eff = self.didx, self.l_desc, self.l_refset, self.l_val, self.l_eff
        seen, remember = ids.seen, ids.remember
        preferred = K.PREFERRED
        for r in rows:
            active = r[2] == "1"
            if seen is not None:
                p = seen.get(r[0])
                if p is not None:
                    order = (int(r[1]) << 16 | rank)
                    if l_eff[p] > order:
                        continue
                    # a member's refset and description never change; its acceptability may
                    l_eff[p] = order
                    l_val[p] = (2 if r[6] == preferred else 1) if active else 0
                    continue
            if not active and not remember:
                continue
            di = didx.get(int(r[5]))
            if di is None:
                continue
            rs = numbers.get(r[4])
            if rs is None:
                rs = numbers[r[4]] = len(self.lang_refsets)
                self.lang_refsets.append(r[4])
            if remember:
                seen[r[0]] = len(l_eff)
            l_desc.append(di)
            l_refset.append(rs)
            l_val.append((2 if r[6] == preferred else 1) if active else 0)
            l_eff.append((int(r[1]) << 16 | rank))

    def read_relationships(self, rows, kind: str, ids: _Ids, rank: int) -> None:
        src, dst, typ, grp, effs, live = self.rel_rows[kind]
        idx = self.idx
        seen, remember = ids.seen, ids.remember
        isa, inferred = K.IS_A, K.INFERRED
        for r in rows:
            active = r[2] == "1"
            # stated attributes and additional (not inferred) relationships are not used
            keep = active and (r[7] == isa or (kind == "relationship" and r[8] == inferred))
            if seen is not None:
                p = seen.get(r[0])
                if p is not None:
                    order = (int(r[1]) << 16 | rank)
                    if effs[p] > order:
                        continue
                    effs[p] = order
                    live[p] = keep
                    dst[p] = int(r[5])
                    typ[p] = int(r[7])
                    grp[p] = min(int(r[6]), 255)
                    continue
            if not keep and not remember:
                continue
            s = idx.get(int(r[4]))
            if s is None:
                continue
            if remember:
                seen[r[0]] = len(effs)
            src.append(s)
            dst.append(int(r[5]))
            typ.append(int(r[7]))
            grp.append(min(int(r[6]), 255))
            effs.append((int(r[1]) << 16 | rank))
            live.append(keep)

    # refsets -----------------------------------------------------------------
    def read_refset(self, rows, kind: str, ids: _Ids, rank: int) -> None:
        effs, data = self.members.setdefault(kind, (array("q"), []))
        idx, name = self.idx, self._name
        seen, remember = ids.seen, ids.remember
        for r in rows:
            active = r[2] == "1"
            p = None
            if seen is not None:
                p = seen.get(r[0])
                if p is not None and effs[p] > (int(r[1]) << 16 | rank):
                    continue
            if p is None and not active and not remember:
                continue
            ci = idx.get(int(r[5])) if r[5].isdigit() else None
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
                effs[p] = (int(r[1]) << 16 | rank)
                data[p] = row

    # after reading ------------------------------------------------------------
    def finish(self) -> None:
        """The winning rows into the shapes flat_concepts reads; the per-row tables are dropped."""
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

    def _csr(self, src: array, dst: array) -> tuple[array, array]:
        return csr(len(self.ids), src, dst)

    def flat_concepts(self, norwegian: bool) -> Iterator[dict]:
        n = len(self.ids)
        p_start, p_list = self._csr(*self.isa["relationship"])
        s_start, s_list = self._csr(*self.isa["stated"])
        d_start, d_list = self._csr(self.d_concept, array("I", range(len(self.d_concept))))
        r_start, r_list = self._csr(self.rel_src, array("I", range(len(self.rel_src))))
        refsets_of: dict[int, list] = {}
        for refset, members in self.simple.items():
            for ci in members:
                refsets_of.setdefault(ci, []).append(refset)
        maps_of: dict[int, dict] = {}
        for refset, per in self.maps.items():
            for ci, rows in per.items():
                maps_of.setdefault(ci, {})[refset] = [list(row[:7]) for row in rows]
        slot_tags = [K.LANGUAGE_REFSETS.get(s) for s in self.lang_slots]
        ids, modules = self.ids, self.modules
        for i in range(n):
            code = str(ids[i])
            inferred = [str(ids[p]) for p in p_list[p_start[i]:p_start[i + 1]]]
            stated = [str(ids[p]) for p in s_list[s_start[i]:s_start[i + 1]]]
            parents = inferred or stated
            descs = []
            display = None
            best = 9
            for di in d_list[d_start[i]:d_start[i + 1]]:
                if not self.d_type[di]:
                    continue      # inactivated by its newest row
                term = self.d_term[di]
                t = chr(self.d_type[di])
                acc = self.d_acc[di]
                raw_lang = self.langs[self.d_lang[di]]
                if not acc:
                    descs.append([term, raw_lang, t, ""])
                    rank = 8 if t == "F" else 7
                else:
                    rank = 9
                    for s, tag in enumerate(slot_tags):
                        a = (acc >> (2 * s)) & 3
                        if not a:
                            continue
                        tag = tag or raw_lang
                        descs.append([term, tag, t, "P" if a == 2 else "A"])
                        if t == "S" and a == 2:
                            rank = min(rank, {"en-US": 0, "en-GB": 1}.get(tag, 3 if tag.startswith("en") else 4))
                        elif t == "F":
                            rank = min(rank, 6)
                if rank < best:
                    best, display = rank, term
            # preferred synonyms first: terminology.languages picks the first fitting designation
            descs.sort(key=lambda d: _DESC_ORDER.get((d[2], d[3]), 5))
            row = {"code": code, "display": display,
                   "_s": [self.active[i], modules[self.module[i]], self.eff[i], self.defined[i]],
                   "_d": pack_descriptions(descs)}
            if parents:
                row["parents"] = parents
            if stated and stated != inferred:
                row["_st"] = stated
            rels = [[self.rel_group[k], self.rel_type[k], self.rel_dest[k]] for k in r_list[r_start[i]:r_start[i + 1]]]
            if rels:
                row["_r"] = rels
            if i in refsets_of:
                row["_rs"] = refsets_of[i]
            if i in maps_of:
                row["_m"] = maps_of[i]
            if i in self.assoc:
                row["_a"] = [list(a) for a in self.assoc[i]]
            if i in self.reason:
                row["_x"] = self.reason[i]
            yield row
            if (i + 1) % 100_000 == 0:
                self.p.say(f"wrote {i + 1:,} of {n:,} concepts")


_DESC_ORDER = {("S", "P"): 0, ("F", "P"): 1, ("F", "A"): 1, ("F", ""): 1, ("S", "A"): 2, ("S", ""): 3}
_MEMBER_LABELS = {"simple": "simple refset members", "association": "historical associations",
                  "attribute": "concept inactivation reasons", "simplemap": "simple map rows",
                  "complexmap": "complex/extended map rows"}
_ORDER = ("concept", "description", "textdef", "language", "relationship", "stated",
          "simple", "association", "attribute", "simplemap", "complexmap")


def read_release(path: str, progress: bool | None = None) -> _Release:
    p = _Progress(sys.stderr.isatty() if progress is None else progress)
    src = _Source(path)
    rel = _Release(p)
    try:
        by_kind: dict[str, list[str]] = {}
        for name in src.names:
            header = src.header(name)
            kind = _kind(name, header) if header else None
            if kind is None:
                continue
            if kind == "description" and "textdefinition" in name.rsplit("/", 1)[-1].lower():
                kind = "textdef"
            by_kind.setdefault(kind, []).append(name)
            m = _DATE_IN_NAME.search(name)
            if m:
                rel.dates.add(m.group(1))
        desc_files = len(by_kind.get("description", ())) + len(by_kind.get("textdef", ()))
        desc_ids = _Ids(desc_files > 1)
        for kind in _ORDER:
            names = by_kind.get(kind, ())
            if not names:
                continue
            ids = desc_ids if kind in ("description", "textdef") else _Ids(len(names) > 1)
            # the rank keeps the file order for ties; the largest file goes last (see _Ids)
            ranked = list(enumerate(names))
            if kind != "concept":
                ranked.sort(key=lambda rn: src.size(rn[1]))
            for n, (rank, name) in enumerate(ranked):
                p.say(f"reading {name.rsplit('/', 1)[-1]}")
                rows = src.lines(name)
                next(rows, None)  # header
                if n == len(ranked) - 1 and (kind != "description" or "textdef" not in by_kind):
                    ids.remember = False
                if kind == "concept":
                    rel.read_concepts(rows)
                elif kind in ("description", "textdef"):
                    rel.read_descriptions(rows, kind == "textdef", ids, rank if kind == "description" else desc_files + rank)
                elif kind == "language":
                    rel.read_language(rows, ids, rank)
                elif kind in ("relationship", "stated"):
                    rel.read_relationships(rows, kind, ids, rank)
                else:
                    rel.read_refset(rows, kind, ids, rank)
            del ids
        rel.files = by_kind
    finally:
        src.close()
    rel.finish()
    return rel


def _codesystem(rel: _Release, module: str, date: str, norwegian: bool) -> dict:
    from ..snomed.index import CODESYSTEM_FILTERS, CODESYSTEM_PROPERTIES
    maps = {}
    for refset, kind in rel.map_kind.items():
        target = K.MAP_TARGETS.get(refset) or (K.icd10_system(norwegian) if refset == K.ICD10_MAP else None)
        maps[refset] = {"kind": kind, "targetSystem": target, "concepts": len(rel.maps.get(refset, {}))}
    release = {"module": module, "date": date, "modules": sorted(set(rel.modules)), "norwegian": norwegian,
               "maps": maps, "refsets": {r: len(m) for r, m in rel.simple.items()},
               "languageRefsets": rel.lang_slots}
    import orjson
    title = "SNOMED CT, norsk utgave" if norwegian else "SNOMED CT"
    return {
        "resourceType": "CodeSystem",
        "id": f"sct-{module}-{date}",
        "url": SNOMED,
        "version": K.version_uri(module, date),
        "name": "SNOMEDCT" if not norwegian else "SNOMEDCT_NO",
        "title": title,
        "status": "active",
        "date": f"{date[:4]}-{date[4:6]}-{date[6:]}",
        "publisher": "SNOMED International" + (" / Direktoratet for e-helse" if norwegian else ""),
        "caseSensitive": False,
        "hierarchyMeaning": "is-a",
        "compositional": True,
        "content": "complete",
        "count": len(rel.ids),
        "valueSet": SNOMED + "?fhir_vs",
        "filter": CODESYSTEM_FILTERS,
        "property": CODESYSTEM_PROPERTIES,
        "extension": [{"url": K.EXT_RELEASE, "valueString": orjson.dumps(release).decode()}],
    }


def read(path: str, **options) -> Iterator[Item]:
    try:
        rel = read_release(path, options.get("verbose"))
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError, IndexError) as e:
        yield Item(path, error=f"not a readable RF2 release: {e}")
        return
    if not len(rel.ids):
        yield Item(path, error="no Snapshot concept file found (sct2_Concept_Snapshot_*.txt)")
        return
    module = options.get("module") or rel.edition_module()
    date = options.get("edition") or rel.release_date()
    if not re.fullmatch(r"\d{8}", date):
        yield Item(path, error=f"SNOMED CT edition must be a date YYYYMMDD, not '{date}'")
        return
    norwegian = module == SNOMED_NO_MODULE
    cs = _codesystem(rel, module, date, norwegian)
    cs["_flat_concepts"] = rel.flat_concepts(norwegian)
    notes = [f"SNOMED CT {cs['version']}: " + ", ".join(f"{v:,} {k}" for k, v in rel.counts.items())]
    yield Item(f"{path} (RF2 Snapshot)", resource=cs, trusted=True, notes=notes)
    for refset, members in rel.simple.items():
        yield Item(f"{path} (simple refset {refset})", trusted=True, resource={
            "resourceType": "ValueSet",
            "url": f"{SNOMED}?fhir_vs=refset/{refset}",
            "version": cs["version"],
            "name": f"SNOMED_refset_{refset}",
            "title": f"SNOMED CT reference set {refset}",
            "status": "active",
            "compose": {"include": [{"system": SNOMED, "version": cs["version"],
                                     "filter": [{"property": "concept", "op": "in", "value": refset}]}]},
        })

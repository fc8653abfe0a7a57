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


class _Release:
    """Everything read from the Snapshot files, in compact form, indexed by dense concept numbers."""

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
        # descriptions (active only)
        self.didx: dict[int, int] = {}
        self.d_concept = array("I")
        self.d_term: list[str] = []
        self.d_lang = array("B")
        self.d_type = bytearray()              # ord('F'|'S'|'D')
        self.d_acc = array("Q")                # 2 bits per language refset slot: 1 acceptable, 2 preferred
        self.d_eff = array("I")
        self.langs: list[str] = []
        self.desc_modules: dict[str, int] = {}   # an extension may add only descriptions (translations)
        self.lang_slots: list[str] = []        # language refset ids by slot
        # relationships
        self.isa = {"relationship": (array("I"), array("I")), "stated": (array("I"), array("I"))}
        self.rel_src, self.rel_type, self.rel_dest, self.rel_group = array("I"), array("q"), array("q"), array("B")
        # refsets
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

    def read_concepts(self, rows) -> None:
        n = 0
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
            n += 1
        self.counts["concepts"] = self.counts.get("concepts", 0) + n

    def read_descriptions(self, rows, definitions: bool) -> None:
        n = 0
        langs = {l: i for i, l in enumerate(self.langs)}
        for r in rows:
            if r[2] != "1":
                continue
            ci = self.idx.get(int(r[4]))
            if ci is None:
                continue
            did = int(r[0])
            lang = r[5]
            li = langs.get(lang)
            if li is None:
                li = langs[lang] = len(self.langs)
                self.langs.append(lang)
            t = "D" if definitions or r[6] == K.DEFINITION else ("F" if r[6] == K.FSN else "S")
            di = self.didx.get(did)
            if di is not None:
                if self.d_eff[di] > int(r[1]):
                    continue
                self.d_term[di] = r[7]
                self.d_type[di] = ord(t)
                self.d_lang[di] = li
                continue
            self.desc_modules[r[3]] = self.desc_modules.get(r[3], 0) + 1
            self.didx[did] = len(self.d_term)
            self.d_concept.append(ci)
            self.d_term.append(r[7])
            self.d_lang.append(li)
            self.d_type.append(ord(t))
            self.d_acc.append(0)
            self.d_eff.append(int(r[1]))
            n += 1
            if n % 500_000 == 0:
                self.p.say(f"{n:,} descriptions")
        self.counts["descriptions"] = self.counts.get("descriptions", 0) + n

    def read_language(self, rows) -> None:
        slots = {s: i for i, s in enumerate(self.lang_slots)}
        n = 0
        for r in rows:
            if r[2] != "1":
                continue
            di = self.didx.get(int(r[5]))
            if di is None:
                continue
            s = slots.get(r[4])
            if s is None:
                if len(self.lang_slots) >= 32:
                    continue  # more language refsets than slots: ignore the rest
                s = slots[r[4]] = len(self.lang_slots)
                self.lang_slots.append(r[4])
            val = 2 if r[6] == K.PREFERRED else 1
            self.d_acc[di] = (self.d_acc[di] & ~(3 << (2 * s))) | (val << (2 * s))
            n += 1
        self.counts["language refset members"] = self.counts.get("language refset members", 0) + n

    def read_relationships(self, rows, kind: str) -> None:
        src, dst = self.isa[kind]
        n = 0
        for r in rows:
            if r[2] != "1":
                continue
            s = self.idx.get(int(r[4]))
            if s is None:
                continue
            if r[7] == K.IS_A:
                d = self.idx.get(int(r[5]))
                if d is None:
                    continue
                src.append(s)
                dst.append(d)
                n += 1
            elif kind == "relationship" and r[8] == K.INFERRED:
                self.rel_src.append(s)
                self.rel_type.append(int(r[7]))
                self.rel_dest.append(int(r[5]))
                self.rel_group.append(min(int(r[6]), 255))
        self.counts[f"{kind} is-a"] = self.counts.get(f"{kind} is-a", 0) + n

    # refsets -----------------------------------------------------------------
    def read_refset(self, rows, kind: str) -> None:
        label = {"simple": "simple refset members", "association": "historical associations",
                 "attribute": "attribute value rows", "simplemap": "simple map rows",
                 "complexmap": "complex/extended map rows"}[kind]
        n = 0
        for r in rows:
            if r[2] != "1":
                continue
            ci = self.idx.get(int(r[5])) if r[5].isdigit() else None
            if ci is None:
                continue
            n += 1
            refset = r[4]
            if kind == "simple":
                self.simple.setdefault(refset, array("I")).append(ci)
            elif kind == "association":
                self.assoc.setdefault(ci, []).append((refset, r[6]))
            elif kind == "attribute":
                if refset == K.CONCEPT_INACTIVATION:
                    self.reason[ci] = r[6]
            elif kind == "simplemap":
                self.map_kind.setdefault(refset, "simple")
                self.maps.setdefault(refset, {}).setdefault(ci, []).append(
                    (1, 1, "", "", r[6], "", "", r[3]))
            elif kind == "complexmap":
                self.map_kind.setdefault(refset, "extended" if len(r) > 12 else "complex")
                self.maps.setdefault(refset, {}).setdefault(ci, []).append(
                    (int(r[6]), int(r[7]), r[8], r[9], r[10], r[11], r[12] if len(r) > 12 else "", r[3]))
        self.counts[label] = self.counts.get(label, 0) + n

    # after reading ------------------------------------------------------------
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
        for kind in _ORDER:
            for name in by_kind.get(kind, ()):
                p.say(f"reading {name.rsplit('/', 1)[-1]}")
                rows = src.lines(name)
                next(rows, None)  # header
                if kind == "concept":
                    rel.read_concepts(rows)
                elif kind in ("description", "textdef"):
                    rel.read_descriptions(rows, kind == "textdef")
                elif kind == "language":
                    rel.read_language(rows)
                elif kind in ("relationship", "stated"):
                    rel.read_relationships(rows, kind)
                else:
                    rel.read_refset(rows, kind)
        rel.files = by_kind
    finally:
        src.close()
    rel.resolve_maps()
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

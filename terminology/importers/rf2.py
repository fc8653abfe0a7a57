"""SNOMED CT RF2 releases (a folder or a release .zip): Snapshot files into one CodeSystem version.

Files are recognised by their header row, not only their name, and read one
line at a time (LF or CRLF, `#` comment lines and blank lines skipped). Their
rows are merged into a terminology.snomed.rf2_release.Release, where only the
newest row of every component counts; the CodeSystem's flat concept rows are
then produced by a generator (terminology.snomed.concept_rows), so the store
streams them into its table.

Several modules of one release (the international release plus the Norwegian
extension) are imported together when they sit under the folder or zip given:
all their Snapshot files are merged into one CodeSystem whose version is the
SNOMED version URI of the extension module (http://snomed.info/sct/<module>/version/<date>).
"""
from __future__ import annotations

import io
import os
import re
import sys
import time
import zipfile
from typing import Iterator

from ..identifiers import SNOMED, SNOMED_NO_MODULE
from ..snomed import constants as K
from ..snomed.concept_rows import flat_concepts
from ..snomed.rf2_release import Ids, Release
from .base import Item

FORMAT = "rf2"
PRIORITY = 20

_DATE_IN_NAME = re.compile(r"_(\d{8})(?:T\d+Z?)?\.txt$", re.I)


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


_ORDER = ("concept", "description", "textdef", "language", "relationship", "stated",
          "simple", "association", "attribute", "simplemap", "complexmap")


def read_release(path: str, progress: bool | None = None) -> Release:
    p = _Progress(sys.stderr.isatty() if progress is None else progress)
    src = _Source(path)
    rel = Release(p.say)
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
        desc_ids = Ids(desc_files > 1)
        for kind in _ORDER:
            names = by_kind.get(kind, ())
            if not names:
                continue
            ids = desc_ids if kind in ("description", "textdef") else Ids(len(names) > 1)
            # the rank keeps the file order for ties; the largest file goes last (see Ids)
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
    finally:
        src.close()
    rel.finish()
    return rel


def _codesystem(rel: Release, module: str, date: str, norwegian: bool) -> dict:
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
    cs["_flat_concepts"] = flat_concepts(rel)
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

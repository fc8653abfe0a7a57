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
from ..snomed.rf2_release import DuplicateId, Ids, Release, RF2Error
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

    def lines(self, name: str, width: int = 0, latest: str = "99999999",
              at: "LinePosition | None" = None) -> Iterator[list[str]]:
        """Rows of a file as lists of fields, header row first; comments and blank lines skipped.

        With `width` every row must have that many fields and an effectiveTime no later than
        `latest`. `at.n` is the line of the row last given, so that a reader's error can name it."""
        raw = self.zip.open(name) if self.zip else open(name, "rb")
        at = at if at is not None else LinePosition()
        n = 0
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
            try:
                for line in fh:         # the header row, given unchecked
                    n += 1
                    line = line.rstrip("\r\n")
                    if line and line[0] != "#":
                        yield line.split("\t")
                        break
                for line in fh:
                    n += 1
                    line = line.rstrip("\r\n")
                    if not line or line[0] == "#":
                        continue
                    f = line.split("\t")
                    if width and (len(f) != width or f[1] > latest):
                        self._refuse(name, n, f, width, latest)
                    at.n = n
                    yield f
            except UnicodeDecodeError:
                raise RF2Error(f"{_base(name)} is not UTF-8: the text after line {n} cannot be read as UTF-8 "
                               "(RF2 files are UTF-8; was it saved in another encoding?)") from None

    @staticmethod
    def _refuse(name: str, n: int, f: list[str], width: int, latest: str):
        if len(f) != width:
            raise RF2Error(f"{_base(name)} line {n}: {len(f)} fields, the header has {width}")
        raise RF2Error(f"{_base(name)} line {n}: effectiveTime {f[1]} is later than the release date {latest} "
                       "(from the file names)")

    def row_at(self, name: str, n: int) -> list[str] | None:
        """The row on line `n` (counting every line), to say what in it could not be read."""
        raw = self.zip.open(name) if self.zip else open(name, "rb")
        with io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as fh:
            for i, line in enumerate(fh, 1):
                if i == n:
                    return line.rstrip("\r\n").split("\t")
        return None

    def size(self, name: str) -> int:
        return self.zip.getinfo(name).file_size if self.zip else os.path.getsize(name)

    def header(self, name: str) -> list[str] | None:
        for row in self.lines(name):
            return row
        return None

    def has_rows(self, name: str) -> bool:
        rows = self.lines(name)
        next(rows, None)
        return next(rows, None) is not None

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

# what a file's name promises, and the header it must then have: such a file is never skipped
_NAMED = re.compile(r"^(?:sct2_(Concept|Description|TextDefinition|Relationship|StatedRelationship)_Snapshot"
                    r"|der2_cRefset_(Language)Snapshot)[-_]", re.I)
_HEADERS = {
    "concept": "id effectiveTime active moduleId definitionStatusId",
    "description": "id effectiveTime active moduleId conceptId languageCode typeId term caseSignificanceId",
    "relationship": "id effectiveTime active moduleId sourceId destinationId relationshipGroup typeId "
                    "characteristicTypeId modifierId",
    "language": "id effectiveTime active moduleId refsetId referencedComponentId acceptabilityId",
}
_NAMED_KIND = {"concept": "concept", "description": "description", "textdefinition": "description",
               "relationship": "relationship", "statedrelationship": "relationship", "language": "language"}
# the columns of each kind that hold SNOMED CT identifiers (and relationshipGroup, a number)
_ID_COLUMNS = {"concept": (0, 3, 4), "description": (0, 3, 4, 6, 8), "textdef": (0, 3, 4, 6, 8),
               "relationship": (0, 3, 4, 5, 6, 7, 8, 9), "stated": (0, 3, 4, 5, 6, 7, 8, 9),
               "language": (3, 4, 5, 6)}


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _named_kind(name: str) -> str | None:
    m = _NAMED.match(_base(name))
    return _NAMED_KIND[(m.group(1) or m.group(2)).lower()] if m else None


def _classify(src: _Source, name: str) -> tuple[str | None, list[str] | None]:
    """(kind, header) of a Snapshot file; a file named as a core file must have that file's header."""
    named = _named_kind(name)
    header = src.header(name)
    kind = _kind(name, header) if header else None
    if named is None:
        return kind, header
    if header is None:
        raise RF2Error(f"{_base(name)} is empty: not even its header row (expected: {_HEADERS[named]}, "
                       "tab-separated)")
    if _NAMED_KIND.get(kind or "", kind) != named and not (named == "relationship" and kind == "stated"):
        raise RF2Error(f"{_base(name)} is named as a Snapshot {named} file but its header is not the RF2 "
                       f"{named} header; expected: {_HEADERS[named]} (tab-separated); found: {' '.join(header)}")
    return kind, header


def _release_folder(name: str) -> str:
    """The release a file belongs to: the folder above its `Snapshot` folder."""
    parts = name.replace("\\", "/").split("/")
    low = [p.lower() for p in parts]
    return "/".join(parts[:low.index("snapshot")]) if "snapshot" in low[:-1] else ""


class LinePosition:
    """The line of the row a _Source.lines reader gave last."""
    __slots__ = ("n",)

    def __init__(self):
        self.n = 0


def _unreadable(src: _Source, name: str, kind: str, header: list[str], n: int, e: Exception) -> RF2Error:
    """What in the row on line `n`, being read when `e` was raised, cannot be read, in the person's terms."""
    row = src.row_at(name, n) if n else None
    where = f"{_base(name)} line {n}"
    if row:
        for c in _ID_COLUMNS.get(kind, (3, 4, 5)):
            v = row[c] if c < len(row) else ""
            if not v.isdigit():
                what = "a number" if header[c] == "relationshipGroup" else "a SNOMED CT identifier"
                return RF2Error(f"{where}: {header[c]} '{v}' is not {what}")
        if not (len(row[1]) == 8 and row[1].isdigit()):
            return RF2Error(f"{where}: effectiveTime '{row[1]}' is not a date YYYYMMDD")
    return RF2Error(f"{where}: cannot be read ({type(e).__name__}: {e})")


def read_release(path: str, progress: bool | None = None) -> Release:
    p = _Progress(sys.stderr.isatty() if progress is None else progress)
    src = _Source(path)
    rel = Release(p.say)
    try:
        by_kind: dict[str, list[str]] = {}
        headers: dict[str, list[str]] = {}
        folders: dict[str, set[str]] = {}
        for name in src.names:
            kind, header = _classify(src, name)
            if kind is None:
                continue
            if kind == "description" and "textdefinition" in _base(name).lower():
                kind = "textdef"
            by_kind.setdefault(kind, []).append(name)
            headers[name] = header
            m = _DATE_IN_NAME.search(name)
            if m:
                rel.dates.add(m.group(1))
                folders.setdefault(_release_folder(name), set()).add(m.group(1))
        _check_complete(rel, src, path, by_kind, folders)
        latest = max(rel.dates) if rel.dates else "99999999"
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
                p.say(f"reading {_base(name)}")
                at = LinePosition()
                rows = src.lines(name, len(headers[name]), latest, at)
                next(rows, None)  # header
                if n == len(ranked) - 1 and (kind != "description" or "textdef" not in by_kind):
                    ids.remember = False
                try:
                    if kind == "concept":
                        rel.read_concepts(rows)
                    elif kind in ("description", "textdef"):
                        rel.read_descriptions(rows, kind == "textdef", ids,
                                              rank if kind == "description" else desc_files + rank)
                    elif kind == "language":
                        rel.read_language(rows, ids, rank)
                    elif kind in ("relationship", "stated"):
                        count, first = rel.read_relationships(rows, kind, ids, rank, at)
                        if count:
                            rel.notes.append(f"{_base(name)}: {count} active relationship(s) name a concept not "
                                             f"in the release (first: line {first[0]}, {first[1]} {first[2]}); "
                                             "import the release they build on with it")
                    else:
                        rel.read_refset(rows, kind, ids, rank)
                except RF2Error:
                    raise
                except DuplicateId as e:
                    raise RF2Error(f"{_base(name)} line {at.n}: id {e.id} appears a second time; a Snapshot "
                                   "file holds each component once") from None
                except (ValueError, IndexError) as e:
                    raise _unreadable(src, name, kind, headers[name], at.n, e) from None
            del ids
        if not len(rel.ids):
            raise RF2Error(", ".join(_base(n) for n in by_kind["concept"]) + " has a header and no rows: "
                           "the release has no concepts")
    finally:
        src.close()
    rel.finish()
    return rel


def _check_complete(rel: Release, src: _Source, path: str, by_kind: dict, folders: dict) -> None:
    """Refuse a release that would import as ids without terms; note the parts a person may miss."""
    if "concept" not in by_kind:
        raise RF2Error("no Snapshot concept file found (sct2_Concept_Snapshot_*.txt)")
    if "description" not in by_kind:
        raise RF2Error(f"{path} has no Description file (sct2_Description_Snapshot-*.txt): every concept would "
                       "show its id as display")
    rel_files = by_kind.get("relationship", ())
    if not rel_files:
        rel.notes.append(f"{path} has no inferred Relationship file (sct2_Relationship_Snapshot_*.txt): "
                         "the concepts have no hierarchy (is-a) and no attributes")
    elif not any(src.has_rows(n) for n in rel_files):
        rel.notes.append(f"{', '.join(_base(n) for n in rel_files)}: a header and no rows: "
                         "the concepts have no hierarchy (is-a) and no attributes")
    if "language" not in by_kind:
        rel.notes.append(f"{path} has no language refset (der2_cRefset_LanguageSnapshot-*.txt): no description "
                         "is marked preferred or acceptable, so displays are not chosen by language")
    dates = {max(d) for d in folders.values()}
    if len(dates) > 1:
        rel.notes.append(f"the folder holds releases of {' and '.join(sorted(dates))}, merged into one edition "
                         f"{max(dates)} (the newest row of every component wins); meant for an extension and "
                         "the international release it builds on, otherwise import one at a time")


def _codesystem(rel: Release, module: str, date: str, norwegian: bool) -> dict:
    from ..snomed.index import CODESYSTEM_PROPERTIES
    from ..snomed.index_filters import CODESYSTEM_FILTERS
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
    except RF2Error as e:
        yield Item(path, error=str(e))
        return
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
    notes += rel.notes
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

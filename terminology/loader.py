"""Loading content into the store: read with an importer, validate, write in one transaction.

Nothing is written unless every resource passed validation, or the caller
asked to skip invalid ones; a crash mid-write rolls back with the store's
transaction, so the store is either as before or fully updated.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .codesystem import flatten_concepts
from .errors import Conflict, ImportRejected, InvalidRequest, TerminologyError
from .importers import Item, importer_for
from .importers.base import head
from .derived import Derive
from .identifiers import DEMO_TAG
from .validation import validation_errors


@dataclass
class ImportReport:
    added: list = field(default_factory=list)       # (type, id, url, version)
    replaced: list = field(default_factory=list)
    # kept as stored (same content): their rev, lastUpdated and ETag stay, so client caches stay valid
    unchanged: list = field(default_factory=list)
    rejected: list = field(default_factory=list)    # (source, id, reason)
    notes: list = field(default_factory=list)
    # "ICD-10-NO 2026: 21443 -> 29 concepts (21414 codes removed)", one per CodeSystem an import replaced
    replacements: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for key in ("added", "replaced", "unchanged"):
            for rtype, *_ in getattr(self, key):
                out.setdefault(rtype, {"added": 0, "replaced": 0, "unchanged": 0})[key] += 1
        return out


def read_items(paths: Iterable[str], fmt: str | None = None, **options) -> Iterable[Item]:
    """Every path read by its importer; a file an importer cannot make sense of becomes a rejection."""
    for path in paths:
        mod = importer_for(path, fmt)
        if fmt:
            _check_forced_format(path, fmt)
        try:
            # a file counts whole or not at all: with --skip-invalid a file that breaks half-way must not
            # leave the resources read before the break (check() holds every item anyway)
            items = list(mod.read(path, **options))
        except TerminologyError:
            raise
        except Exception as e:  # a damaged file must be refused by name, never end the import in a traceback
            yield Item(path, error=f"cannot be read as {mod.FORMAT}: {type(e).__name__}: {e}")
            continue
        yield from items


# what a file's first bytes say it is, and the formats that never read such a file: a format forced on
# the wrong kind of file must say so, not fail inside a parser in that parser's terms
_KINDS = {
    "JSON": {"icd10-excel", "procedure-table", "icpc2-icd10-map", "who-icd10", "rf2", "fhir-xml"},
    "an Excel workbook": {"nav-json", "norway-fat-json", "fhir", "icpc2-icd10-map", "who-icd10", "fhir-xml"},
    "a zip archive": {"nav-json", "norway-fat-json", "fhir", "icpc2-icd10-map", "who-icd10", "icd10-excel",
                      "procedure-table", "fhir-xml"},
    "XML": {"nav-json", "norway-fat-json", "fhir", "icpc2-icd10-map", "icd10-excel", "procedure-table", "rf2"},
}


def _looks_like(path: str) -> str | None:
    if not os.path.isfile(path):
        return None
    try:
        start = head(path, 64).removeprefix(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return None
    if start[:1] in (b"{", b"["):
        return "JSON"
    if start[:1] == b"<":
        return "XML"
    if start[:4] == b"PK\x03\x04":
        return "an Excel workbook" if path.lower().endswith((".xlsx", ".xlsm")) else "a zip archive"
    return None


def _check_forced_format(path: str, fmt: str) -> None:
    kind = _looks_like(path)
    if kind and fmt in _KINDS[kind]:
        a = "an" if fmt[0] in "aeiou" else "a"
        raise InvalidRequest(f"{path} is not {a} {fmt} file (it looks like {kind}); leave out --format to have "
                             "the format detected")


def check(items: Iterable[Item], progress: Callable[[Item], None] | None = None):
    """Split items into (valid resources, rejections)."""
    good: list[dict] = []
    rejected: list[tuple] = []
    notes: list[str] = []
    sources: dict[tuple, str] = {}
    for item in items:
        if progress:
            progress(item)
        notes.extend(item.notes)
        if item.error:
            rejected.append((item.source, None, item.error))
            continue
        if item.resource is None:       # an item carrying notes only
            continue
        res = item.resource
        # trusted = built by our own importer (whole editions: too slow to model-validate), which refuses bad input,
        # or read from the HL7 packages shipped with Kodebro, which a test validates once (terminology/hl7)
        problems = [] if item.trusted else validation_errors(res)
        key = _identity(res)
        if not problems and key in sources and sources[key] != item.source:
            # two sources for one resource: one would silently overwrite the other
            problems = [f"{'|'.join(k for k in key[1:] if k)} is also given by {sources[key]}; "
                        "import one of them, or merge them first"]
        if problems:
            rejected.append((item.source, res.get("id"), "; ".join(problems)))
        else:
            sources.setdefault(key, item.source)
            good.append(res)
    return good, rejected, notes


def _identity(res: dict) -> tuple:
    """What the store keys a resource by: its canonical URL and version, else its id."""
    if res.get("url"):
        return (res.get("resourceType"), res.get("url"), res.get("version"))
    return (res.get("resourceType"), None, None, res.get("id") or str(id(res)))


# share of a stored edition's codes an import or a REST PUT may remove before it must be asked for
# (`kodebro import --replace`, the X-Kodebro-Replace header)
REPLACE_LIMIT = 0.10


class EditionWouldShrink(Conflict):
    # 409: the request is valid but conflicts with what the target holds; resent with the opt-in, it goes ahead
    issue_code = "business-rule"


def edition_label(res: dict) -> str:
    name = res.get("title") or res.get("name") or res.get("url")
    return f"{name} {res['version']}" if res.get("version") else str(name)


def replacement_text(res: dict, old_codes: set, new_count: int, removed: int) -> str:
    """"ICD-10-NO 2026: 21443 -> 29 concepts (21414 codes removed)"""
    gone = f" ({removed} codes removed)" if removed else ""
    return f"{edition_label(res)}: {len(old_codes)} -> {new_count} concepts{gone}"


def shrink_refusal(res: dict, old_codes: set, new_codes: set, new_count: int) -> str | None:
    """Why writing `res` (its codes `new_codes`, `new_count` concepts) over the stored edition holding
    `old_codes` must be asked for explicitly: it removes more than REPLACE_LIMIT of them; None when it may go
    ahead. The one rule of `kodebro import` and of a REST PUT."""
    removed = len(old_codes - new_codes)
    if removed <= REPLACE_LIMIT * len(old_codes):
        return None
    return (f"{replacement_text(res, old_codes, new_count, removed)}, more than {REPLACE_LIMIT:.0%} of the "
            "stored codes")


class StoreNotEmpty(Conflict):
    """A load meant for an empty store found it holding resources when its write began (another process filled
    it meanwhile); nothing was written."""


def load(store, items: Iterable[Item], *, skip_invalid: bool = False, replace: bool = True,
         progress: Callable[[Item], None] | None = None,
         writing: Callable[[int], Callable[[], None]] | None = None, derived_tag: dict | None = None,
         into_empty: bool = False) -> ImportReport:
    """Check every item, then write the valid ones in one transaction.

    `progress(item)` is called per item read; `writing(total)` is called once
    before the write and returns a function called after each resource written.
    A CodeSystem replacing a stored one with the same url|version is reported with both concept
    counts; one that would remove more than REPLACE_LIMIT of the stored codes refuses the whole
    import when `replace` is False (the CLI passes it: a smaller or wrong file must not silently shrink an
    edition; library callers that write editions on purpose keep the default).
    `derived_tag`: a meta.tag the resources this import derives carry too (the demo content's tag).
    `into_empty`: write only into an empty store, judged under the store's write lock (StoreNotEmpty otherwise):
    several API processes starting together on one new PostgreSQL store fill it once.
    """
    good, rejected, notes = check(items, progress)
    report = ImportReport(rejected=rejected, notes=notes)
    if rejected and not skip_invalid:
        names = "; ".join(f"{src} ({rid or 'no id'}): {why}" for src, rid, why in rejected[:20])
        more = f" and {len(rejected) - 20} more" if len(rejected) > 20 else ""
        raise ImportRejected(
            f"import refused, nothing was changed: {len(rejected)} invalid resource(s): {names}{more}",
            rejected)
    good, shrinks = _watch_replacements(store, good, replace)
    # resources derived from those this import writes (NKPK editions from NCMP/NCSP/NCRP), built inside the
    # write's transaction from what it reads (terminology/derived.py)
    derive = Derive(good, tag=derived_tag)
    try:
        # the demo's own files imported again (they carry no demo tag: the demo load adds it) stay demo content,
        # unchanged, as do the editions derived from them; decided by the store as it writes (keep_tag)
        written = store.write(good, on_written=writing(len(good)) if writing else None,
                              derive=_only_into_empty(derive) if into_empty else derive, keep_tag=DEMO_TAG)
    except TerminologyError:
        raise
    except Exception as e:
        # streamed content (e.g. RF2 concepts) is read while writing; the store rolled back
        raise ImportRejected(f"import failed while writing, nothing was changed: {type(e).__name__}: {e}",
                             [("(write)", None, str(e))]) from e
    # a derived edition the store kept as it was (the same sources imported again) was not built by this import
    kept = {(t, url, ver) for t, _id, url, ver in written["unchanged"]}
    notes.extend(note for res, note in zip(derive.resources, derive.notes)
                 if (res.get("resourceType"), res.get("url"), res.get("version")) not in kept)
    report.added = written["added"]
    report.replaced = written["replaced"]
    report.unchanged = written["unchanged"]
    replaced = {(t, url, ver) for t, _id, url, ver in report.replaced}
    report.replacements = [s.text() for s in shrinks if ("CodeSystem", s.url, s.version) in replaced]
    return report


def _only_into_empty(derive):
    # the derive hook runs inside the write's transaction, after the write lock is taken: what it reads is
    # every earlier writer's commit, and no other writer can begin until this one ends
    def hook(store):
        if store.headers():
            raise StoreNotEmpty("the store was filled by another process while this one read its content; "
                                "nothing was written")
        return derive(store)
    return hook


class _Shrink:
    """One stored CodeSystem edition an import writes again: its codes before, and those written.

    The new concepts are counted as the store consumes them (RF2 streams them), and the check runs when
    they end, inside the store's transaction, so a refusal rolls the whole import back."""

    def __init__(self, res: dict, old_codes: set, replace: bool):
        self.res = {k: res.get(k) for k in ("title", "name", "url", "version")}
        self.url, self.version = res.get("url"), res.get("version")
        self.old, self.replace = old_codes, replace
        self.new = 0
        self.removed = 0

    def text(self) -> str:
        return replacement_text(self.res, self.old, self.new, self.removed)

    def stream(self, flat):
        seen = set()
        for f in flat:
            seen.add(f.get("code"))
            self.new += 1
            yield f
        self.removed = len(self.old - seen)
        why = None if self.replace else shrink_refusal(self.res, self.old, seen, self.new)
        if why:
            raise ImportRejected(f"import refused, nothing was changed: {why}; give --replace to replace the "
                                 "edition anyway", [])


def _watch_replacements(store, good: list, replace: bool):
    """The resources to write, each CodeSystem that replaces a stored url|version wrapped in a _Shrink."""
    stored = {(h.url, h.version): h for h in store.headers("CodeSystem") if h.url}
    out, shrinks = [], []
    for res in good:
        h = stored.get((res.get("url"), res.get("version"))) if res.get("resourceType") == "CodeSystem" else None
        if h is None:
            out.append(res)
            continue
        old_codes = store.codes(h.pk)
        shrink = _Shrink(res, old_codes, replace)
        flat = res.get("_flat_concepts")
        flat = flatten_concepts(res.get("concept")) if flat is None else flat
        out.append({**{k: v for k, v in res.items() if k != "concept"}, "_flat_concepts": shrink.stream(flat)})
        shrinks.append(shrink)
    return out, shrinks


def import_paths(store, paths: Iterable[str], *, fmt: str | None = None, skip_invalid: bool = False,
                 replace: bool = True, progress=None, writing=None, **options) -> ImportReport:
    return load(store, read_items(paths, fmt, **options), skip_invalid=skip_invalid, replace=replace,
                progress=progress, writing=writing)

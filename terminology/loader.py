"""Loading content into the store: read with an importer, validate, write in one transaction.

Nothing is written unless every resource passed validation, or the caller
asked to skip invalid ones; a crash mid-write rolls back with the store's
transaction, so the store is either as before or fully updated.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from .errors import ImportRejected, TerminologyError
from .importers import Item, importer_for
from .validation import validation_errors


@dataclass
class ImportReport:
    added: list = field(default_factory=list)       # (type, id, url, version)
    replaced: list = field(default_factory=list)
    # kept as stored (same content): their rev, lastUpdated and ETag stay, so client caches stay valid
    unchanged: list = field(default_factory=list)
    rejected: list = field(default_factory=list)    # (source, id, reason)
    notes: list = field(default_factory=list)

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
        res = item.resource
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


def load(store, items: Iterable[Item], *, skip_invalid: bool = False,
         progress: Callable[[Item], None] | None = None,
         writing: Callable[[int], Callable[[], None]] | None = None) -> ImportReport:
    """Check every item, then write the valid ones in one transaction.

    `progress(item)` is called per item read; `writing(total)` is called once
    before the write and returns a function called after each resource written.
    """
    good, rejected, notes = check(items, progress)
    report = ImportReport(rejected=rejected, notes=notes)
    if rejected and not skip_invalid:
        names = "; ".join(f"{src} ({rid or 'no id'}): {why}" for src, rid, why in rejected[:20])
        more = f" and {len(rejected) - 20} more" if len(rejected) > 20 else ""
        raise ImportRejected(
            f"import refused, nothing was changed: {len(rejected)} invalid resource(s): {names}{more}",
            rejected)
    try:
        written = store.write(good, on_written=writing(len(good)) if writing else None)
    except TerminologyError:
        raise
    except Exception as e:
        # streamed content (e.g. RF2 concepts) is read while writing; the store rolled back
        raise ImportRejected(f"import failed while writing, nothing was changed: {type(e).__name__}: {e}",
                             [("(write)", None, str(e))]) from e
    report.added = written["added"]
    report.replaced = written["replaced"]
    report.unchanged = written["unchanged"]
    return report


def import_paths(store, paths: Iterable[str], *, fmt: str | None = None, skip_invalid: bool = False,
                 progress=None, writing=None, **options) -> ImportReport:
    return load(store, read_items(paths, fmt, **options), skip_invalid=skip_invalid, progress=progress,
                writing=writing)

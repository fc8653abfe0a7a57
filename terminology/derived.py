"""Resources the server derives from others it stores, kept in step by every write that changes their sources.

Each entry of DERIVATIONS says, for a write, which derived resources to (re)write and which to delete; today
there are two: the NKPK editions built from NCMP, NCSP and NCRP (norway/nkpk.py), and the rule value sets of
an ICD-10-NO edition (reportable, main condition: norway/rules.py), built with an edition written over REST
and deleted with their edition. Every write path (an import,
a REST create, update or delete, a batch entry, which runs as one of those) hands a `Derive` to store.write,
which calls it inside the write's transaction under the write lock: what it reads is what is stored when the
write commits, so two writers changing two sources of one derived resource at the same moment cannot each
build it without the other's change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .errors import NotStored
from .identifiers import ICD10_NO, with_tag
from .norway import nkpk, rules
from .store.base import ResourceHeader


@dataclass(frozen=True)
class Derivation:
    # (store, resources written, headers of stored resources the write removes) -> (resources to write,
    # (type, id) to delete); the store is read inside the write's transaction
    changes: Callable[..., tuple[list[dict], list[tuple[str, str]]]]
    # the import report's line for a resource it derived
    note: Callable[[dict], str]


def _nkpk_changes(store, written: list[dict], removed: list[ResourceHeader]):
    return nkpk.derived_changes(store, written, [(h.url, h.version) for h in removed if h.type == "CodeSystem"])


def _icd10_rule_changes(store, written: list[dict], removed: list[ResourceHeader]):
    return rules.derived_changes(store, written, [(h.url, h.version) for h in removed if h.type == "CodeSystem"])


DERIVATIONS: tuple[Derivation, ...] = (Derivation(_nkpk_changes, nkpk.derived_note),
                                       Derivation(_icd10_rule_changes, rules.derived_note))


class Derive:
    """store.write's `derive` hook for a write of `written` that deletes (or replaces) `deleted` ((type, id)).

    After the write, `resources` and `notes` hold what it derived and the import report's line for each, and
    `successors` each resource removed whose url|version a derived one now answers: (its header, the derived
    resource, the note), for a write that only removes. Removing a resource the same write would derive again as it is is refused
    (NotStored, so nothing is written): it would be reported removed and still be there. Judged in the
    write's transaction, on what it reads; every write path (REST, a batch, `kodebro remove`) asks it here."""

    def __init__(self, written: Iterable[dict], deleted: Iterable[tuple[str, str]] = (), tag: dict | None = None):
        self.written, self.deleted = list(written), list(deleted)
        self.tag = tag      # a meta.tag each derived resource carries (the demo's: derived from demo content)
        self.resources: list[dict] = []
        self.notes: list[str] = []
        self.successors: list[tuple[ResourceHeader, dict, str]] = []

    def __call__(self, store) -> tuple[list[dict], list[tuple[str, str]]]:
        removed = self._removed(store)
        more: list[dict] = []
        gone: list[tuple[str, str]] = []
        notes: list[str] = []
        for d in DERIVATIONS:
            add, drop = d.changes(store, self.written, removed)
            more += add
            gone += drop
            notes += [d.note(r) for r in add]
        if self.tag is not None:
            more = [with_tag(r, self.tag) for r in more]
        # (a write that retries calls the hook again: only its last call answers)
        self.resources, self.notes = more, notes
        # a removal alone (DELETE, `kodebro remove`); a write that replaces a resource says what it wrote
        self.successors = _successors(store, removed, more, notes) if not self.written else []
        return more, gone

    def _removed(self, store) -> list[ResourceHeader]:
        """The stored resources this write takes away: each deleted one, unless a resource written keeps its
        url|version (a PUT writing the same edition back)."""
        kept = {(r.get("resourceType"), r.get("url"), r.get("version")) for r in self.written}
        out = []
        for rtype, rid in self.deleted:
            h = store.header(rtype, rid)
            if h is not None and (h.type, h.url, h.version) not in kept:
                out.append(h)
        return out


def _successors(store, removed: list[ResourceHeader], derived: list[dict], notes: list[str]) -> list[tuple]:
    out = []
    for h in removed:
        for res, note in zip(derived, notes):
            if (res.get("resourceType"), res.get("url"), res.get("version")) != (h.type, h.url, h.version):
                continue
            if _content(res) == _content(store.body(h.pk) or {}):
                raise NotStored(f"{h.type}/{h.id} is derived, not stored for its own sake: it is built from other "
                                    "code system editions and would be built again as it is, so nothing was deleted; "
                                    "remove or change the editions it is built from instead")
            out.append((h, res, note))
    return out


def _content(body: dict) -> dict:
    # what a derivation decides: not the store's id, stamp, or the concepts (derived from the same sources)
    return {k: v for k, v in body.items() if k not in ("id", "meta", "concept", "_flat_concepts")}


def generated_rule_set(store, h: ResourceHeader) -> bool:
    """Whether `h` is a rule value set Kodebro generated from a loaded ICD-10-NO edition. It goes with that
    edition: removed alone, a dated check would fall back to an older edition's rule set without a word."""
    return (h.type == "ValueSet" and bool(h.version) and h.pk is not None
            and bool(store.by_url("CodeSystem", ICD10_NO, h.version)) and rules.is_generated(store.body(h.pk), h.version))

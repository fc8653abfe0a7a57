"""The storage protocol: what the engine needs from any backend."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ContextManager, Iterable, Protocol

# the resource types a terminology store keeps
RESOURCE_TYPES = ("CodeSystem", "ValueSet", "ConceptMap", "NamingSystem")


@dataclass(slots=True)
class ResourceHeader:
    pk: int
    type: str
    id: str
    url: str | None
    version: str | None
    name: str | None
    title: str | None
    status: str | None
    publisher: str | None
    date: str | None
    concept_count: int
    rev: int = 0


@dataclass(frozen=True, slots=True)
class Stored:
    """One resource as it stands in the store while a write holds the write lock."""
    rev: int
    body: dict


@dataclass(frozen=True, slots=True)
class Deleted:
    """A deletion record (tombstone): resource `type`/`id` was deleted at `at` (that write's instant, as it stamps
    meta.lastUpdated), and nothing has been written under that id since. (The table also keeps the write's
    generation, `rev`, for a person reading the store; no answer needs it.)"""
    type: str
    id: str
    at: str


@dataclass(frozen=True)
class Precondition:
    """A condition on one stored resource (type, id) that a write must meet: a compare-and-set.

    `check(current)` runs inside the write's transaction, after the store's write lock is taken, so no other
    writer, in this process or another, can change the resource between the check and the write. `current`
    is the resource's Stored state, None when there is none. Raising aborts the write: it is rolled back,
    nothing is written, and the exception reaches the caller unchanged."""
    type: str
    id: str
    check: Callable[[Stored | None], None]


# a write's hook that reads the store inside the write's transaction (see Store.write): the resources to write
# besides those given, and (type, id) of resources to delete besides those given
DeriveHook = Callable[["Store"], "tuple[list[dict], list[tuple[str, str]]]"]

# `version` of Store.by_url: any version (None asks for a resource without one)
ANY_VERSION = object()


class Store(Protocol):
    def headers(self, rtype: str | None = None) -> list[ResourceHeader]: ...
    # one resource's header by its id (an indexed read, no scan); None when there is none
    def header(self, rtype: str, rid: str) -> ResourceHeader | None: ...
    # the headers of `rtype` with canonical `url` (and `version`, compared null-safe), by the url index
    def by_url(self, rtype: str, url: str, version=ANY_VERSION) -> list[ResourceHeader]: ...
    def body(self, pk: int) -> dict: ...
    # the headers of the resources whose meta.tag holds `tag` (system and code)
    def tagged(self, tag: dict) -> list[ResourceHeader]: ...
    # the deletion record of (type, id) (R4 http.html#read: 410 for a deleted resource); None when none
    def deleted(self, rtype: str, rid: str) -> Deleted | None: ...
    def concepts(self, pk: int) -> Iterable[dict]: ...
    def codes(self, pk: int) -> set: ...
    def write(self, resources: Iterable[dict], *, delete: Iterable[tuple[str, str]] = (),
              on_written=None, precondition: Precondition | None = None, only_new: bool = False,
              keep_others: bool = False, derive: DeriveHook | None = None, keep_tag: dict | None = None) -> dict: ...
    def delete(self, rtype: str, rid: str, *, precondition: Precondition | None = None) -> bool: ...
    def generation(self) -> int: ...
    def short_waits(self, seconds: float) -> ContextManager[None]: ...
    # closure tables ($closure): client state kept beside the resources, outside their generations
    def closure_state(self, name: str, concepts: bool = True): ...
    def closure_initialise(self, name: str) -> int: ...
    def closure_add(self, name: str, seen: int, editions: dict, concepts: list, entries: list) -> int | None: ...
    def closure_entries(self, name: str, after: int, upto: int) -> list: ...
    def close(self) -> None: ...

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


class Store(Protocol):
    def headers(self, rtype: str | None = None) -> list[ResourceHeader]: ...
    def body(self, pk: int) -> dict: ...
    def concepts(self, pk: int) -> Iterable[dict]: ...
    def codes(self, pk: int) -> set: ...
    def write(self, resources: Iterable[dict], *, delete: Iterable[tuple[str, str]] = (),
              on_written=None, precondition: Precondition | None = None, only_new: bool = False,
              keep_others: bool = False) -> dict: ...
    def delete(self, rtype: str, rid: str, *, precondition: Precondition | None = None) -> bool: ...
    def generation(self) -> int: ...
    def short_waits(self, seconds: float) -> ContextManager[None]: ...
    def close(self) -> None: ...

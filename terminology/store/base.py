"""The storage protocol: what the engine needs from any backend."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

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


class Store(Protocol):
    def headers(self, rtype: str | None = None) -> list[ResourceHeader]: ...
    def body(self, pk: int) -> dict: ...
    def concepts(self, pk: int) -> Iterable[dict]: ...
    def write(self, resources: Iterable[dict], *, delete: Iterable[tuple[str, str]] = (),
              on_written=None) -> dict: ...
    def delete(self, rtype: str, rid: str) -> bool: ...
    def generation(self) -> int: ...
    def close(self) -> None: ...

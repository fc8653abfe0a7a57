"""What every importer yields."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Item:
    """One resource read from a source, or the reason it could not be read.

    `source` names the file (and entry inside an archive or row in a table)
    so that a rejection can point a person at it.
    """
    source: str
    resource: dict | None = None
    error: str | None = None
    # set when the resource was built by Kodebro and needs no R4 model validation
    trusted: bool = False
    notes: list = field(default_factory=list)

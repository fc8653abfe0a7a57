"""What $validate-code works out about one coding: its `Outcome`, the `Issue`s found, and the `Locations` of
the coding's parts in the request that the issues point at.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Issue:
    severity: str
    code: str
    tx_code: str
    text: str
    location: str | None = None
    in_message: bool = True


class Outcome:
    """What is found about one coding. A plain class, not a dataclass: made once per coding on $validate-code's hot
    path, where the generated __init__ setting all eighteen fields cost more than the four set here (the others
    are read from the class until a check sets them). Compared by identity."""
    system: str | None = None
    version: str | None = None
    display: str | None = None
    concept: object = None
    cs: object = None
    in_vs: bool = False
    ok: bool = True
    unknown_system: str | None = None
    caused_by_unknown: bool = False
    normalized: str | None = None
    how: str | None = None
    inactive: bool = False                # the concept's (a computed property: read once)
    deprecated: bool = False              # likewise
    status_note: object = None            # the warning on an inactive or deprecated concept, while it stands

    def __init__(self, coding: dict, path: str, code: str | None = None):
        self.coding = coding
        self.path = path
        self.code = code
        self.issues: list = []

    def __repr__(self) -> str:
        return f"Outcome({self.__dict__!r})"


class Locations:
    """Where the parts of one coding sit in the request: `code` or `Coding.code` or `CodeableConcept.coding[1].code`."""

    def __init__(self, path: str):
        self.path = path
        self.code = f"{path}.code" if path else "code"
        self.system = f"{path}.system" if path else "system"
        self.display = f"{path}.display" if path else "display"

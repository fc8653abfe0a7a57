"""`Member`: one code of a value set as composition yields it, with what is known about it on the way.

Its own module because compose.py and expansion_only.py both make members (and expand.py reads them).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Member:
    system: str
    version: str | None
    code: str
    concept: object = None          # Concept from the code system, when known
    cs: object = None               # CodeSystemIndex, when known
    display: str | None = None      # display given in the value set (compose concept)
    designations: list | None = None  # designations given in the value set
    enumerated: bool = False        # listed explicitly: never nested
    whole_system: bool = False      # from an include of a whole code system (no filter, no list)
    prefiltered: bool = False       # already known to match the request's text filter
    extensions: list | None = None
    from_expansion: bool = False    # an entry of a value set's stated expansion (it keeps its version)
    display_extensions: list | None = None  # extensions on the value set's own display (`_display`)
    language: str | None = None     # ValueSet.language of the value set that gave `display` and `designations`

    @property
    def key(self) -> tuple:
        return (self.system, self.code)

    @property
    def vkey(self) -> tuple:
        """Identity within an expansion: one code may come from two versions of its system."""
        return (self.system, self.version, self.code)

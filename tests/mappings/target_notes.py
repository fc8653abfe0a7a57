"""The target-check note of a $translate match (mappings.icd10_targets.EXT_TARGET), read by its parts: one reader
for the ICPC-2 and the SNOMED CT maps into ICD-10-NO, which carry the same note."""
from __future__ import annotations

from mappings.icd10_targets import EXT_TARGET


def target_note(ext: list) -> dict:
    """The match's one target-check extension (fails unless there is exactly one): its parts by url."""
    (got,) = [e for e in ext if e["url"] == EXT_TARGET]
    by: dict = {}
    for e in got["extension"]:
        by.setdefault(e["url"], []).append(e)
    return by

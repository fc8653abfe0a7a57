"""A code absent from a complete edition and held again by the next one was in use before: it comes back, it is
not "introduced" (review s16 C L2). Data: hand-made ICD-10-NO editions (tests/successions/conftest.py helpers)."""
from __future__ import annotations

from terminology.operations.validate_problems import first_held_later

from .conftest import ICD10_NO, J128, concept, edition

X = concept("Z999", "Kode som kommer tilbake")


def _catalog(load, with_2025: bool):
    eds = ([edition("2025", "complete", [J128, X])] if with_2025 else []) + [
        edition("2026", "complete", [J128]), edition("2027", "complete", [J128, X])]
    return load(*eds)


def test_a_code_back_in_use_is_not_introduced(load):
    cat = _catalog(load, with_2025=True)
    text = first_held_later(cat, cat.codesystem(ICD10_NO, "2026"), "Z999")
    assert text is not None and "introduced" not in text, text
    assert "back in use" in text and "2027" in text and "2025" in text


def test_a_new_code_is_introduced(load):
    cat = _catalog(load, with_2025=False)
    text = first_held_later(cat, cat.codesystem(ICD10_NO, "2026"), "Z999")
    assert text is not None and "introduced in" in text and "2027" in text

"""The edition an implicit value set's base names (`http://snomed.info/sct/<module>?fhir_vs…`): a module alone is its
latest loaded edition, read by the one version rule (versions.matches_version) that picks an implicit ConceptMap's
edition (map_edition) too; a module with no loaded edition stays as named, for the engine to refuse."""
from __future__ import annotations

import pytest

from mappings.snomed_implicit_maps import implicit_conceptmap
from terminology.snomed.implicit import snomed_valueset

from .conftest import DUMMY, INT_2018, INT_2025, INT_FOLDER, SNOMED, catalog_at

INT_MODULE = "900000000000207008"


@pytest.fixture(scope="module")
def two_int(tmp_path_factory):
    """The international edition twice: 20180731 (the dummy release) and 20250101 (the multimodule sample)."""
    return catalog_at(tmp_path_factory.mktemp("two-int"), DUMMY, INT_FOLDER)


def _pinned(catalog, base: str) -> str | None:
    return snomed_valueset(catalog, base + "?fhir_vs")["compose"]["include"][0].get("version")


def test_a_module_alone_is_its_latest_loaded_edition(two_int):
    assert set(two_int.codesystem_versions(SNOMED)) >= {INT_2018, INT_2025}
    assert _pinned(two_int, f"{SNOMED}/{INT_MODULE}") == INT_2025
    # the implicit ConceptMaps read the same base as the same edition
    cm = implicit_conceptmap(two_int, f"{SNOMED}/{INT_MODULE}?fhir_cm=900000000000526001")
    assert cm is not None and cm["version"] == INT_2025


def test_a_dated_base_and_the_bare_base_are_as_named(two_int):
    assert _pinned(two_int, INT_2018) == INT_2018
    assert _pinned(two_int, SNOMED) is None


def test_a_module_with_no_loaded_edition_stays_as_named(two_int):
    assert _pinned(two_int, f"{SNOMED}/51000202101") == f"{SNOMED}/51000202101"

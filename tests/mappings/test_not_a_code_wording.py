""""Not a code of this edition" is said one way wherever a change-list map answers it: the codebook by the name a
person knows it by (NCMP, ICPC-2), not its OID or URL, and the word "edition" before the edition. Data: the
successions slices (complete NCMP 2019-2021 with the seed change list) and the NAV ICPC-2 lists (2025 and 2026
the same codes: a derived map without changes)."""
from __future__ import annotations

import os

from mappings.changelist import not_a_code_of
from mappings.translate import TranslateRequest, translate
from terminology import Catalog
from terminology.identifiers import ICPC2, NCMP
from terminology.loader import import_paths

from tests.conftest import SHARED
from tests.successions.conftest import EDITIONS, ICPC2_EDITIONS, SEED_CHANGES

ICPC2_2026 = os.path.join(SHARED, "data", "norway", "navikt-ICPC2.json")


def test_the_wording_names_the_codebook_and_the_edition():
    assert not_a_code_of("NOPE99", NCMP, "2021") == "NOPE99 is not a code of NCMP edition 2021"


def test_a_curated_change_map_says_it_of_its_target_edition(store):
    import_paths(store, EDITIONS + [SEED_CHANGES])
    res = translate(Catalog(store), TranslateRequest(code="NOPE99", system=NCMP,
                                                     conceptmap_url="https://kodebro.no/fhir/ConceptMap/changes-ncmp-2021"))
    assert res.result is False and not res.matches
    assert res.message == "NOPE99 is not a code of NCMP edition 2021"


def test_a_derived_map_without_changes_says_it_the_same_way(store):
    import_paths(store, ICPC2_EDITIONS)
    import_paths(store, [ICPC2_2026], edition="2026")
    catalog = Catalog(store)
    url = "https://kodebro.no/fhir/ConceptMap/changes-icpc2-2026"
    res = translate(catalog, TranslateRequest(code="NOPE99", system=ICPC2, conceptmap_url=url))
    assert res.result is False and not res.matches
    assert res.message == "NOPE99 is not a code of ICPC-2 edition 2026"
    # a code the edition holds is still answered unchanged, with its display, by the one look-up
    res = translate(catalog, TranslateRequest(code="P73", system=ICPC2, conceptmap_url=url))
    assert res.result is True
    assert [(m.code, m.equivalence, m.version) for m in res.matches] == [("P73", "equal", "2026")]
    assert res.matches[0].display


def test_a_succession_walk_says_it_the_same_way(store):
    import_paths(store, EDITIONS + [SEED_CHANGES])
    res = translate(Catalog(store), TranslateRequest(code="NOPE99", system=NCMP, version="2020",
                                                     target_system=NCMP, target_version="2021"))
    assert res.result is False
    assert res.message.startswith("NOPE99 is not a code of NCMP edition 2020"), res.message

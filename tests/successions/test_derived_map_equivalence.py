"""What a derived change claims (review s16 M3, M5): a text change the server found by comparing two code lists
is `inexact` with a comment saying nobody checked its meaning, a curated text row keeps `equivalent`; and a
complete pair of editions without changes is served as an empty derived map, so that 404 means "not computed".
Data: the real NAV ICPC-2 lists (tests/data/successions: 2024 and 2025; shared/data/norway: the 2026 list,
which the published diff shows unchanged from 2025)."""
from __future__ import annotations

import os

from mappings.changelist import kind_equivalence
from mappings.edition_diff import DERIVED_TEXT, UNCHECKED
from mappings.edition_maps import derived_edition_maps
from mappings.translate import TranslateRequest, translate
from terminology import Catalog
from terminology.identifiers import ICPC2, NCMP
from terminology.loader import import_paths

from tests.conftest import SHARED

from .conftest import ICPC2_EDITIONS

ICPC2_2026 = os.path.join(SHARED, "data", "norway", "navikt-ICPC2.json")


def test_the_one_rule_gives_derived_text_inexact():
    assert kind_equivalence("text") == "equivalent"
    assert kind_equivalence("text", derived=True) == "inexact"
    # a derived subdivision is narrower whatever its source, as a curated one
    assert kind_equivalence("split", 2, derived=True) == "narrower"


def test_derived_text_row_in_the_map_is_inexact(store):
    import_paths(store, ICPC2_EDITIONS)
    (cm,) = derived_edition_maps(Catalog(store)).values()
    (p73,) = [e for e in cm["group"][0]["element"] if e["code"] == "P73"]
    (t,) = p73["target"]
    assert (t["code"], t["equivalence"], t["comment"]) == ("P73", "inexact", DERIVED_TEXT)


def test_translate_of_a_derived_text_change_is_inexact(store):
    import_paths(store, ICPC2_EDITIONS)
    res = translate(Catalog(store), TranslateRequest(code="P73", system=ICPC2, version="2024", target_system=ICPC2,
                                                     target_version="2025"))
    (m,) = res.matches
    assert (m.code, m.equivalence, m.display) == ("P73", "inexact", "Bipolar lidelse")
    assert UNCHECKED in m.comment


def test_curated_text_row_keeps_equivalent(catalog):
    # seed 003: WMAA10's undertekst changed in 2021, stated by the change list
    res = translate(catalog, TranslateRequest(code="WMAA10", system=NCMP, version="2020", target_system=NCMP,
                                              target_version="2021"))
    texts = [m for m in res.matches if m.code == "WMAA10"]
    assert texts and all(m.equivalence == "equivalent" for m in texts)
    assert not any(UNCHECKED in (m.comment or "") for m in texts)


def test_a_pair_without_changes_has_an_empty_map(store, db_path):
    import_paths(store, ICPC2_EDITIONS)
    import_paths(store, [ICPC2_2026], edition="2026")
    maps = derived_edition_maps(Catalog(store))
    cm = maps["changes-icpc2-2026"]
    assert "group" not in cm and "no changes" in cm["description"]
    assert cm["version"] == "2026" and cm["url"].endswith("/ConceptMap/changes-icpc2-2026")
    # served over HTTP, and a $translate with the map answers the code unchanged or not at all, without a 500
    from fhir_api import create_app
    client = create_app({"DB": db_path, "DEMO": False}).test_client()
    r = client.get("/fhir/ConceptMap/changes-icpc2-2026")
    assert r.status_code == 200 and r.get_json()["description"] == cm["description"]
    r = client.get("/fhir/ConceptMap/$translate", query_string={
        "url": cm["url"], "system": ICPC2, "code": "P73"})
    assert r.status_code == 200, r.get_json()

"""A refused display that was the code's text before the code was subdivided: the advice says the code is now a
grouping, not that WHO's English title is its new text (review s16 hospital H2, successions note).

Data: tests/data/subdivisions (real NAV rows; README says what was cut): R17 "Uspesifisert gulsott" is a
reportable code in the 2019 cut and a WHO grouping (origin=who, English display) over R17.0/R17.9 in 2026."""
from __future__ import annotations

import os

from fhir_api import create_app
from terminology import import_paths, open_store

from tests.conftest import DATA

EDITIONS = [os.path.join(DATA, "subdivisions", f"navikt-ICD10-{y}-cut.json") for y in ("2019", "2026")]
ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"


def _texts(tmp_path, display: str) -> list[str]:
    db = str(tmp_path / "k.db")
    store = open_store(db)
    import_paths(store, EDITIONS)
    store.close()
    client = create_app({"DB": db, "DEMO": False, "TODAY": "2026-06-01"}).test_client()
    r = client.get("/fhir/CodeSystem/$validate-code",
                   query_string={"url": ICD10NO, "version": "2026", "code": "R17", "display": display})
    body = r.get_json()
    oo = next(p["resource"] for p in body["parameter"] if p["name"] == "issues")
    return [i["details"]["text"] for i in oo["issue"]]


def test_the_old_text_of_a_subdivided_code_names_the_grouping(tmp_path):
    texts = _texts(tmp_path, "Uspesifisert gulsott")
    old = [t for t in texts if "'Uspesifisert gulsott' was the text of R17" in t]
    assert len(old) == 1, texts
    assert "grouping" in old[0] and "Hyperbilirubinaemia" not in old[0]

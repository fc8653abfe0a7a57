"""A store with the seed change list and the edition slices of tests/data/successions; and small ICD-10-NO
editions written here (hand-made, Kodebro's own test data): complete 2025 and 2027, a 2026 fragment between
them, imported into a fresh store per test (`load`)."""
from __future__ import annotations

import glob
import json
import os

import pytest

from tests.conftest import DATA

HERE = os.path.join(DATA, "successions")
EDITIONS = sorted(f for f in glob.glob(os.path.join(HERE, "*-20*.json")) if "navikt" not in f)
ICPC2_EDITIONS = [os.path.join(HERE, f"navikt-ICPC2-{y}.json") for y in ("2024", "2025")]
SEED_CHANGES = os.path.join(HERE, "changes-seed.csv")


@pytest.fixture
def seeded(store):
    from terminology.loader import import_paths
    import_paths(store, EDITIONS + [SEED_CHANGES])
    return store


@pytest.fixture
def catalog(seeded):
    from terminology import Catalog
    return Catalog(seeded)


@pytest.fixture
def seeded_client(db_path, seeded):
    from fhir_api import create_app
    return create_app({"DB": db_path, "DEMO": False}).test_client()


ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"
VALID_TO = {"code": "validTo", "uri": "https://kodebro.no/fhir/CodeSystem/property#validTo", "type": "dateTime"}


VALID_FROM = {"code": "validFrom", "uri": "https://kodebro.no/fhir/CodeSystem/property#validFrom", "type": "dateTime"}


def concept(code: str, display: str, valid_to: str | None = None, valid_from: str | None = None) -> dict:
    c = {"code": code, "display": display}
    props = [{"code": name, "valueDateTime": day} for name, day in (("validFrom", valid_from), ("validTo", valid_to))
             if day]
    if props:
        c["property"] = props
    return c


def edition(version: str, content: str, concepts: list, extra_property: dict | None = None) -> dict:
    return {"resourceType": "CodeSystem", "id": f"s15s-icd10no-{version}", "url": ICD10_NO, "version": version,
            "name": "ICD10NO", "status": "active", "content": content, "caseSensitive": False,
            "property": [VALID_FROM, VALID_TO] + ([extra_property] if extra_property else []), "concept": concepts}


M1905 = concept("M1905", "Primær artrose i ankel og fot")
J128 = concept("J128", "Annen viruspneumoni")
# valid to 2025-12-31 (NAV's Gyldig_til): gone from 2026
M1906 = concept("M1906", "Primær artrose i andre ledd", "2025-12-31")
# no validTo: gone by 2027, but whether in 2026 or 2027 the editions loaded cannot tell
A001 = concept("A001", "Kolera som skyldes Vibrio cholerae 01, biovar eltor")
# valid to 2026-12-31: the year after is the next complete edition itself
R170 = concept("R170", "Hyperbilirubinemi med gulsott", "2026-12-31")

E2025 = edition("2025", "complete", [M1905, J128, M1906, A001, R170])
F2026 = edition("2026", "fragment", [M1905])
E2027 = edition("2027", "complete", [M1905, J128, concept("U099", "Post-covid-19-tilstand")])


@pytest.fixture
def load(store, tmp_path):
    """load(*resources) -> Catalog over a fresh store holding them."""
    from terminology import Catalog
    from terminology.loader import import_paths

    def _load(*resources) -> Catalog:
        paths = []
        for i, r in enumerate(resources):
            p = tmp_path / f"r{i}-{r.get('id', 'x')}.json"
            p.write_text(json.dumps(r), encoding="utf-8")
            paths.append(str(p))
        import_paths(store, paths)
        return Catalog(store)
    return _load

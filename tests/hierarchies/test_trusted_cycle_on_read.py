"""A trusted importer's output is not validated (terminology/loader.py `check`: `[] if item.trusted`), so a
store can hold a cyclic hierarchy that a PUT would refuse with 422 (the WHO importer now refuses such a file;
the loop is stored here directly as an unvalidated item): I -> A00 -> A00-A09 -> I.

$expand survives it (its nesting has a seen-set, tests/hierarchies/test_expand_nesting.py), and so does a
read of the CodeSystem: `codesystem.nest_concepts` lifts one member of each loop to the top level, so every
concept of the loop is shown."""
import pytest

from tests.support.tx_files import trusted_client

WHO_URL = "http://hl7.org/fhir/sid/icd-10"

LOOPED = """<?xml version="1.0" encoding="UTF-8"?>
<icd_10_v2019>
  <item type="chapter"><name>I</name><description>Certain infectious and parasitic diseases</description>
    <item type="block"><name>A00-A09</name><description>Intestinal infectious diseases</description>
      <item type="category"><name>A00</name><description>Cholera</description>
        <item type="subcategory"><name>A00.0</name><description>Cholera due to Vibrio cholerae 01</description></item>
        <item type="chapter"><name>I</name><description>Certain infectious and parasitic diseases</description></item>
      </item>
    </item>
  </item>
  <item type="chapter"><name>II</name><description>Neoplasms</description></item>
</icd_10_v2019>
"""


def _codes(concepts, key="concept") -> list[str]:
    out, stack = [], list(concepts or ())
    while stack:
        c = stack.pop()
        out.append(c["code"])
        stack.extend(c.get(key) or ())
    return out


@pytest.fixture
def looped_client(tmp_path):
    # the WHO importer now refuses LOOPED (tests/importers), so the loop it used to store is written as
    # the trusted item it made: I -> A00 -> A00-A09 -> I
    from terminology.identifiers import ICD10_WHO
    from terminology.norway.common import codesystem_header

    parents = {"I": "A00", "A00-A09": "I", "A00": "A00-A09", "A00.0": "A00", "II": None}
    cs = codesystem_header(ICD10_WHO, "2019", content="complete", description="looped", properties=[],
                           language="en")
    cs["_flat_concepts"] = [dict({"code": c, "display": c}, **({"parents": [p]} if p else {}))
                            for c, p in parents.items()]
    cs["count"] = len(parents)
    return trusted_client(tmp_path, "who-looped", cs)


def test_the_trusted_import_stores_the_loop(looped_client):
    found = looped_client.get(f"/fhir/CodeSystem?url={WHO_URL}").get_json()
    assert found["total"] == 1, found


def test_expand_of_the_looped_system_holds_every_code(looped_client):
    r = looped_client.get(f"/fhir/ValueSet/$expand?url={WHO_URL}?fhir_vs")
    assert r.status_code == 200, r.get_json()
    got = _codes(r.get_json()["expansion"]["contains"], "contains")
    assert sorted(got) == ["A00", "A00-A09", "A00.0", "I", "II"]


def test_a_read_of_the_looped_system_shows_every_code(looped_client):
    found = looped_client.get(f"/fhir/CodeSystem?url={WHO_URL}").get_json()
    cs_id = found["entry"][0]["resource"]["id"]
    r = looped_client.get(f"/fhir/CodeSystem/{cs_id}")
    assert r.status_code == 200, r.get_json()
    assert sorted(_codes(r.get_json().get("concept"))) == ["A00", "A00-A09", "A00.0", "I", "II"]

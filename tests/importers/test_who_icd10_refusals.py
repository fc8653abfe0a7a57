"""The WHO ICD-10 XML importer's output is trusted (stored without validation), so the importer itself must
refuse what would store a broken hierarchy: a code listed twice (which can close a parent loop) and nesting
deeper than the classification has (which used to end in a RecursionError traceback)."""
import os

from click.testing import CliRunner

from fhir_api import create_app
from scripts.cli import main
from terminology.importers import who_icd10

HERE = os.path.dirname(__file__)
LOOPED = os.path.join(HERE, "who-looped.xml")
WHO_URL = "http://hl7.org/fhir/sid/icd-10"


def _import(path, db):
    return CliRunner().invoke(main, ["import", str(path), "--db", str(db)])


def _stored(db) -> int:
    client = create_app({"DB": str(db), "DEMO": False}).test_client()
    return client.get(f"/fhir/CodeSystem?url={WHO_URL}").get_json()["total"]


def _deep(tmp_path, depth: int):
    p = tmp_path / "who-deep.xml"
    with open(p, "w", encoding="utf-8") as fh:
        fh.write("<icd_10_v2019>\n")
        for i in range(depth):
            fh.write(f'<item type="block"><name>X{i}</name><description>level {i}</description>')
        fh.write("</item>" * depth)
        fh.write("\n</icd_10_v2019>\n")
    return p


def test_a_code_listed_under_its_own_descendant_is_refused_naming_the_codes(tmp_path):
    db = tmp_path / "k.db"
    r = _import(LOOPED, db)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert "who-looped.xml" in r.output
    assert "I (under the top level and under A00)" in r.output, r.output
    assert _stored(db) == 0


def test_the_refusal_comes_from_the_importer_as_an_error_item():
    items = list(who_icd10.read(LOOPED))
    assert len(items) == 1 and items[0].resource is None
    assert "listed more than once" in items[0].error and "A00" in items[0].error


def test_a_code_listed_twice_under_one_parent_is_refused(tmp_path):
    p = tmp_path / "who-twice.xml"
    p.write_text('<icd_10_v2019><item type="chapter"><name>I</name><description>a</description>'
                 '<item type="category"><name>A00</name><description>b</description></item>'
                 '<item type="category"><name>A00</name><description>c</description></item>'
                 '</item></icd_10_v2019>', encoding="utf-8")
    (item,) = who_icd10.read(str(p))
    assert "A00 (under I and under I)" in item.error


def test_a_5000_deep_file_is_refused_without_a_traceback(tmp_path):
    db = tmp_path / "k.db"
    r = _import(_deep(tmp_path, 5000), db)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and "RecursionError" not in r.output, r.output
    assert "who-deep.xml" in r.output and "nested 33 levels deep" in r.output, r.output
    assert _stored(db) == 0


def test_nesting_within_the_limit_still_imports(tmp_path):
    items = list(who_icd10.read(str(_deep(tmp_path, who_icd10.MAX_DEPTH))))
    assert [i.error for i in items] == [None]
    assert items[0].resource["count"] == who_icd10.MAX_DEPTH


def test_the_bundled_who_file_still_parses_whole():
    nodes = who_icd10.parse(who_icd10.bundled_path())
    assert len(nodes) == 12542
    assert nodes["A00.0"].parent == "A00" and nodes["I"].parent is None and nodes["A00"].children == 3

"""Several modules and release folders in one RF2 import: the newest row of every component wins.

The fixture (tests/data/snomed/multimodule, written by make_multimodule.py there) is an
international release of 20250101 and a Norwegian extension of 20250415 whose rows change or
retire a description, language acceptabilities, an is-a and an attribute relationship, map
rows, historical associations and a simple refset member of the first.
"""
from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

from mappings.snomed_maps import map_refsets, map_rows
from mappings.snomed_history import changes_of
from mappings.translate import TranslateRequest, translate
from terminology.implicit import resolve
from terminology.importers.rf2 import read_release
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.lookup import LookupRequest, lookup
from terminology.operations.subsumes import subsumes
from .conftest import SAMPLES, SNOMED, _catalog, catalog_at, client_at

MULTI = os.path.join(SAMPLES, "multimodule")
_spec = importlib.util.spec_from_file_location("make_multimodule", os.path.join(MULTI, "make_multimodule.py"))
M = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(M)
ICD10 = SNOMED + "?fhir_cm=447562003"
US_PREFERRED = ("en-US", "900000000000548007")
US_ACCEPTABLE = ("en-US", "900000000000549004")


def write_release(root, folder: str, date: str, rows: dict) -> None:
    """A small Snapshot release folder: {kind in make_multimodule.FILES: rows}."""
    for kind, name, sub, header in M.FILES:
        if kind in rows:
            path = os.path.join(root, folder, "Snapshot", sub)
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, name.format(tag="X", date=date)), "w", newline="") as f:
                f.write(M.HEADERS[header] + "\n")
                f.writelines("\t".join(r) + "\n" for r in rows[kind])


def copy_release(root, int_name: str = M.INT_DIR, no_name: str = M.NO_DIR) -> str:
    shutil.copytree(os.path.join(MULTI, M.INT_DIR), os.path.join(root, int_name))
    shutil.copytree(os.path.join(MULTI, M.NO_DIR), os.path.join(root, no_name))
    return str(root)


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    return _catalog(tmp_path_factory, "multi", MULTI)


@pytest.fixture(scope="module")
def multi_cs(multi):
    return multi.codesystem(SNOMED)


def values(designations, language=None):
    return {(d["language"], d["value"], (d.get("extension") or [{}])[0].get("valueCoding", {}).get("code"))
            for d in designations if language is None or d["language"] == language}


def test_edition_is_the_extension(multi_cs):
    assert multi_cs.version == "http://snomed.info/sct/51000202101/version/20250415"
    assert multi_cs.release["norwegian"] is True


def test_changed_term_replaces_the_old_one(multi, multi_cs):
    res = lookup(multi, LookupRequest(code=M.VIRAL, system=SNOMED))
    assert res.display == M.NEW_VIRAL_TERM
    terms = {d["value"] for d in res.designations}
    assert M.NEW_VIRAL_TERM in terms and "Viral pneumonia" not in terms
    assert multi_cs.search("caused by virus") == [M.VIRAL]
    assert lookup(multi, LookupRequest(code=M.VIRAL, system=SNOMED, languages=["nb"])).display == \
        "viral lungebetennelse"


def test_inactivated_description_is_gone(multi, multi_cs):
    res = lookup(multi, LookupRequest(code=M.PNEUMONIA, system=SNOMED))
    assert "Lung inflammation" not in {d["value"] for d in res.designations}
    assert res.display == "Pneumonia"
    assert M.PNEUMONIA not in multi_cs.search("lung inflammation")
    vs = resolve(multi, SNOMED + "?fhir_vs")
    assert [it.code for it in expand(multi, ExpandRequest(valueset=vs, filter="inflammation")).items] == []


def test_language_acceptability_follows_the_newest_member_row(multi):
    res = lookup(multi, LookupRequest(code=M.CHEST_PAIN, system=SNOMED))
    got = values(res.designations)
    # en-US: "Chest pain" went from preferred to acceptable, "Thoracic pain" the other way
    assert ("en-US", "Chest pain", US_ACCEPTABLE[1]) in got
    assert ("en-US", "Thoracic pain", US_PREFERRED[1]) in got
    assert ("en-US", "Chest pain", US_PREFERRED[1]) not in got
    # the en-GB member of "Chest pain" was retired
    assert not any(lang == "en-GB" and term == "Chest pain" for lang, term, _acc in got)
    assert res.display == "Thoracic pain"


def test_inactivated_is_a_leaves_the_hierarchy(multi, multi_cs):
    assert multi_cs.get(M.ASTHMA).parents == [M.DISEASE]
    assert multi_cs.pos[M.ASTHMA] not in multi_cs.stated      # the stated is-a went too
    assert subsumes(multi, system=SNOMED, code_a=M.PNEUMONIA, code_b=M.ASTHMA) == "not-subsumed"
    assert subsumes(multi, system=SNOMED, code_a=M.DISEASE, code_b=M.ASTHMA) == "subsumes"
    assert M.ASTHMA not in {c for c in multi_cs.get(M.PNEUMONIA).children}
    assert set(multi_cs.filter_codes("constraint", "=", f"<< {M.PNEUMONIA}")) == {M.PNEUMONIA, M.VIRAL}


def test_inactivated_attribute_relationship(multi_cs):
    props = multi_cs.lookup_properties(multi_cs.get(M.PNEUMONIA), ["*"])
    assert M.FINDING_SITE not in {p.code for p in props}
    normal = next(p.value for p in props if p.code == "normalFormTerse")
    assert normal == f"<<< {M.DISEASE}"


def test_map_rows_follow_the_newest_row(multi):
    def targets(code):
        res = translate(multi, TranslateRequest(code=code, system=SNOMED, conceptmap_url=ICD10))
        return [m.code for m in res.matches]
    assert targets(M.PNEUMONIA) == []             # its only row was inactivated
    assert targets(M.VIRAL) == ["J128"]           # the row was changed: J12.9 -> J12.8
    assert targets(M.CHEST_PAIN) == ["R074"]      # untouched


def test_historical_associations_and_history_edges(multi, multi_cs):
    props = {(p.code, p.value) for p in multi_cs.lookup_properties(multi_cs.get(M.OLD_VIRAL), None)}
    assert (M.REPLACED_BY, M.PNEUMONIA) in props and (M.REPLACED_BY, M.VIRAL) not in props
    changes = {c.code: c for c in changes_of(multi_cs)}
    assert (changes[M.OLD_VIRAL].kind, changes[M.OLD_VIRAL].successor) == ("replaced", [M.PNEUMONIA])
    assert changes[M.OLD_PAIN].kind == "retired"   # its SAME AS was retired, no successor is left
    from mappings.succession import SuccessionGraph
    from mappings.snomed_history import snomed_edges
    g = SuccessionGraph()
    snomed_edges(multi, g)
    assert g.knows((SNOMED, M.OLD_VIRAL)) and g.knows((SNOMED, M.OLD_PAIN))


def test_simple_refset_member_inactivated(multi):
    vs = resolve(multi, SNOMED + f"?fhir_vs=refset/{M.TERMBANK}")
    assert {it.code for it in expand(multi, ExpandRequest(valueset=vs)).items} == {M.CHEST_PAIN, M.PNEUMONIA}


def test_counts_leave_out_what_was_retired():
    rel = read_release(MULTI, progress=False)
    plain = read_release(os.path.join(MULTI, M.INT_DIR), progress=False)
    # one international description retired, four Norwegian ones added
    assert rel.counts["descriptions"] == plain.counts["descriptions"] - 1 + 4
    assert rel.counts["relationship is-a"] == plain.counts["relationship is-a"] - 1 + 1
    assert rel.counts["stated is-a"] == plain.counts["stated is-a"] - 1
    assert rel.counts["historical associations"] == 1
    assert rel.counts["complex/extended map rows"] == 2


def _summary(cs) -> dict:
    """Everything an import decides about each concept, independent of reading order."""
    out = {}
    for code in cs.codes:
        i = cs.pos[code]
        out[code] = (cs.display[i], sorted(cs.descriptions(i)), sorted(cs.get(code).parents),
                     sorted(map(tuple, cs.assoc.get(i, ()))), sorted(map(tuple, cs.rels.get(i, ()))),
                     {r: map_rows(cs, r, code) for r in map_refsets(cs)}, bool(cs.active[i]),
                     sorted(r for r, members in cs.refsets.items() if i in members))
    return out


def test_folder_order_does_not_matter(tmp_path, multi_cs):
    # the extension's folder sorts first here, so its rows are read before the ones they replace
    root = copy_release(tmp_path / "rel", int_name="b_" + M.INT_DIR, no_name="a_" + M.NO_DIR)
    cat = catalog_at(tmp_path, root)
    assert _summary(cat.codesystem(SNOMED)) == _summary(multi_cs)


def _patch(date: str, term: str) -> dict:
    return {"description": [(M.D_VIRAL_PT, date, "1", M.INT, M.VIRAL, "en", M.SYN, term, "900000000000448009")]}


@pytest.mark.parametrize("folder,expected", [("zz_patch", "Patched term"), ("00_patch", M.NEW_VIRAL_TERM)])
def test_equal_effective_times_go_to_the_later_file(tmp_path, folder, expected):
    root = copy_release(tmp_path / "rel")
    write_release(root, folder, M.D_NO, _patch(M.D_NO, "Patched term"))
    assert catalog_at(tmp_path, root).codesystem(SNOMED).get(M.VIRAL).display == expected


def test_an_older_row_read_last_changes_nothing(tmp_path, multi_cs):
    """A third folder, read last, with rows older than the extension's: none of them may revive or undo."""
    old = "20250201"
    root = copy_release(tmp_path / "rel")
    rows = _patch(old, "Stale term")
    rows["language"] = [(M.L_CHEST_GB, old, "1", M.INT, M.GB, M.D_CHEST_PT, M.PREF),
                        (M.L_CHEST_US, old, "1", M.INT, M.US, M.D_CHEST_PT, M.PREF)]
    rows["description"].append((M.D_LUNG_INFL, old, "1", M.INT, M.PNEUMONIA, "en", M.SYN, "Lung inflammation",
                                "900000000000448009"))
    rows["relationship"] = [(M.R_ASTHMA_PNEUMONIA, old, "1", M.INT, M.ASTHMA, M.PNEUMONIA, "0", M.ISA, M.INFERRED,
                             "900000000000451002")]
    rows["association"] = [(M.A_OLD_VIRAL, old, "1", M.INT, M.REPLACED_BY, M.OLD_VIRAL, M.VIRAL)]
    rows["extmap"] = [(M.M_PNEUMONIA, old, "1", M.MAPMOD, M.ICD10_MAP, M.PNEUMONIA, "1", "1", "TRUE", "ALWAYS J18.9",
                       "J18.9", "447561005", "447637006")]
    rows["simple"] = [(M.T_ASTHMA, old, "1", M.NO, M.TERMBANK, M.ASTHMA)]
    write_release(root, "zz_old", old, rows)
    assert _summary(catalog_at(tmp_path, root).codesystem(SNOMED)) == _summary(multi_cs)


def test_inactive_rows_alone_add_nothing(tmp_path, multi_cs):
    """Inactive rows for ids never seen active (in a later folder) neither fail nor add anything."""
    root = copy_release(tmp_path / "rel")
    write_release(root, "zz_retired", "20250501", {
        "description": [(M.sctid(9901, "01"), "20250501", "0", M.INT, M.VIRAL, "en", M.SYN, "Never shown",
                         "900000000000448009")],
        "relationship": [(M.sctid(9902, "02"), "20250501", "0", M.INT, M.VIRAL, M.CHEST_PAIN, "0", M.ISA,
                          M.INFERRED, "900000000000451002")],
        "simple": [(M.member(9903), "20250501", "0", M.NO, M.TERMBANK, M.VIRAL)]})
    assert _summary(catalog_at(tmp_path, root).codesystem(SNOMED)) == _summary(multi_cs)


def test_over_http(tmp_path):
    client = client_at(tmp_path, MULTI)
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": SNOMED, "code": M.CHEST_PAIN})
    assert r.status_code == 200, r.get_json()
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    assert params["display"]["valueString"] == "Thoracic pain"
    r = client.get("/fhir/ValueSet/$validate-code", query_string={
        "url": SNOMED + f"?fhir_vs=refset/{M.TERMBANK}", "system": SNOMED, "code": M.ASTHMA})
    assert next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result") is False
    r = client.get("/fhir/ConceptMap/$translate", query_string={"url": ICD10, "system": SNOMED, "code": M.VIRAL})
    assert r.status_code == 200, r.get_json()
    matches = [p for p in r.get_json()["parameter"] if p["name"] == "match"]
    assert [next(x for x in m["part"] if x["name"] == "concept")["valueCoding"]["code"] for m in matches] == ["J128"]

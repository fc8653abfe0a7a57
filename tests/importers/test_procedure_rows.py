"""Finding 7 (a row valid from after the edition) and the procedure part of finding 6 (code shapes)."""
from tests.importers.import_cli import PROCEDURES, kodebro, snapshot

from .stored_concepts import concept, props

from terminology.identifiers import NCRP


def _table(tmp_path, *extra: str, name="procedures-2017.csv"):
    f = tmp_path / name
    f.write_bytes(open(PROCEDURES, "rb").read().rstrip(b"\r\n") + b"\r\n" +
                  "".join(e + "\r\n" for e in extra).encode("cp1252"))
    return f


def test_row_valid_from_a_later_year_is_not_active(tmp_path):
    f = _table(tmp_path, "NCRP;SAA0AH;Fremtidig kode;01.01.2018;")
    db = str(tmp_path / "k.db")
    rc, out = kodebro("import", "--db", db, f, "--edition", "2017")
    assert rc == 0, out
    c = concept(db, NCRP, "SAA0AH")
    p = props(c)
    assert p["status"] == "inactive" and p["validFrom"] == "2018-01-01"
    assert "SAA0AH" in out and "valid only from after edition 2017" in out and "row " in out
    # the rows valid in 2017 stay active (no status property: active)
    assert "status" not in props(concept(db, NCRP, "SAA0AP"))


def test_lower_case_procedure_code_is_refused_with_its_row(tmp_path):
    f = _table(tmp_path, "NCRP; saa0ag ;Liten kode;01.01.2017;")
    db = str(tmp_path / "k.db")
    rc, out = kodebro("import", "--db", db, f)
    assert rc == 1
    assert "saa0ag" in out and "row " in out and "procedures-2017.csv" in out


def test_junk_procedure_code_is_refused(tmp_path):
    f = _table(tmp_path, "NCSP;HELLO WORLD;Tull;01.01.2017;")
    db = str(tmp_path / "k.db")
    kodebro("import", "--db", db, PROCEDURES)
    before = snapshot(db)
    rc, out = kodebro("import", "--db", db, f)
    assert rc == 1
    assert "HELLOWORLD" in out or "HELLO WORLD" in out
    assert snapshot(db) == before


def test_icd10_row_valid_from_a_later_year_is_not_active_either(tmp_path):
    # the same rule for every Norwegian codebook: the directorate's ICD-10 JSON with a code announced for 2027,
    # imported as edition 2026
    import json

    from tests.importers.import_cli import ICD10_FAT
    from terminology.identifiers import ICD10_NO
    rows = json.load(open(ICD10_FAT, encoding="utf-8"))
    later = dict(rows[3], Kode="A00.8", Gyldig_fra="2027-01-01T00:00:00", Foreldrekode="A00")
    later["Tekst_uten_lengdebegrensning"] = later["Tekst_med_maksimalt_60_tegn"] = "Kolera, annen (kunngjort for 2027)"
    f = tmp_path / "icd10-2026.json"
    f.write_text(json.dumps(rows + [later], ensure_ascii=False), encoding="utf-8")
    db = str(tmp_path / "k.db")
    rc, out = kodebro("import", "--db", db, f, "--edition", "2026")
    assert rc == 0, out
    p = props(concept(db, ICD10_NO, "A008"))
    assert p["status"] == "inactive" and p["validFrom"] == "2027-01-01"
    assert "1 code(s) valid only from after edition 2026" in out and "A008" in out
    assert "status" not in props(concept(db, ICD10_NO, "A000"))

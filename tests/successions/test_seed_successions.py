"""Review s13 (domain): successions the seeds state, answered as a Norwegian coder expects them.

Seed 003 (Endringsdokument NCMP 2021): B0014/B0013/B0018 replaced by NCMP codes, WMAA11 split off from WMAA10,
OAEA00 reactivated in 2021. All against the demo content (terminology/demo/succession-changes.csv).
"""
from __future__ import annotations

import pytest

from terminology.identifiers import NCMP, NCRP, SAERKODER


def _translate(client, **q):
    r = client.get("/fhir/ConceptMap/$translate", query_string=q)
    assert r.status_code == 200, r.get_data(as_text=True)
    params = r.get_json()["parameter"]
    result = next(p["valueBoolean"] for p in params if p["name"] == "result")
    message = next((p["valueString"] for p in params if p["name"] == "message"), "")
    matches = []
    for p in params:
        if p["name"] == "match":
            parts = {x["name"]: x for x in p["part"]}
            concept = parts.get("concept", {}).get("valueCoding", {})
            matches.append((parts["equivalence"]["valueCode"], concept.get("code"), concept.get("display"),
                            concept.get("version")))
    return result, message, matches


def test_saerkode_with_only_target_version_starts_from_the_last_edition_it_was_in_use(demo_client):
    """A1: 'what is old B0014 in NCMP 2021?' was refused ('not a code of Saerkoder edition 2020')."""
    result, message, matches = _translate(demo_client, system=SAERKODER, code="B0014", targetsystem=NCMP,
                                          **{"target-version": "2021"})
    assert result is True
    assert sorted(m[1] for m in matches) == ["IBBA15", "IBBB15", "IBBD15", "IBBH15"]
    assert {m[0] for m in matches} == {"narrower"} and {m[3] for m in matches} == {"2021"}
    assert "4 possible counterparts" in message and "choose by meaning" in message
    for code, want in (("B0013", ["IBBA20", "IBBB20", "IBBD20", "IBBE20"]), ("B0018", ["OBAB00"])):
        result, _message, matches = _translate(demo_client, system=SAERKODER, code=code, targetsystem=NCMP,
                                               **{"target-version": "2021"})
        assert result is True and sorted(m[1] for m in matches) == want


def test_named_edition_without_the_code_is_refused_in_words_that_agree(demo_client):
    result, message, matches = _translate(demo_client, system=SAERKODER, code="B0014", version="2020",
                                          targetsystem=NCMP, **{"target-version": "2021"})
    assert result is False and not any(m[1] for m in matches)
    assert "is not a code" not in message
    assert "no longer in use in Særkoder edition 2020" in message
    assert "split into NCMP IBBA15, IBBB15, IBBD15, IBBH15 in 2020" in message


def test_retired_code_without_version_is_walked_from_its_last_edition(demo_client):
    result, message, matches = _translate(demo_client, system=NCMP, code="ZWUU40", **{"target-version": "2021"})
    assert result is False and [m[0] for m in matches] == ["unmatched"]
    assert "ZWUU40 (NCMP 2020) was retired in 2021 without a successor" in message


def test_wmaa10_2020_offers_both_2021_codes(demo_client):
    """A6: WMAA11 (known condition) was split off WMAA10 in 2021; WMAA10 was narrowed to unknown conditions."""
    result, message, matches = _translate(demo_client, system=NCMP, code="WMAA10", version="2020",
                                          **{"target-version": "2021"})
    assert result is True
    assert [(m[0], m[1]) for m in matches] == [("narrower", "WMAA10"), ("narrower", "WMAA11")]
    assert dict((m[1], m[2]) for m in matches) == {"WMAA10": "Tverrfaglig utredning av ukjent tilstand",
                                                   "WMAA11": "Tverrfaglig vurdering av kjent tilstand"}
    assert "2 possible counterparts" in message and "choose by meaning" in message
    # WMAA11 came from WMAA10; WMAA10 itself goes on (a 2021 WMAA10 was a 2020 WMAA10)
    result, _m, matches = _translate(demo_client, system=NCMP, code="WMAA11", version="2021", reverse="true",
                                     **{"target-version": "2020"})
    assert result is True and [m[1] for m in matches] == ["WMAA10"]
    result, _m, matches = _translate(demo_client, system=NCMP, code="WMAA10", version="2021", reverse="true",
                                     **{"target-version": "2020"})
    assert [m[1] for m in matches] == ["WMAA10"]
    cm = demo_client.get("/fhir/ConceptMap/changes-ncmp-2021").get_json()
    split = [e for g in cm["group"] for e in g["element"] if e["code"] == "WMAA10" and
             any(x.get("valueCode") == "split" for x in e.get("extension", ()))]
    assert [sorted(t["code"] for t in e["target"]) for e in split] == [["WMAA10", "WMAA11"]]


def test_wmaa10_stays_in_use_after_its_split(demo_client):
    """The split keeps WMAA10: its history and a 2021 lookup must not treat it as gone."""
    r = demo_client.get("/fhir/CodeSystem/$code-history", query_string={"system": NCMP, "code": "WMAA10"})
    summary = next(p["valueString"] for p in r.get_json()["parameter"] if p["name"] == "summary")
    assert "2021: split -> NCMP WMAA11, one of 2 alternatives" in summary
    result, message, _matches = _translate(demo_client, system=NCMP, code="WMAA10", **{"target-version": "2021"})
    assert result is True and "no longer in use" not in message


def test_plain_translate_of_a_saerkode_shows_the_target_editions_display(demo_client):
    """B3: the stored særkoder -> NCMP change list names codes only; the NCMP edition it names has texts."""
    result, _message, matches = _translate(demo_client, system=SAERKODER, code="B0014", targetsystem=NCMP)
    assert result is True
    got = {m[1]: (m[0], m[2], m[3]) for m in matches}
    assert got["IBBA15"] == ("narrower", "Psykoterapi, familiebehandling", "2020")
    assert sorted(got) == ["IBBA15", "IBBB15", "IBBD15", "IBBH15"]      # no duplicates
    result, _message, matches = _translate(demo_client, system=SAERKODER, code="1XX01", targetsystem=NCMP)
    assert result is True and len(matches) == 1 and matches[0][1] == "WBGM90" and matches[0][2]


def test_messages_and_history_say_saerkoder_with_ae(demo_client):
    """C3: 'Særkoder' to people; the ASCII short name stays the map id and the change-list column."""
    r = demo_client.get("/fhir/CodeSystem/$code-history", query_string={"system": SAERKODER, "code": "A0093"})
    summary = next(p["valueString"] for p in r.get_json()["parameter"] if p["name"] == "summary")
    assert summary.startswith("A0093 (Særkoder, ") and "Saerkoder" not in summary
    _result, message, _matches = _translate(demo_client, system=SAERKODER, code="B0013", version="2020",
                                            targetsystem=NCMP, **{"target-version": "2021"})
    assert "Særkoder" in message and "Saerkoder" not in message
    assert demo_client.get("/fhir/ConceptMap/changes-saerkoder-2020").status_code == 200


def test_retirement_message_names_a_later_reactivation(demo_client):
    """C5: OAEA00 was out of use in 2020 only (seed 003: 'Settes aktiv igjen')."""
    result, message, _m = _translate(demo_client, system=NCMP, code="OAEA00", version="2019",
                                     **{"target-version": "2020"})
    assert result is False
    assert "OAEA00 (NCMP 2019) was retired in 2020 without a successor (reactivated in 2021)" in message
    _r, message, _m = _translate(demo_client, system=NCMP, code="ZWUU40", version="2020",
                                 **{"target-version": "2021"})
    assert "reactivated" not in message


@pytest.fixture
def demo_catalog(demo_app):
    from terminology import Catalog, open_store
    store = open_store(demo_app.config["KODEBRO"]["DB"])
    yield Catalog(store)
    store.close()


def test_reverse_of_a_merge_says_how_the_equivalence_reads(demo_catalog):
    """C2: the reverse of a merge keeps the change list's 'wider' (old -> new); each match says so."""
    from mappings.translate import TranslateRequest, translate
    res = translate(demo_catalog, TranslateRequest(code="SAA0AP", system=NCRP, version="2017",
                                                   target_version="2016", reverse=True))
    assert sorted(m.code for m in res.matches) == ["SAA0AE", "SAA0AF"]
    for m in res.matches:
        assert m.equivalence == "wider"
        assert f"the equivalence reads old -> new: SAA0AP (NCRP 2017) is wider than {m.code} (NCRP 2016)" \
            in m.comment
    fwd = translate(demo_catalog, TranslateRequest(code="SAA0AE", system=NCRP, version="2016",
                                                   target_version="2017"))
    assert "reads old -> new" not in fwd.matches[0].comment


def test_split_that_keeps_the_old_code_does_not_count_as_taking_it_out_of_use(demo_catalog):
    """The change-list facts the edition comparison reads: WMAA10 is split in 2021, not gone."""
    from mappings.succession_build import graph_for
    from terminology.versions import version_key
    sg = graph_for(demo_catalog)
    assert not sg.gone_before((NCMP, "WMAA10"), version_key("2022"))
    assert sg.gone_before((SAERKODER, "B0014"), version_key("2021"))
    assert sg.gone_at((NCMP, "WMAA10"), "2021") is None

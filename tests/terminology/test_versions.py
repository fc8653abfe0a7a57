"""Version ordering and matching: years, semver, wildcards, SNOMED CT edition URIs."""
from terminology.versions import latest, matches_version

NO = "http://snomed.info/sct/51000202101"


def test_latest_orders_numerically():
    assert latest(["2021", "2009", "2017"]) == "2021"
    assert latest(["1.10.0", "1.9.0", "1.2.0"]) == "1.10.0"
    assert latest([f"{NO}/version/20240415", f"{NO}/version/20231015"]) == f"{NO}/version/20240415"


def test_wildcards():
    assert matches_version("1.x", "1.2") and matches_version("1.*", "1.0")
    assert not matches_version("1.x", "2.0") and not matches_version("1.0", "1.0.1")


def test_snomed_edition_without_date_matches_its_versions_only():
    assert matches_version(NO, f"{NO}/version/20240415")
    assert not matches_version(NO, "http://snomed.info/sct/900000000000207008/version/20240101")

"""Request-supplied code systems answer a version wildcard with the newest match, in any order sent."""
import pytest

from terminology import Catalog, open_store

URL = "http://example.org/cs/versioned"


def _cs(version, codes):
    return {"resourceType": "CodeSystem", "url": URL, "version": version, "status": "active",
            "content": "complete", "concept": [{"code": c, "display": c.upper()} for c in codes]}


@pytest.mark.parametrize("order", [0, 1])
def test_wildcard_takes_the_newest_supplied_match(tmp_path, order):
    store = open_store(str(tmp_path / "o.db"))
    supplied = [_cs("1.0.0", ["a"]), _cs("1.2.0", ["a", "b"]), _cs("2.0.0", ["a", "b", "c"])]
    cat = Catalog(store).overlay(supplied if order == 0 else supplied[::-1])
    assert cat.codesystem(URL, "1.x").version == "1.2.0"
    assert cat.codesystem(URL, "1.0.0").version == "1.0.0"
    assert cat.codesystem(URL, None).version == "2.0.0"
    assert cat.codesystem(URL, "3.x") is None
    store.close()

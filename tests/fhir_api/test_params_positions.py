"""Params keeps name -> first position for `in` and `get` (asked a score of times per $translate request); an
item added later and an item replaced in place must both be seen, as operations append and replace items."""
from fhir_api.params import Params


def test_get_and_contains_follow_appends_and_in_place_replacements():
    p = Params([("system", "s"), ("code", "a"), ("code", "b")])
    assert "code" in p and "version" not in p
    assert p.get("code") == "a" and p.all("code") == ["a", "b"]
    p.items.append(("version", "2026"))            # ops_validate appends the version it settled
    assert "version" in p and p.get("version") == "2026"
    p.items[0] = ("system", "t")                   # and replaces a coding in place
    assert p.get("system") == "t"
    assert p.get("missing", 7) == 7

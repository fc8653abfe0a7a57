"""A value set with a modifier extension (or implicitRules) is refused, not processed: R4 says a system that does
not understand a modifier extension must not process the element that carries it, since it may change what
the element means. 400 business-rule, as the reference server refuses it (FHIRsmith Extensions.checkNoModifiers,
checkNoImplicitRules), for the value set itself, its compose, an include or exclude, a concept and a filter."""
import pytest

from tests.support.resources import cs, vs
from tests.support.tx_requests import out, post

CS = cs("http://ex.org/cs/mod", "1", [{"code": "a", "display": "A"}])
MOD = [{"url": "http://ex.org/ext/not-understood", "valueBoolean": True}]


def _vs(where):
    v = vs("http://ex.org/vs/mod", [{"system": CS["url"], "concept": [{"code": "a"}]}], "1")
    if where == "root":
        v["modifierExtension"] = MOD
    elif where == "compose":
        v["compose"]["modifierExtension"] = MOD
    elif where == "include":
        v["compose"]["include"][0]["modifierExtension"] = MOD
    elif where == "concept":
        v["compose"]["include"][0]["concept"][0]["modifierExtension"] = MOD
    elif where == "filter":
        v["compose"]["include"].append({"system": CS["url"], "filter": [
            {"property": "concept", "op": "is-a", "value": "a", "modifierExtension": MOD}]})
    elif where == "exclude":
        v["compose"]["exclude"] = [{"system": CS["url"], "concept": [{"code": "b"}], "modifierExtension": MOD}]
    return v


@pytest.mark.parametrize("where", ["root", "compose", "include", "concept", "filter", "exclude"])
@pytest.mark.parametrize("op", ["ValueSet/$expand", "ValueSet/$validate-code"])
def test_a_modifier_extension_is_refused(client, where, op):
    v = _vs(where)
    extra = [("system", CS["url"]), ("code", "a")] if op.endswith("validate-code") else []
    status, b = post(client, op, [("url", v["url"]), *extra], [CS, v])
    assert status == 400, b
    (issue,) = b["issue"]
    assert issue["code"] == "business-rule"
    assert issue["details"]["text"] == ("Cannot process ValueSet http://ex.org/vs/mod|1: it has a modifier "
                                        "extension http://ex.org/ext/not-understood that Kodebro does not understand")


def test_implicit_rules_are_refused(client):
    v = _vs(None)
    v["implicitRules"] = "http://ex.org/rules"
    status, b = post(client, "ValueSet/$expand", [("url", v["url"])], [CS, v])
    assert status == 400, b
    assert b["issue"][0]["code"] == "business-rule"
    assert b["issue"][0]["details"]["text"] == ("Cannot process ValueSet http://ex.org/vs/mod|1: it has implicit "
                                                "rules http://ex.org/rules that Kodebro does not understand")


def test_an_ordinary_extension_is_no_reason_to_refuse(client):
    v = _vs(None)
    v["extension"] = MOD
    status, b = post(client, "ValueSet/$validate-code", [("url", v["url"]), ("system", CS["url"]), ("code", "a")],
                     [CS, v])
    assert status == 200 and out(b)["result"] is True, b

"""The engine without HTTP: filters, languages, expansion and validation on in-memory indexes."""
import pytest

from terminology.codesystem import CodeSystemIndex
from terminology.errors import InvalidRequest, TooCostly
from terminology.languages import choose_display, no_fallback, parse_languages
from terminology.operations import filters
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.validate import ValidateRequest, validate_code

CS = {"resourceType": "CodeSystem", "url": "http://example.org/cs", "version": "1", "language": "en",
      "status": "active", "content": "complete",
      "concept": [{"code": "a", "display": "Apple", "designation": [{"language": "nb", "value": "Eple"}],
                   "property": [{"code": "colour", "valueCode": "red"}],
                   "concept": [{"code": "a1", "display": "Apple pie"}]},
                  {"code": "b", "display": "Banana", "property": [{"code": "colour", "valueCode": "yellow"}]}]}


class OneSystem:
    """A minimal catalog: one code system, no stored value sets."""

    def __init__(self, cs):
        self.cs = CodeSystemIndex.from_resource(cs)

    def canonical_system(self, s):
        return s

    def codesystem(self, url, version=None):
        return self.cs if url == self.cs.url and version in (None, self.cs.version) else None

    def codesystem_versions(self, url):
        return [self.cs.version] if url == self.cs.url else []

    def valueset(self, url, version=None):
        return None

    def resource(self, *a):
        return None


@pytest.fixture
def cs():
    return CodeSystemIndex.from_resource(CS)


@pytest.mark.parametrize("prop,op,value,codes", [
    ("concept", "is-a", "a", ["a", "a1"]),
    ("concept", "descendent-of", "a", ["a1"]),
    ("concept", "is-not-a", "a", ["b"]),
    ("concept", "generalizes", "a1", ["a", "a1"]),
    ("concept", "child-of", "a", ["a1"]),
    ("concept", "in", "a,b", ["a", "b"]),
    ("concept", "not-in", "a,b", ["a1"]),
    ("colour", "=", "red", ["a"]),
    ("colour", "exists", "false", ["a1"]),
    ("code", "regex", "a.*", ["a", "a1"]),
    ("display", "regex", "B.*", ["b"]),
])
def test_filters(cs, prop, op, value, codes):
    assert sorted(filters.filter_codes(cs, prop, op, value)) == codes
    test = filters.filter_test(cs, prop, op, value)
    assert sorted(c.code for c in cs.concepts.values() if test(c)) == codes


def test_filter_errors(cs):
    with pytest.raises(InvalidRequest):
        filters.filter_codes(cs, "concept", "sounds-like", "a")
    with pytest.raises(InvalidRequest):
        filters.compile_pattern("(")
    with pytest.raises(InvalidRequest):
        filters.compile_pattern("a" * (filters.MAX_PATTERN + 1))


def test_catastrophic_regex_is_stopped():
    long = CodeSystemIndex.from_resource({**CS, "concept": [{"code": "a" * 60 + "b"}]})
    # with the `regex` package: stopped by its timeout; without it: refused up front
    with pytest.raises((TooCostly, InvalidRequest)):
        filters.filter_codes(long, "code", "regex", "(a|a)+c")


def test_languages(cs):
    assert parse_languages("de, en;q=0.5, *;q=0") == ["de", "en"]
    assert no_fallback("de, *; q=0") and not no_fallback("de, *")
    apple = cs.get("a")
    assert choose_display(apple, cs, ["nb"])[0] == "Eple"
    assert choose_display(apple, cs, ["no"])[0] == "Eple"
    assert choose_display(apple, cs, ["en-GB"])[0] == "Apple"
    assert choose_display(apple, cs, ["fr"])[0] == "Apple"
    assert choose_display(apple, cs, ["fr"], strict=True)[0] is None


def test_expand_engine_paging_and_limit():
    cat = OneSystem(CS)
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs", "status": "active",
          "compose": {"include": [{"system": "http://example.org/cs"}]}}
    exp = expand(cat, ExpandRequest(valueset=vs, offset=1, count=1, exclude_nested=True))
    assert exp.total == 3 and [i.code for i in exp.items] == ["a1"]
    with pytest.raises(TooCostly):
        expand(cat, ExpandRequest(valueset=vs, max_expansion=2))
    nested = expand(cat, ExpandRequest(valueset=vs))
    assert [i.code for i in nested.items] == ["a", "b"] and nested.items[0].children[0].code == "a1"


def test_validate_engine_display_languages():
    cat = OneSystem(CS)
    ok = validate_code(cat, ValidateRequest(codesystem="http://example.org/cs",
                                            codings=[{"code": "a", "display": "Eple"}], languages=["nb"]))
    assert ok.result is True
    bad = validate_code(cat, ValidateRequest(codesystem="http://example.org/cs",
                                             codings=[{"code": "a", "display": "Pear"}]))
    assert bad.result is False and "Wrong Display Name 'Pear'" in bad.message
    unknown = validate_code(cat, ValidateRequest(codesystem="http://example.org/cs", codings=[{"code": "zz"}]))
    assert unknown.result is False and unknown.issues[0].tx_code == "invalid-code"

"""The designation languages of a code system are the engine's (CodeSystemIndex.designation_languages), worked out
once per index, which the catalog keeps per resource revision; CodeSystem?language= only asks."""
from __future__ import annotations

import json

from terminology import Catalog
from terminology.codesystem import CodeSystemIndex
from terminology.loader import import_paths
from terminology.supplements import apply_supplements

URL = "http://example.org/cs/lang"


def _cs(languages=("nb", "de"), junk=False):
    return {"resourceType": "CodeSystem", "id": "lang", "url": URL, "version": "1", "status": "active",
            "content": "complete",
            "concept": [{"code": "A", "display": "A", "designation": [{"language": lang, "value": lang}
                                                                      for lang in languages]},
                        {"code": "B", "display": "B", "designation": [{"value": "no language"}] + (
                            ["not a dict", {"language": 7, "value": "not a code"}] if junk else [])}]}


def test_the_languages_are_sorted_once_and_kept():
    index = CodeSystemIndex.from_resource(_cs(("nb", "de", "nb"), junk=True))
    got = index.designation_languages()
    assert got == ("de", "nb")
    assert index.designation_languages() is got


def test_a_supplemented_copy_has_the_languages_of_its_supplement_too():
    base = CodeSystemIndex.from_resource(_cs(("nb",)))
    assert base.designation_languages() == ("nb",)
    sup = {"resourceType": "CodeSystem", "url": "http://example.org/sup", "content": "supplement", "supplements": URL,
           "concept": [{"code": "A", "designation": [{"language": "se", "value": "A"}]}]}
    assert apply_supplements(base, [sup]).designation_languages() == ("nb", "se")
    assert base.designation_languages() == ("nb",)


def _write(store, tmp_path, resource, name):
    path = tmp_path / name
    path.write_text(json.dumps(resource))
    import_paths(store, [str(path)])


def test_an_unrelated_write_keeps_them_and_a_new_revision_has_its_own(store, tmp_path):
    _write(store, tmp_path, _cs(), "cs.json")
    cat = Catalog(store)
    pk = cat.find_header("CodeSystem", URL).pk
    kept = cat.codesystem_by_pk(pk).designation_languages()
    _write(store, tmp_path, {"resourceType": "ValueSet", "url": "http://example.org/vs", "status": "active"},
           "vs.json")
    cat.refresh(force=True)
    assert cat.codesystem_by_pk(pk).designation_languages() is kept
    _write(store, tmp_path, _cs(("se",)), "cs2.json")
    cat.refresh(force=True)
    assert cat.codesystem_by_pk(cat.find_header("CodeSystem", URL).pk).designation_languages() == ("se",)

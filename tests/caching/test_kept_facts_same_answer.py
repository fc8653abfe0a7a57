"""What is kept per store revision about a stored value set must not change the answer: the first
$validate-code (nothing kept yet) and the later ones (answered from what was kept) say the same."""
from terminology import open_store
from terminology.catalog import Catalog
from terminology.operations.validate import ValidateRequest, validate_code


def test_a_draft_import_is_reported_on_every_call_not_only_the_first(tmp_path):
    cs = {"resourceType": "CodeSystem", "url": "http://x/cs", "version": "1", "status": "active",
          "content": "complete", "concept": [{"code": "x"}, {"code": "y"}]}
    b = {"resourceType": "ValueSet", "id": "B", "url": "http://x/B", "status": "draft",
         "compose": {"include": [{"system": "http://x/cs", "concept": [{"code": "y"}]}]}}
    a = {"resourceType": "ValueSet", "id": "A", "url": "http://x/A", "status": "active",
         "compose": {"include": [{"system": "http://x/cs", "concept": [{"code": "x"}]},
                                 {"valueSet": ["http://x/B"]}]}}
    store = open_store(str(tmp_path / "k.db"))
    store.write([cs, a, b])
    catalog = Catalog(store)
    answers = []
    for _ in range(3):
        vs = catalog.valueset("http://x/A")
        res = validate_code(catalog, ValidateRequest(valueset=vs, codings=[{"system": "http://x/cs", "code": "x"}]))
        answers.append((res.result, sorted(i.text for i in res.issues)))
    assert answers[0][0] is True
    assert answers[1] == answers[0] and answers[2] == answers[0], answers

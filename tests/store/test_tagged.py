"""store.tagged(tag): the resources whose meta.tag holds the tag, on SQLite and PostgreSQL alike; a body that only
mentions the tag's code elsewhere (a concept coded 'demo') is not one of them."""
from __future__ import annotations

from terminology.identifiers import DEMO_TAG, HL7_TAG


def _cs(rid: str, tags: list, code: str = "a") -> dict:
    return {"resourceType": "CodeSystem", "id": rid, "url": f"http://example.org/fhir/CodeSystem/{rid}",
            "status": "active", "content": "complete", "meta": {"tag": tags} if tags else {},
            "concept": [{"code": code, "display": "demo"}]}


def test_tagged_finds_the_tag_not_the_word(any_store):
    any_store.write([_cs("tagged", [DEMO_TAG]), _cs("mentions", [], code="demo"), _cs("other", [HL7_TAG]),
                     _cs("same-code-other-system", [{"system": "urn:x", "code": "demo"}])])
    assert [h.id for h in any_store.tagged(DEMO_TAG)] == ["tagged"]
    assert [h.id for h in any_store.tagged(HL7_TAG)] == ["other"]

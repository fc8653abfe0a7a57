"""Small resources for the tests that hold Kodebro to what the reference servers (tx.fhir.org: FHIRsmith,
fhirserver) answer. Written for these tests (Kodebro, same terms as the project); no data files."""
from __future__ import annotations


def cs(url: str, version: str | None, concepts: list, **extra) -> dict:
    r = {"resourceType": "CodeSystem", "url": url, "status": "active", "content": "complete", "concept": concepts}
    if version is not None:
        r["version"] = version
    r.update(extra)
    return r


def vs(url: str, include: list, version: str | None = None, **extra) -> dict:
    r = {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": include}}
    if version is not None:
        r["version"] = version
    r.update(extra)
    return r


def example_vs(name: str, include: list, exclude: list | None = None) -> dict:
    """ValueSet http://ex.org/vs/<name>, version 1, composed of `include` and of `exclude` when given (an empty list
    too: the tests of malformed composes send one)."""
    r = {"resourceType": "ValueSet", "url": f"http://ex.org/vs/{name}", "version": "1", "status": "active",
         "compose": {"include": include}}
    if exclude is not None:
        r["compose"]["exclude"] = exclude
    return r

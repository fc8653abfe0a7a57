"""The resources of the tests that hold Kodebro's version handling to the reference servers (FHIRsmith /
tx.fhir.org, Pascal fhirserver): one code system in three versions whose codes and displays differ.
Written for these tests (Kodebro, same terms as the project); no data files."""
from __future__ import annotations

from tests.support.resources import cs, vs

V = "http://ex.org/cs/v"
V10 = cs(V, "1.0.0", [{"code": "a", "display": "A 1.0"}, {"code": "b", "display": "B 1.0"}])
V12 = cs(V, "1.2.0", [{"code": "a", "display": "A 1.2"}, {"code": "b", "display": "B 1.2"},
                      {"code": "c", "display": "C 1.2"}])
V20 = cs(V, "2.0.0", [{"code": "a", "display": "A 2.0"}, {"code": "c", "display": "C 2.0"},
                      {"code": "d", "display": "D 2.0"}])
VERSIONS = [V10, V12, V20]

__all__ = ["V", "V10", "V12", "V20", "VERSIONS", "cs", "vs"]

"""Resources for the paging tests: code systems just over, at and under the expansion limit (1000 codes),
a small hierarchy, and an expansion-only value set. Written for these tests; no data files."""
from __future__ import annotations

from tests.support.resources import cs, vs

LIMIT = 1000


def flat_cs(url: str, n: int) -> dict:
    return cs(url, "1", [{"code": f"c{i:04d}", "display": f"Code {i}"} for i in range(n)])


def whole(url: str, system: str, **extra) -> dict:
    return vs(url, [{"system": system}], "1", **extra)


BIG = flat_cs("http://ex.org/cs/big", LIMIT + 100)
BIG_VS = whole("http://ex.org/vs/big", BIG["url"])
AT = flat_cs("http://ex.org/cs/at", LIMIT)
AT_VS = whole("http://ex.org/vs/at", AT["url"])
JUST_OVER = flat_cs("http://ex.org/cs/over", LIMIT + 1)
JUST_OVER_VS = whole("http://ex.org/vs/over", JUST_OVER["url"])
SMALL = flat_cs("http://ex.org/cs/small", 500)
SMALL_VS = whole("http://ex.org/vs/small", SMALL["url"])

H = cs("http://ex.org/cs/h", "2", [{"code": "a", "display": "A", "concept": [{"code": "a1", "display": "A1"},
                                                                             {"code": "a2", "display": "A2"}]},
                                    {"code": "b", "display": "B"}], hierarchyMeaning="is-a")
H_VS = vs("http://ex.org/vs/h", [{"system": H["url"]}])

"""The keys of expansion-only value sets are kept for the last few asked about (a batch asks about one value
set many times); value sets brought by requests are asked about once, so the cache must not grow with them."""
from terminology.operations import expansion_only


def _vs(i: int) -> dict:
    return {"resourceType": "ValueSet", "expansion": {"contains": [
        {"system": "http://s", "code": f"c{i}"}, {"system": "http://s", "code": "shared",
                                                   "contains": [{"system": "http://s", "code": f"child{i}"}]}]}}


def test_many_value_sets_keep_the_cache_bounded_and_the_answers_right():
    sets = [_vs(i) for i in range(500)]
    for i, vs in enumerate(sets):
        assert expansion_only.recent_expansion_keys(vs) == {("http://s", f"c{i}"), ("http://s", "shared"),
                                                            ("http://s", f"child{i}")}
    assert len(expansion_only._RECENT_KEYS) <= expansion_only._RECENT_KEYS_MAX_SETS
    assert expansion_only._recent_codes == sum(len(k) for _v, k in expansion_only._RECENT_KEYS.values())
    # the last one is kept, by identity
    assert expansion_only.recent_expansion_keys(sets[-1]) is expansion_only._RECENT_KEYS[id(sets[-1])][1]

"""Values a client should never send: the alphabet the mutations draw from."""
from __future__ import annotations

import copy
import random

LONG = "x" * 10_000
SCALARS = [
    "", " ", LONG, "\u00e6\u00f8\u00e5 \u00c6\u00d8\u00c5 \u0301e\u0308 \U0001F600 \u202e", "\ud800", "a\udfffb",
    "\x00", "a\x00b", "\ufeff", "\r\n", "%", "%00", "*", "|", "a|b|c", "||", "http://", "urn:oid:", "../../etc/passwd",
    "' OR 1=1 --", "\"", "\\", "$", "${x}", "<x/>", "null", "true", "NaN", "-0", "1e999",
    -1, 0, -(2 ** 63), 2 ** 63, 2 ** 64 + 1, 10 ** 40, 1.5, -0.0, 1e308, 5e-324, True, False, None,
]
STRUCTURED = [{}, [], [[]], [None], {"a": {"b": [1, {}]}}, [{"code": []}], {"resourceType": 7}, {"": ""}]
CATASTROPHIC = [
    "(a+)+$", "(a|aa)+$", "(a|a?)+b", "(.*a){25}", "([a-z]+)*!x", "(?:a?){30}a{30}", "(\\w+\\s?)*$", "((a*)*)*b",
    "(a+){2,}+", "(?=(a+))+b", "[", "(", "\\", "a{99999999}", "(?P<x>a)(?P=x)", "\\1", "(?<!a+)b", "." * 5000,
    "(?i)(A|a)+$",
]
INTS = [-1, 0, 1, -(2 ** 31), 2 ** 31, 2 ** 63, 10 ** 12, 10 ** 30, "abc", "1e3", "", " 5", "+5", "\u0663",
        1.5, "5.0", None, True, "-0", "0x10", "\x00"]


def value(rng: random.Random):
    """A junk value for a place that expects a scalar (or anything)."""
    pool = SCALARS if rng.random() < 0.7 else STRUCTURED
    return copy.deepcopy(rng.choice(pool))     # a fresh copy: later mutations may write into it


def number(rng: random.Random):
    return rng.choice(INTS)


def text(rng: random.Random) -> str:
    """A junk string (for query strings and headers, where only text exists)."""
    v = rng.choice(SCALARS + CATASTROPHIC)
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)

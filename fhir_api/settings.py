"""Every setting in one table: name, default, help. Read from KODEBRO_* environment variables."""
from __future__ import annotations

import os

from terminology.editions import parse_today
from terminology.operations.expand import DEFAULT_MAX_EXPANSION

DEFAULT_DB = os.path.join(os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"),
                          "kodebro", "kodebro.db")

# name -> (default, help); the environment variable is KODEBRO_<NAME>
SETTINGS: dict[str, tuple[object, str]] = {
    "DB": (DEFAULT_DB, "Store location: a SQLite file path (created on first use) or a postgresql:// URL."),
    "DEMO": (True, "Load the shipped demo content when the store is empty at start-up."),
    "HL7": (True, "Load the HL7 terminology shipped with Kodebro (the code systems, value sets and concept maps "
                  "of FHIR R4 core 4.0.1 and HL7 Terminology THO 7.0.1) when the store is empty at start-up."),
    "API_KEY": ("", "When set, create/update/delete need 'Authorization: Bearer <key>'. "
                    "When empty, writes are open: set it on any shared server."),
    "MAX_EXPANSION": (DEFAULT_MAX_EXPANSION,
                      "Largest number of codes an $expand without `count` returns before answering "
                      "too-costly (pages asked for with offset/count may hold up to 10000 codes)."),
    "CORS_ORIGINS": ("", "Browser origins allowed to call the API (CORS), comma-separated, or '*'. "
                         "Empty: no CORS headers, browsers on other origins are refused."),
    "BASE_URL": ("", "Public base URL of the FHIR endpoint, used in links (default: taken from the request)."),
    "TODAY": ("", "YYYY-MM-DD to answer as if it were that day: which yearly edition (ICD-10-NO 2027 from "
                  "1 January 2027) a request without version or date gets. Empty: today in Norway. For tests, "
                  "and to preview next year's answers before it starts."),
    "METRICS": (False, "Serve Prometheus metrics at /metrics (no authentication, like /healthz): requests by "
                       "interaction and status, their durations, the store generation. Off: /metrics is a 404 "
                       "and requests pay nothing for it."),
}


def _is_count(default) -> bool:
    # a setting whose default is a whole number (MAX_EXPANSION) must be one of at least 1
    return isinstance(default, int) and not isinstance(default, bool)


_YES, _NO = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def _yes_no(value, source: str) -> bool:
    """A yes/no setting as a bool; any other word stops the start naming `source`, rather than silently
    meaning no (KODEBRO_DEMO=maybe would start an empty store without the demo and without a word). A program's
    own value (create_app({"DEMO": 0}), None) is read by its truth, as it always was: no operator typed it."""
    if value is None or isinstance(value, int):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in _YES or word in _NO:
        return word in _YES
    raise ValueError(f"{source} must be true or false, not {value!r}")


def _count(value, source: str) -> int:
    """`value` as a whole number of at least 1; a bad one stops the start naming `source`, rather than being
    replaced by the default at each request (a number given as text, as from the environment, is fine)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{source} must be a whole number of at least 1, not {value!r}")
    return value


def _read(name: str, value, source: str):
    """Setting `name`'s `value` (from the environment, an override or the default) as the server uses it; a
    value that cannot be used raises ValueError naming `source`."""
    default = SETTINGS[name][0]
    if _is_count(default):
        return _count(value, source)
    if isinstance(default, bool):
        return _yes_no(value, source)
    if name == "TODAY":
        return parse_today(value, source)
    return value


def load_settings(overrides: dict | None = None) -> dict:
    """The settings: each one's KODEBRO_<NAME> environment variable, else its default; `overrides` over both
    (None for a whole-number setting keeps what is there). Raises ValueError naming a setting whose value
    cannot be used, so a bad one fails at start."""
    out = {name: _read(name, os.environ.get("KODEBRO_" + name, default), "KODEBRO_" + name)
           for name, (default, _help) in SETTINGS.items()}
    for k, v in (overrides or {}).items():
        name = k.upper()
        if name not in SETTINGS:
            out[name] = v
        elif not (v is None and _is_count(SETTINGS[name][0])):
            out[name] = _read(name, v, f"setting {name}")
    return out

"""Every setting in one table: name, default, help. Read from KODEBRO_* environment variables."""
from __future__ import annotations

import os

DEFAULT_DB = os.path.join(os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"),
                          "kodebro", "kodebro.db")

# name -> (default, help); the environment variable is KODEBRO_<NAME>
SETTINGS: dict[str, tuple[object, str]] = {
    "DB": (DEFAULT_DB, "Store location: a SQLite file path (created on first use) or a postgresql:// URL."),
    "DEMO": (True, "Load the shipped demo content when the store is empty at start-up."),
    "API_KEY": ("", "When set, create/update/delete need 'Authorization: Bearer <key>'. "
                    "When empty, writes are open: set it on any shared server."),
    "MAX_EXPANSION": (1000, "Largest number of codes an $expand without `count` returns before answering "
                            "too-costly (pages asked for with offset/count may hold up to 10000 codes)."),
    "CORS_ORIGINS": ("", "Browser origins allowed to call the API (CORS), comma-separated, or '*'. "
                         "Empty: no CORS headers, browsers on other origins are refused."),
    "BASE_URL": ("", "Public base URL of the FHIR endpoint, used in links (default: taken from the request)."),
}


def _parse(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    return raw


def load_settings(overrides: dict | None = None) -> dict:
    out = {}
    for name, (default, _help) in SETTINGS.items():
        raw = os.environ.get("KODEBRO_" + name)
        out[name] = _parse(raw, default) if raw is not None else default
    for k, v in (overrides or {}).items():
        out[k.upper()] = v
    return out

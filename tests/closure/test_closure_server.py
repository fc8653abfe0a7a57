"""$closure on a real server (two workers) on 127.0.0.1: what one worker adds another answers from, and a table
survives a restart of the server."""
from __future__ import annotations

import requests

from tests.closure.conftest import ICD, pairs, params
from tests.conftest import running_server


def test_a_table_is_shared_by_the_workers_and_survives_a_restart(tmp_path):
    db = str(tmp_path / "k.db")
    with running_server(db) as (base, _started):
        assert requests.post(base + "/$closure", json=params("warehouse"), timeout=30).json()["version"] == "0"
        # several calls, so both workers are likely to answer some; each must see the others' codes
        for code in ("J09-J18", "J12", "J12.8", "J13"):
            r = requests.post(base + "/$closure", json=params("warehouse", (ICD, code)), timeout=30)
            assert r.status_code == 200, r.text
        first = requests.get(base + "/$closure", params={"name": "warehouse", "version": "0"}, timeout=30).json()
    expected = {(ICD, "J12", "subsumes", "J09-J18"), (ICD, "J12.8", "subsumes", "J09-J18"),
                (ICD, "J12.8", "subsumes", "J12"), (ICD, "J13", "subsumes", "J09-J18")}
    assert first["version"] == "4" and pairs(first) == expected
    with running_server(db) as (base, _started):
        again = requests.post(base + "/$closure", json=params("warehouse", version=2), timeout=30).json()
        assert again["version"] == "4"
        assert pairs(again) == {(ICD, "J12.8", "subsumes", "J09-J18"), (ICD, "J12.8", "subsumes", "J12"),
                                (ICD, "J13", "subsumes", "J09-J18")}
        r = requests.post(base + "/$closure", json=params("warehouse", (ICD, "J12")), timeout=30)
        assert r.json()["version"] == "4" and "group" not in r.json()

"""Where a request keeps its inputs, for the mutation modules (mutate.py, mutate_snomed.py, mutate_requests.py)."""
from __future__ import annotations


def params_of(req) -> list | None:
    """The `parameter` list of a Parameters body, else None."""
    b = req.body
    if isinstance(b, dict) and b.get("resourceType") == "Parameters" and isinstance(b.get("parameter"), list):
        return b["parameter"]
    return None


def set_input(req, name: str, value: str, value_key: str = "valueUri") -> bool:
    """Put `name`=`value` in the request, replacing what it had: in the Parameters body, the query of a GET, or
    (for `url`) a resource body that is created or updated. False when the request has none of them."""
    ps = params_of(req)
    body = req.body
    if ps is None and name == "url" and isinstance(body, dict) and isinstance(body.get("resourceType"), str):
        body["url"] = value
        return True
    if ps is not None:
        ps[:] = [p for p in ps if not (isinstance(p, dict) and p.get("name") == name)]
        ps.append({"name": name, value_key: value})
        return True
    if req.method == "GET":
        req.query = [(n, v) for n, v in req.query if n != name] + [(name, value)]
        return True
    return False

"""CodeSystem/$code-history: a code's life across editions in one call (mappings/succession_history.py)."""
from __future__ import annotations

from terminology.errors import InvalidRequest

from .operations import operation
from .ops_lookup import coding_param
from .params import Params


def _coding(system, code) -> dict:
    return {"system": system, "code": code}


def _part(name, **value) -> dict:
    return {"name": name, **value}


@operation("CodeSystem", "code-history")
def code_history_op(catalog, params: Params, instance):
    system = params.str("system") or (instance or {}).get("url")
    code = params.str("code")
    coding = coding_param(params, "coding")    # a Coding, or system|code in a query, as $lookup takes it
    if coding is not None:
        system, code = coding.get("system") or system, coding.get("code") or code
    if not system or not code:
        raise InvalidRequest("$code-history needs system and code", location="code" if system else "system")
    from mappings.succession_history import code_history, summary_lines   # networkx: loaded on first use
    h = code_history(catalog, system, code)
    out = [_part("system", valueUri=h["system"]), _part("code", valueCode=h["code"]),
           _part("summary", valueString="\n".join(summary_lines(h)))]
    out += [_part("edition", valueString=e) for e in h["editions"]]
    out += [_part("loadedEdition", valueString=e) for e in h["loaded_editions"]]
    for t in h["texts"]:
        out.append(_part("text", part=[_part("edition", valueString=t["edition"]),
                                       _part("text", valueString=t["text"]),
                                       _part("part", valueCode=t["part"]),
                                       _part("source", valueString=t["source"])]))
    for ev in h["events"]:
        parts = [_part("edition", valueString=ev["edition"]), _part("kind", valueCode=ev["kind"])]
        if "from" in ev:
            parts.append(_part("from", valueCoding=ev["from"]))
        if "to" in ev:
            parts.append(_part("to", valueCoding=ev["to"]))
        if ev.get("alternatives", 1) > 1:
            parts.append(_part("alternatives", valueInteger=ev["alternatives"]))
        if ev.get("old_text"):
            parts.append(_part("oldText", valueString=ev["old_text"]))
        if ev.get("new_text"):
            parts.append(_part("newText", valueString=ev["new_text"]))
        if ev.get("note"):
            parts.append(_part("note", valueString=ev["note"]))
        if ev.get("derived"):
            parts.append(_part("derived", valueBoolean=True))
        out.append(_part("event", part=parts))
    for name, key in (("predecessor", "predecessors"), ("successor", "successors")):
        for link in h[key]:
            out.append(_part(name, part=[_part("concept", valueCoding=_coding(link["system"], link["code"])),
                                         _part("edition", valueString=link["edition"]),
                                         _part("kind", valueCode=link["kind"])]))
    out += [_part("earlier", valueCoding=_coding(c["system"], c["code"])) for c in h["earlier_codes"]]
    out += [_part("later", valueCoding=_coding(c["system"], c["code"])) for c in h["later_codes"]]
    return {"resourceType": "Parameters", "parameter": out}

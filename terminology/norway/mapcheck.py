"""Which targets of a map to ICD-10-NO are not usable codes of a given edition, and why."""
from __future__ import annotations


def _index(codes) -> tuple[dict, str | None]:
    """code -> (reportable, children) from a CodeSystem resource, an index or a plain collection."""
    out: dict[str, tuple[bool, list]] = {}
    version = None
    if isinstance(codes, dict) and codes.get("resourceType") == "CodeSystem":
        version = codes.get("version")
        flat = codes.get("_flat_concepts") or []
        kids: dict[str, list] = {}
        for c in flat:
            for p in c.get("parents") or ():
                kids.setdefault(p, []).append(c["code"])
        for c in flat:
            selectable = not any(p.get("code") == "notSelectable" and p.get("valueBoolean")
                                 for p in c.get("property") or ())
            out[c["code"]] = (selectable, kids.get(c["code"], []))
    elif hasattr(codes, "concepts"):
        version = getattr(codes, "version", None)
        for code, c in codes.concepts.items():
            out[code] = (not c.abstract, list(c.children))
    else:
        out = {c: (True, []) for c in codes}
    return out, version


def missing_targets(conceptmap: dict, codes, target_system: str | None = None) -> list[str]:
    """One note per target code that the edition lacks or holds only as a grouping."""
    idx, version = _index(codes)
    label = f"ICD-10-NO {version}" if version else "the given ICD-10 edition"
    notes = []
    seen = set()
    for g in conceptmap.get("group") or ():
        if target_system and g.get("target") != target_system:
            continue
        for el in g.get("element") or ():
            for t in el.get("target") or ():
                code = t.get("code")
                if not code or code in seen:
                    continue
                got = idx.get(code)
                if got is not None and got[0]:
                    continue
                seen.add(code)
                sources = sorted({e.get("code") for e in g.get("element") or ()
                                  if any(x.get("code") == code for x in e.get("target") or ())})
                src = ", ".join(s for s in sources if s)
                if got is None:
                    notes.append(f"target {code} (from ICPC-2 {src}) is not in {label}; the map row needs a "
                                 f"new target")
                else:
                    kids = ", ".join(got[1][:8]) + (" …" if len(got[1]) > 8 else "")
                    notes.append(f"target {code} (from ICPC-2 {src}) is only a grouping in {label}, not a "
                                 f"reportable code; choose one of its codes: {kids}")
    return notes

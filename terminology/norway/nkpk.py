"""NKPK editions derived from the stored NCMP, NCSP and NCRP editions.

NKPK is the three procedure codebooks as one: a code is valid in NKPK if it is valid in any of them. Only a
procedure table holding several codebooks yields an NKPK edition of its own, so a year loaded from NCMP-only
files (the directorate publishes one list per codebook too) would have none and a date in that year would
resolve to an older NKPK. After every import that touches NCMP, NCSP or NCRP, `derived_changes` builds NKPK Y
for each year Y in which one of the three has an edition and no NKPK Y came from a file: the union of the
latest edition <= Y of each of the three. It is written in the import's own transaction, so every store
backend holds it, a re-import of NCMP Y refreshes it, and answering costs nothing more than any edition. REST
writes (create, update, delete, batch entries) use `derived_changes` the same way, which also deletes a derived
year left with no source edition. Every write path calls it through terminology/derived.py, inside the
write's transaction (store.write's `derive` hook), so two writers of NCMP Y and NCSP Y at once are serialised
and the later one builds NKPK Y on the other's edition.
"""
from __future__ import annotations


from ..codesystem import written_concepts
from ..editions import is_complete, is_year
from ..identifiers import KODEBRO_BASE, NCMP, NCRP, NCSP, NKPK
from ..versions import version_key
from .common import codesystem_header, prop
from .properties import PROCEDURE_PROPERTIES, definitions

# the source editions of a derived NKPK edition, one valueCanonical each; its absence marks an NKPK from a file
BUILT_FROM = KODEBRO_BASE + "/StructureDefinition/nkpk-built-from"
SOURCES = {NCMP: "NCMP", NCSP: "NCSP", NCRP: "NCRP"}


def is_derived(resource: dict) -> bool:
    return any(e.get("url") == BUILT_FROM for e in resource.get("extension") or ())


def derived_changes(store, good: list[dict], removed=()) -> tuple[list[dict], list[tuple[str, str]]]:
    """What keeps the derived NKPK editions in step with a write of `good` that also deletes the stored
    editions `removed` ((url, version) pairs): (NKPK editions to write, (type, id) of derived NKPK editions to
    delete). Every write path (import, REST create/update/delete, batch entries) has store.write call it
    inside its transaction (terminology/derived.py), so NKPK changes in the transaction that changes its
    sources, built from what that transaction reads; `good` wins over the store for the same url|version (it
    is about to replace it). An NKPK from a file (no BUILT_FROM) is never written or deleted here."""
    # an NKPK from a file that is deleted leaves its year to be derived like any other
    nkpk_gone = {v for u, v in removed if u == NKPK and is_year(v)}
    removed = {(u, v) for u, v in removed if u in SOURCES and is_year(v)}
    touched = [(r.get("url"), r.get("version")) for r in good if r.get("resourceType") == "CodeSystem"
               and r.get("url") in SOURCES and is_year(r.get("version"))] + sorted(removed) \
        + [(NKPK, v) for v in sorted(nkpk_gone)]
    if not touched:
        return [], []
    # (url, version) -> (a function giving the edition's flat concepts, its content when known, its store pk)
    editions: dict[tuple, tuple] = {}
    file_nkpk: set[str] = set()
    derived_ids: dict[str, str] = {}        # version -> id of a stored derived NKPK
    for h in (h for url in (*SOURCES, NKPK) for h in store.by_url("CodeSystem", url)):
        if h.url in SOURCES and is_year(h.version) and (h.url, h.version) not in removed:
            editions[(h.url, h.version)] = (_once(lambda pk=h.pk: list(store.concepts(pk))), None, h.pk)
        elif h.url == NKPK and h.version not in nkpk_gone:
            if is_derived(store.body(h.pk) or {}):
                derived_ids[h.version] = h.id
            else:
                file_nkpk.add(h.version)
    for r in good:
        if r.get("resourceType") != "CodeSystem":
            continue
        if r.get("url") in SOURCES and is_year(r.get("version")):
            flat = written_concepts(r)
            editions[(r["url"], r["version"])] = (lambda f=flat: f, r.get("content"), None)
        elif r.get("url") == NKPK and not is_derived(r):
            file_nkpk.add(r.get("version"))
    first = min(int(v) for _u, v in touched)
    years = sorted({v for (_u, v) in editions if int(v) >= first} - file_nkpk, key=int)
    out = []
    for year in years:
        chosen = []
        for url in SOURCES:
            vs = [v for (u, v) in editions if u == url and version_key(v) <= version_key(year)]
            if vs:
                chosen.append((url, max(vs, key=version_key)))
        out.append(_nkpk(store, year, chosen, editions))
    # a derived year none of the three has an edition of any more was built from what is gone
    orphans = [("CodeSystem", rid) for v, rid in derived_ids.items()
               if is_year(v) and int(v) >= first and v not in years and v not in file_nkpk]
    return out, orphans


def _once(read):
    """`read`, called at most once: an edition is the latest up to several years, and read for each."""
    memo = []

    def get():
        if not memo:
            memo.append(read())
        return memo[0]
    return get


def derived_note(cs: dict) -> str:
    """The import report's line for a derived edition."""
    names = []
    for e in cs.get("extension") or ():
        url, _, version = e.get("valueCanonical", "").partition("|")
        names.append(f"{SOURCES.get(url, url)} {version}")
    return f"NKPK {cs.get('version')} built from {', '.join(names)}"


def _content(store, edition) -> str:
    _read, content, pk = edition
    if content is None and pk is not None:
        content = store.body(pk).get("content")
    return content or "complete"


def _nkpk(store, year: str, chosen: list[tuple], editions: dict) -> dict:
    # a code in two codebooks (moved between them): the active one, else the later edition's
    by_code: dict[str, tuple] = {}
    for url, version in chosen:
        for c in editions[(url, version)][0]():
            active = _active(c)
            prev = by_code.get(c["code"])
            if prev is None or (active and not prev[1]) \
                    or (active == prev[1] and version_key(version) > version_key(prev[3])):
                by_code[c["code"]] = (c, active, url, version)
    flat = []
    for code in sorted(by_code):
        c, _active_now, url, _v = by_code[code]
        props = [p for p in c.get("property") or () if p.get("code") != "codebook"]
        flat.append(dict(c, property=props + [prop("codebook", SOURCES[url])]))
    names = ", ".join(f"{SOURCES[u]} {v}" for u, v in chosen)
    missing = [SOURCES[u] for u in SOURCES if u not in dict(chosen)]
    fragment = missing or any(not is_complete(_content(store, editions[k])) for k in chosen)
    why = f"; no edition of {' or '.join(missing)} up to {year} is loaded" if missing else ""
    cs = codesystem_header(NKPK, year, content="fragment" if fragment else "complete",
                           description=f"NKPK {year}: NCMP, NCSP and NCRP as one codebook, built by Kodebro from "
                                       f"the latest loaded edition of each up to {year} ({names}){why}; property "
                                       "codebook names the codebook of each code.",
                           properties=definitions(*PROCEDURE_PROPERTIES), concepts=flat)
    cs["extension"] = [{"url": BUILT_FROM, "valueCanonical": f"{u}|{v}"} for u, v in chosen]
    return cs


def _active(concept: dict) -> bool:
    return not any(p.get("code") == "status" and p.get("valueCode") in ("retired", "inactive")
                   for p in concept.get("property") or ())

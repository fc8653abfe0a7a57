"""The flat concept rows of a finished RF2 release (terminology.snomed.rf2_release.Release).

One row per concept, in the compact private keys SnomedIndex reads (see terminology.snomed.index
for the layout). Rows come from a generator, so the store streams them into its table.
"""
from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, Iterator

from . import constants as K
from .concept_view import pack_descriptions
from .index import csr

if TYPE_CHECKING:
    from .rf2_release import Release

_DESC_ORDER = {("S", "P"): 0, ("F", "P"): 1, ("F", "A"): 1, ("F", ""): 1, ("S", "A"): 2, ("S", ""): 3}


def flat_concepts(rel: Release) -> Iterator[dict]:
    n = len(rel.ids)
    p_start, p_list = csr(n, *rel.isa["relationship"])
    s_start, s_list = csr(n, *rel.isa["stated"])
    d_start, d_list = csr(n, rel.d_concept, array("I", range(len(rel.d_concept))))
    r_start, r_list = csr(n, rel.rel_src, array("I", range(len(rel.rel_src))))
    refsets_of: dict[int, list] = {}
    for refset, members in rel.simple.items():
        for ci in members:
            refsets_of.setdefault(ci, []).append(refset)
    maps_of: dict[int, dict] = {}
    for refset, per in rel.maps.items():
        for ci, rows in per.items():
            maps_of.setdefault(ci, {})[refset] = [list(row[:7]) for row in rows]
    slot_tags = [K.LANGUAGE_REFSETS.get(s) for s in rel.lang_slots]
    ids, modules = rel.ids, rel.modules
    for i in range(n):
        code = str(ids[i])
        inferred = [str(ids[p]) for p in p_list[p_start[i]:p_start[i + 1]]]
        stated = [str(ids[p]) for p in s_list[s_start[i]:s_start[i + 1]]]
        parents = inferred or stated
        descs = []
        display = None
        best = 9
        for di in d_list[d_start[i]:d_start[i + 1]]:
            if not rel.d_type[di]:
                continue      # inactivated by its newest row
            term = rel.d_term[di]
            t = chr(rel.d_type[di])
            acc = rel.d_acc[di]
            raw_lang = rel.langs[rel.d_lang[di]]
            if not acc:
                descs.append([term, raw_lang, t, ""])
                rank = 8 if t == "F" else 7
            else:
                rank = 9
                for s, tag in enumerate(slot_tags):
                    a = (acc >> (2 * s)) & 3
                    if not a:
                        continue
                    tag = tag or raw_lang
                    descs.append([term, tag, t, "P" if a == 2 else "A"])
                    if t == "S" and a == 2:
                        rank = min(rank, {"en-US": 0, "en-GB": 1}.get(tag, 3 if tag.startswith("en") else 4))
                    elif t == "F":
                        rank = min(rank, 6)
            if rank < best:
                best, display = rank, term
        # preferred synonyms first: terminology.languages picks the first fitting designation
        descs.sort(key=lambda d: _DESC_ORDER.get((d[2], d[3]), 5))
        row = {"code": code, "display": display,
               "_s": [rel.active[i], modules[rel.module[i]], rel.eff[i], rel.defined[i]],
               "_d": pack_descriptions(descs)}
        if parents:
            row["parents"] = parents
        if stated and stated != inferred:
            row["_st"] = stated
        rels = [[rel.rel_group[k], rel.rel_type[k], rel.rel_dest[k]] for k in r_list[r_start[i]:r_start[i + 1]]]
        if rels:
            row["_r"] = rels
        if i in refsets_of:
            row["_rs"] = refsets_of[i]
        if i in maps_of:
            row["_m"] = maps_of[i]
        if i in rel.assoc:
            row["_a"] = [list(a) for a in rel.assoc[i]]
        if i in rel.reason:
            row["_x"] = rel.reason[i]
        yield row
        if (i + 1) % 100_000 == 0:
            rel.say(f"wrote {i + 1:,} of {n:,} concepts")

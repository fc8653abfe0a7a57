"""Writes the two-folder RF2 release beside this file: an international release (20250101) and a
Norwegian extension (20250415) whose rows change or retire components of the first.

Run from anywhere: `python tests/data/snomed/multimodule/make_multimodule.py`; re-running gives
the same files. tests/snomed/test_multimodule.py loads the ids below from this file, so the tests
and the rows agree on what each id means.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))
from scripts.gen_rf2 import verhoeff  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INT_DIR = "SnomedCT_InternationalRF2_PRODUCTION_20250101T120000Z"
NO_DIR = "SnomedCT_ManagedServiceNO_PRODUCTION_NO1000202_20250415T120000Z"
INT, NO, MAPMOD = "900000000000207008", "51000202101", "449080006"
D_INT, D_NO = "20250101", "20250415"
US, GB, NB = "900000000000509007", "900000000000508004", "61000202103"
PREF, ACC = "900000000000548007", "900000000000549004"
FSN, SYN = "900000000000003001", "900000000000013009"
ISA, INFERRED, STATED = "116680003", "900000000000011006", "900000000000010007"
FINDING_SITE, LUNG = "363698007", "39607008"
REPLACED_BY, SAME_AS = "900000000000526001", "900000000000527005"
ICD10_MAP, TERMBANK = "447562003", "88161000202101"
H = "id\teffectiveTime\tactive\tmoduleId"
HEADERS = {
    "concept": H + "\tdefinitionStatusId",
    "description": H + "\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId",
    "relationship": H + "\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId",
    "language": H + "\trefsetId\treferencedComponentId\tacceptabilityId",
    "association": H + "\trefsetId\treferencedComponentId\ttargetComponentId",
    "simple": H + "\trefsetId\treferencedComponentId",
    "extmap": H + "\trefsetId\treferencedComponentId\tmapGroup\tmapPriority\tmapRule\tmapAdvice\tmapTarget"
                  "\tcorrelationId\tmapCategoryId",
}


def sctid(item: int, partition: str) -> str:
    body = f"{item}{partition}"
    return body + verhoeff(body)


def noid(item: int, partition: str) -> str:
    """An id in the Norwegian namespace 1000202 (partition 10 concept, 11 description, 12 relationship)."""
    return sctid(item, "1000202" + partition)


def member(n: int) -> str:
    return f"00000000-0000-4000-9000-{n:012d}"


# concepts
ROOT, FINDING, DISEASE = "138875005", "404684003", "64572001"
PNEUMONIA, VIRAL, CHEST_PAIN, ASTHMA = "233604007", "75570004", "29857009", "195967001"
OLD_VIRAL = "155574008"                 # inactive: REPLACED BY viral pneumonia, repointed by NO
OLD_PAIN = sctid(99991, "00")           # inactive: SAME AS chest pain, association retired by NO
# descriptions whose later rows matter
D_VIRAL_PT = sctid(9001, "01")          # "Viral pneumonia": NO changes the term
D_LUNG_INFL = sctid(9002, "01")         # "Lung inflammation" synonym of pneumonia: NO inactivates it
D_CHEST_PT = sctid(9003, "01")          # "Chest pain": en-US preferred -> acceptable, en-GB member retired
D_THORACIC = sctid(9004, "01")          # "Thoracic pain": en-US acceptable -> preferred
NEW_VIRAL_TERM = "Pneumonia caused by virus"
# relationships NO inactivates
R_ASTHMA_PNEUMONIA = sctid(9101, "02")  # inferred is-a, wrong on purpose
S_ASTHMA_PNEUMONIA = sctid(9102, "02")  # the same as a stated is-a
R_PNEUMONIA_SITE = sctid(9103, "02")    # finding site = lung
# refset members
L_CHEST_US, L_CHEST_GB, L_THORACIC_US = member(501), member(502), member(503)
A_OLD_VIRAL, A_OLD_VIRAL_NEW, A_OLD_PAIN = member(601), member(602), member(603)
M_PNEUMONIA, M_VIRAL, M_CHEST = member(701), member(702), member(703)
T_CHEST, T_ASTHMA, T_PNEUMONIA = member(801), member(802), member(803)


def write(folder: str, tag: str, date: str, kind: str, name: str, sub: str, rows) -> None:
    path = os.path.join(HERE, folder, "Snapshot", sub)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name.format(tag=tag, date=date)), "w", newline="") as f:
        f.write(HEADERS[kind] + "\r\n")
        for r in rows:
            f.write("\t".join(r) + "\r\n")


def international() -> dict:
    concepts = [  # id, active, parents, fsn, pt
        (ROOT, "1", [], "SNOMED CT Concept (SNOMED RT+CTV3)", "SNOMED CT Concept"),
        (FINDING, "1", [ROOT], "Clinical finding (finding)", "Clinical finding"),
        (DISEASE, "1", [FINDING], "Disease (disorder)", "Disease"),
        (PNEUMONIA, "1", [DISEASE], "Pneumonia (disorder)", "Pneumonia"),
        (VIRAL, "1", [PNEUMONIA], "Viral pneumonia (disorder)", None),
        (CHEST_PAIN, "1", [FINDING], "Chest pain (finding)", None),
        (ASTHMA, "1", [DISEASE, PNEUMONIA], "Asthma (disorder)", "Asthma"),
        (LUNG, "1", [ROOT], "Lung structure (body structure)", "Lung structure"),
        (OLD_VIRAL, "0", [], "Virus pneumonia (disorder)", "Virus pneumonia"),
        (OLD_PAIN, "0", [], "Pain in chest (finding)", "Pain in chest"),
    ]
    c, d, l, r, s = [], [], [], [], []
    n = [9200]

    def next_id(partition):
        n[0] += 1
        return sctid(n[0], partition)

    def lang(desc, acc, members=None):
        for refset, uid in zip((US, GB), members or (None, None)):
            l.append((uid or member(len(l) + 1000), D_INT, "1", INT, refset, desc, acc))

    for cid, active, parents, fsn, pt in concepts:
        c.append((cid, D_INT, active, INT, "900000000000074008"))
        f = next_id("01")
        d.append((f, D_INT, "1", INT, cid, "en", FSN, fsn, "900000000000448009"))
        lang(f, PREF)
        if pt:
            p = next_id("01")
            d.append((p, D_INT, "1", INT, cid, "en", SYN, pt, "900000000000448009"))
            lang(p, PREF)
        for dest in parents if active == "1" else ():
            rid = R_ASTHMA_PNEUMONIA if (cid, dest) == (ASTHMA, PNEUMONIA) else next_id("02")
            sid = S_ASTHMA_PNEUMONIA if (cid, dest) == (ASTHMA, PNEUMONIA) else next_id("02")
            r.append((rid, D_INT, "1", INT, cid, dest, "0", ISA, INFERRED, "900000000000451002"))
            s.append((sid, D_INT, "1", INT, cid, dest, "0", ISA, STATED, "900000000000451002"))
    d += [(D_VIRAL_PT, D_INT, "1", INT, VIRAL, "en", SYN, "Viral pneumonia", "900000000000448009"),
          (D_LUNG_INFL, D_INT, "1", INT, PNEUMONIA, "en", SYN, "Lung inflammation", "900000000000448009"),
          (D_CHEST_PT, D_INT, "1", INT, CHEST_PAIN, "en", SYN, "Chest pain", "900000000000448009"),
          (D_THORACIC, D_INT, "1", INT, CHEST_PAIN, "en", SYN, "Thoracic pain", "900000000000448009")]
    lang(D_VIRAL_PT, PREF)
    lang(D_LUNG_INFL, ACC)
    lang(D_CHEST_PT, PREF, (L_CHEST_US, L_CHEST_GB))
    lang(D_THORACIC, ACC, (L_THORACIC_US, None))
    r.append((R_PNEUMONIA_SITE, D_INT, "1", INT, PNEUMONIA, LUNG, "1", FINDING_SITE, INFERRED, "900000000000451002"))
    return {
        "concept": c, "description": d, "language": l, "relationship": r, "stated": s,
        "association": [(A_OLD_VIRAL, D_INT, "1", INT, REPLACED_BY, OLD_VIRAL, VIRAL),
                        (A_OLD_PAIN, D_INT, "1", INT, SAME_AS, OLD_PAIN, CHEST_PAIN)],
        "extmap": [(m, D_INT, "1", MAPMOD, ICD10_MAP, cid, "1", "1", "TRUE", f"ALWAYS {t}", t, "447561005",
                    "447637006")
                   for m, cid, t in ((M_PNEUMONIA, PNEUMONIA, "J18.9"), (M_VIRAL, VIRAL, "J12.9"),
                                     (M_CHEST, CHEST_PAIN, "R07.4"))],
        # an earlier Norwegian term-bank release travels in this folder too
        "simple": [(m, D_INT, "1", NO, TERMBANK, cid)
                   for m, cid in ((T_CHEST, CHEST_PAIN), (T_ASTHMA, ASTHMA), (T_PNEUMONIA, PNEUMONIA))],
    }


def norwegian() -> dict:
    nb = [(noid(n, "11"), cid, term)
          for n, cid, term in ((1, PNEUMONIA, "lungebetennelse"), (2, VIRAL, "viral lungebetennelse"),
                               (3, CHEST_PAIN, "brystsmerter"))]
    return {
        "concept": [(TERMBANK, D_NO, "1", NO, "900000000000074008")],
        "description": [(did, D_NO, "1", NO, cid, "no", SYN, term, "900000000000448009") for did, cid, term in nb]
        + [(noid(9301, "11"), D_NO, "1", NO, TERMBANK, "en", FSN,
            "Term bank reference set (foundation metadata concept)", "900000000000448009"),
           # a later row of an international description: new wording, and a retirement
           (D_VIRAL_PT, D_NO, "1", INT, VIRAL, "en", SYN, NEW_VIRAL_TERM, "900000000000448009"),
           (D_LUNG_INFL, D_NO, "0", INT, PNEUMONIA, "en", SYN, "Lung inflammation", "900000000000448009")],
        "language": [(member(900 + i), D_NO, "1", NO, NB, did, PREF) for i, (did, _c, _t) in enumerate(nb)]
        + [(L_CHEST_US, D_NO, "1", INT, US, D_CHEST_PT, ACC),
           (L_CHEST_GB, D_NO, "0", INT, GB, D_CHEST_PT, PREF),
           (L_THORACIC_US, D_NO, "1", INT, US, D_THORACIC, PREF)],
        "relationship": [
            (R_ASTHMA_PNEUMONIA, D_NO, "0", INT, ASTHMA, PNEUMONIA, "0", ISA, INFERRED, "900000000000451002"),
            (R_PNEUMONIA_SITE, D_NO, "0", INT, PNEUMONIA, LUNG, "1", FINDING_SITE, INFERRED, "900000000000451002"),
            (noid(9302, "12"), D_NO, "1", NO, TERMBANK, ROOT, "0", ISA, INFERRED,
             "900000000000451002")],
        "stated": [(S_ASTHMA_PNEUMONIA, D_NO, "0", INT, ASTHMA, PNEUMONIA, "0", ISA, STATED, "900000000000451002")],
        "association": [(A_OLD_VIRAL, D_NO, "0", INT, REPLACED_BY, OLD_VIRAL, VIRAL),
                        (A_OLD_VIRAL_NEW, D_NO, "1", NO, REPLACED_BY, OLD_VIRAL, PNEUMONIA),
                        (A_OLD_PAIN, D_NO, "0", INT, SAME_AS, OLD_PAIN, CHEST_PAIN)],
        "extmap": [(M_PNEUMONIA, D_NO, "0", MAPMOD, ICD10_MAP, PNEUMONIA, "1", "1", "TRUE", "ALWAYS J18.9", "J18.9",
                    "447561005", "447637006"),
                   (M_VIRAL, D_NO, "1", MAPMOD, ICD10_MAP, VIRAL, "1", "1", "TRUE", "ALWAYS J12.8", "J12.8",
                    "447561005", "447637006")],
        "simple": [(T_ASTHMA, D_NO, "0", NO, TERMBANK, ASTHMA)],
    }


FILES = [  # kind in the dicts above, file name, sub-folder, header kind
    ("concept", "sct2_Concept_Snapshot_{tag}_{date}.txt", "Terminology", "concept"),
    ("description", "sct2_Description_Snapshot-en_{tag}_{date}.txt", "Terminology", "description"),
    ("relationship", "sct2_Relationship_Snapshot_{tag}_{date}.txt", "Terminology", "relationship"),
    ("stated", "sct2_StatedRelationship_Snapshot_{tag}_{date}.txt", "Terminology", "relationship"),
    ("language", "der2_cRefset_LanguageSnapshot-en_{tag}_{date}.txt", "Refset/Language", "language"),
    ("association", "der2_cRefset_AssociationSnapshot_{tag}_{date}.txt", "Refset/Content", "association"),
    ("simple", "der2_Refset_SimpleSnapshot_{tag}_{date}.txt", "Refset/Content", "simple"),
    ("extmap", "der2_iisssccRefset_ExtendedMapSnapshot_{tag}_{date}.txt", "Refset/Map", "extmap"),
]


def main() -> None:
    for folder, tag, date, rows in ((INT_DIR, "INT", D_INT, international()),
                                    (NO_DIR, "NO1000202", D_NO, norwegian())):
        for kind, name, sub, header in FILES:
            write(folder, tag, date, header, name, sub, rows[kind])


if __name__ == "__main__":
    main()

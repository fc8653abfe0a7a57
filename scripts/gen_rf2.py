"""Generate a synthetic SNOMED CT RF2 release (Snapshot) with the shape and size of the Norwegian edition.

    python -m scripts.gen_rf2 OUT_DIR [--scale 1.0] [--seed 7]

At scale 1.0: 370,000 active concepts, 30,000 inactive ones with historical
associations and inactivation reasons, about 1.6 million descriptions in
English (en-US/en-GB refsets), bokmål and nynorsk, about 1.1 million is-a
relationships (inferred + stated), about 250,000 SNOMED CT -> ICD-10 extended
map rows with the rule kinds of the real map (TRUE, age, sex, other finding,
AND, OTHERWISE TRUE with empty targets, several groups) including Norwegian
rows that override international ones, an ICPC-2 simple map and the term-bank
refset 88161000202101. Identifiers carry valid Verhoeff check digits; terms
are built from small word lists, so they are nonsense but searchable.

Two modules are written as two sub-releases (international and Norwegian)
under OUT_DIR, the way an edition is shipped; `kodebro import --format rf2
OUT_DIR` reads both. As in real releases, some rows are inactive (retired
descriptions, language refset members and is-a rows) and the Norwegian
sub-release carries later rows of international components: revised terms
(1 % of concepts), retired synonyms and is-a rows, so an import must let the
newest row of each id win. These come from their own random stream, so the
rest of the release has the same terms and hierarchy as without them (its
component ids differ: the later rows take ids from the same counters).
"""
from __future__ import annotations

import argparse
import os
import random
import time

INT, NO, MAPMOD, MODEL = "900000000000207008", "51000202101", "449080006", "900000000000012004"
DATE_INT, DATE_NO = "20250101", "20250415"
FSN, SYN, DEF = "900000000000003001", "900000000000013009", "900000000000550004"
PREF, ACC = "900000000000548007", "900000000000549004"
US, GB, NB, NN = "900000000000509007", "900000000000508004", "61000202103", "91000202106"
ISA, INFERRED, STATED = "116680003", "900000000000011006", "900000000000010007"
ROOT = "138875005"
TOP = [("404684003", "Clinical finding", "finding", "Klinisk funn"),
       ("71388002", "Procedure", "procedure", "Prosedyre"),
       ("123037004", "Body structure", "body structure", "Kroppsstruktur"),
       ("105590001", "Substance", "substance", "Substans"),
       ("373873005", "Pharmaceutical / biologic product", "product", "Legemiddel"),
       ("363787002", "Observable entity", "observable entity", "Observerbar enhet"),
       ("410607006", "Organism", "organism", "Organisme"),
       ("362981000", "Qualifier value", "qualifier value", "Kvalifikator"),
       ("243796009", "Situation with explicit context", "situation", "Situasjon"),
       ("48176007", "Social context", "social concept", "Sosial kontekst"),
       ("272379006", "Event", "event", "Hendelse"),
       ("123038009", "Specimen", "specimen", "Prøve"),
       ("260787004", "Physical object", "physical object", "Fysisk objekt"),
       ("900000000000441003", "SNOMED CT Model Component", "metadata", "Modellkomponent")]
# share of generated concepts per top-level hierarchy (clinical finding biggest, like SNOMED CT)
SHARE = [0.35, 0.17, 0.1, 0.07, 0.09, 0.04, 0.04, 0.03, 0.02, 0.02, 0.02, 0.02, 0.02, 0.01]

EN_ADJ = ["acute", "chronic", "viral", "bacterial", "congenital", "traumatic", "recurrent", "benign", "malignant",
          "primary", "secondary", "allergic", "infectious", "toxic", "hereditary", "idiopathic", "severe", "mild",
          "diabetic", "hypertensive", "neonatal", "postoperative", "degenerative", "inflammatory", "ischemic"]
EN_NOUN = ["pneumonia", "fracture", "infection", "ulcer", "inflammation", "neoplasm", "cyst", "hemorrhage",
           "stenosis", "edema", "pain", "lesion", "abscess", "hernia", "dysplasia", "injury", "disorder",
           "syndrome", "deficiency", "obstruction", "insufficiency", "dislocation", "atrophy", "fibrosis", "anomaly"]
EN_SITE = ["lung", "liver", "kidney", "heart", "femur", "skin", "stomach", "colon", "brain", "eye", "ear", "knee",
           "shoulder", "bladder", "pancreas", "thyroid", "spine", "hip", "ankle", "wrist", "trachea", "bronchus",
           "esophagus", "ovary", "prostate", "uterus", "aorta", "artery", "vein", "muscle"]
NO_ADJ = ["akutt", "kronisk", "viral", "bakteriell", "medfødt", "traumatisk", "residiverende", "benign", "malign",
          "primær", "sekundær", "allergisk", "infeksiøs", "toksisk", "arvelig", "idiopatisk", "alvorlig", "lett",
          "diabetisk", "hypertensiv", "neonatal", "postoperativ", "degenerativ", "inflammatorisk", "iskemisk"]
NO_NOUN = ["lungebetennelse", "brudd", "infeksjon", "sår", "betennelse", "svulst", "cyste", "blødning",
           "forsnevring", "ødem", "smerte", "lesjon", "abscess", "brokk", "dysplasi", "skade", "lidelse",
           "syndrom", "mangel", "obstruksjon", "svikt", "luksasjon", "atrofi", "fibrose", "anomali"]
NO_SITE = ["lunge", "lever", "nyre", "hjerte", "lårben", "hud", "mage", "tykktarm", "hjerne", "øye", "øre", "kne",
           "skulder", "urinblære", "bukspyttkjertel", "skjoldbruskkjertel", "ryggsøyle", "hofte", "ankel",
           "håndledd", "luftrør", "bronkie", "spiserør", "eggstokk", "prostata", "livmor", "aorta", "arterie",
           "vene", "muskel"]
_NN = {"hjerte": "hjarte", "øye": "auge", "hjerne": "hjerne", "mage": "mage", "urinblære": "urinblære",
       "luftrør": "luftrøyr", "spiserør": "spiserøyr", "livmor": "livmor", "lårben": "lårbein"}
NN_SITE = [_NN.get(s, s) for s in NO_SITE]
ICD_CHAPTERS = "ABCDEGHIJKLMNOQRST"
ASSOC = [("900000000000526001", 0.55), ("900000000000527005", 0.2), ("900000000000523009", 0.15),
         ("900000000000528000", 0.1)]
REASONS = ["900000000000482003", "900000000000483008", "900000000000484002", "900000000000485001",
           "900000000000495008"]

# Verhoeff check digit tables
_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
      [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
      [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
      [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
      [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff(digits: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][ord(ch) - 48]]
    return str(_INV[c])


class Ids:
    """SCTIDs: item number + partition (00 concept, 01 description, 02 relationship; 10/11/12 extension
    with namespace 1000202 for the Norwegian module) + check digit."""

    def __init__(self, start: int):
        self.n = start

    def make(self, partition: str, norwegian: bool = False) -> str:
        self.n += 1
        body = f"{self.n}1000202{partition.replace('0', '1', 1)}" if norwegian else f"{self.n}{partition}"
        return body + verhoeff(body)


def uuidish(n: int) -> str:
    return f"{n:08x}-{(n >> 32) & 0xffff:04x}-4000-8000-{n * 2654435761 % (1 << 48):012x}"


class Writer:
    def __init__(self, root: str, folder: str, name: str, header: str):
        path = os.path.join(root, folder)
        os.makedirs(path, exist_ok=True)
        self.fh = open(os.path.join(path, name), "w", encoding="utf-8", newline="")
        self.fh.write(header + "\r\n")
        self.buf: list[str] = []
        self.rows = 0

    def row(self, *fields) -> None:
        self.buf.append("\t".join(fields))
        self.rows += 1
        if len(self.buf) >= 20000:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            self.fh.write("\r\n".join(self.buf) + "\r\n")
            self.buf.clear()

    def close(self) -> None:
        self.flush()
        self.fh.close()


def _files(out: str, pkg: str, tag: str, date: str) -> dict:
    root = os.path.join(out, pkg, "Snapshot")
    H = "id\teffectiveTime\tactive\tmoduleId"
    lang = "no" if tag.startswith("NO") else "en"
    return {
        "concept": Writer(root, "Terminology", f"sct2_Concept_Snapshot_{tag}_{date}.txt", H + "\tdefinitionStatusId"),
        "desc": Writer(root, "Terminology", f"sct2_Description_Snapshot-{lang}_{tag}_{date}.txt",
                       H + "\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId"),
        "rel": Writer(root, "Terminology", f"sct2_Relationship_Snapshot_{tag}_{date}.txt",
                      H + "\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId"),
        "stated": Writer(root, "Terminology", f"sct2_StatedRelationship_Snapshot_{tag}_{date}.txt",
                         H + "\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId"),
        "lang": Writer(root, "Refset/Language", f"der2_cRefset_LanguageSnapshot-{lang}_{tag}_{date}.txt",
                       H + "\trefsetId\treferencedComponentId\tacceptabilityId"),
        "assoc": Writer(root, "Refset/Content", f"der2_cRefset_AssociationSnapshot_{tag}_{date}.txt",
                        H + "\trefsetId\treferencedComponentId\ttargetComponentId"),
        "attr": Writer(root, "Refset/Content", f"der2_cRefset_AttributeValueSnapshot_{tag}_{date}.txt",
                       H + "\trefsetId\treferencedComponentId\tvalueId"),
        "simple": Writer(root, "Refset/Content", f"der2_Refset_SimpleSnapshot_{tag}_{date}.txt",
                         H + "\trefsetId\treferencedComponentId"),
        "smap": Writer(root, "Refset/Map", f"der2_sRefset_SimpleMapSnapshot_{tag}_{date}.txt",
                       H + "\trefsetId\treferencedComponentId\tmapTarget"),
        "emap": Writer(root, "Refset/Map", f"der2_iisssccRefset_ExtendedMapSnapshot_{tag}_{date}.txt",
                       H + "\trefsetId\treferencedComponentId\tmapGroup\tmapPriority\tmapRule\tmapAdvice\tmapTarget"
                           "\tcorrelationId\tmapCategoryId"),
    }


def _icd(rnd) -> str:
    return f"{rnd.choice(ICD_CHAPTERS)}{rnd.randrange(100):02d}.{rnd.randrange(10)}"


AGE = "IFA 445518008 | Age at onset of clinical finding (observable entity) |"
FEMALE, MALE = "IFA 248152002 | Female (finding) |", "IFA 248153007 | Male (finding) |"


def _map_rows(rnd, cid: str, other_finding: str) -> list[tuple]:
    """Rows (group, priority, rule, advice, target, category) in the patterns of the real map."""
    t = _icd(rnd)
    k = rnd.random()
    if k < 0.35:
        return [(1, 1, "TRUE", f"ALWAYS {t}", t, "447637006")]
    if k < 0.6:
        t2 = _icd(rnd)
        return [(1, 1, "TRUE", f"ALWAYS {t}", t, "447637006"), (2, 1, "TRUE", f"ALWAYS {t2}", t2, "447637006")]
    if k < 0.72:
        young = _icd(rnd)
        return [(1, 1, f"{AGE} < 19.0 years", f"IF AGE AT ONSET OF CLINICAL FINDING BEFORE 19.0 YEARS CHOOSE {young}"
                 " | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", young, "447639009"),
                (1, 2, "OTHERWISE TRUE", f"ALWAYS {t}", t, "447639009")]
    if k < 0.78:
        nb = "P" + f"{rnd.randrange(100):02d}.{rnd.randrange(10)}"
        return [(1, 1, f"{AGE} < 28.0 days", f"IF AGE AT ONSET OF CLINICAL FINDING BEFORE 28.0 DAYS CHOOSE {nb}"
                 " | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", nb, "447639009"),
                (1, 2, "OTHERWISE TRUE", f"ALWAYS {t}", t, "447639009")]
    if k < 0.84:
        f, m = _icd(rnd), _icd(rnd)
        return [(1, 1, FEMALE, f"IF FEMALE CHOOSE {f} | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", f, "447639009"),
                (1, 2, MALE, f"IF MALE CHOOSE {m} | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", m, "447639009"),
                (1, 3, "OTHERWISE TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "",
                 "447638001")]
    if k < 0.9:
        a, b = _icd(rnd), _icd(rnd)
        return [(1, 1, f"{AGE} >= 12.0 years AND {AGE} < 19.0 years",
                 f"IF AGE AT ONSET OF CLINICAL FINDING ON OR AFTER 12.0 YEARS AND IF AGE AT ONSET OF CLINICAL FINDING "
                 f"BEFORE 19.0 YEARS CHOOSE {a} | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", a, "447639009"),
                (1, 2, f"{AGE} < 12.0 years", f"IF AGE AT ONSET OF CLINICAL FINDING BEFORE 12.0 YEARS CHOOSE {b}",
                 b, "447639009"),
                (1, 3, "OTHERWISE TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "",
                 "447638001")]
    if k < 0.95:
        o = _icd(rnd)
        return [(1, 1, f"IFA {other_finding} | Finding (finding) |",
                 f"IF FINDING CHOOSE {o} | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", o, "447639009"),
                (1, 2, "OTHERWISE TRUE", f"ALWAYS {t}", t, "447639009"),
                (2, 1, "TRUE", "POSSIBLE REQUIREMENT FOR ADDITIONAL CODE TO FULLY DESCRIBE DISEASE OR CONDITION",
                 _icd(rnd), "447637006")]
    return [(1, 1, "TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "", "447638001")]


def generate(out: str, scale: float = 1.0, seed: int = 7, quiet: bool = False) -> dict:
    rnd = random.Random(seed)
    later = random.Random(seed + 1)      # retired content and later rows (see the module docstring)
    n_later = [0]
    t0 = time.monotonic()
    n_active = max(200, int(370_000 * scale))
    n_inactive = max(20, int(30_000 * scale))
    n_no = max(20, int(8_000 * scale))          # concepts authored in the Norwegian module
    target_map_rows = int(250_000 * scale)
    w_int = _files(out, "SnomedCT_InternationalRF2_PRODUCTION_" + DATE_INT + "T120000Z", "INT", DATE_INT)
    w_no = _files(out, "SnomedCT_ManagedServiceNO_PRODUCTION_NO1000202_" + DATE_NO + "T120000Z", "NO1000202",
                  DATE_NO)
    # item numbers from 10 million: shorter generated ids could collide with the real ids used above
    cids, dids, rids = Ids(10_000_000), Ids(10_000_000), Ids(10_000_000)
    member = [0]

    def uid() -> str:
        member[0] += 1
        return uuidish(member[0])

    def describe(w, cid: str, module: str, eff: str, en: str, semtag: str, nb: str | None, nn: str | None,
                 norwegian: bool) -> None:
        """FSN + en PT (US and GB) + sometimes an en synonym; nb and nn PT in the Norwegian module."""
        d = dids.make("01", norwegian)
        w["desc"].row(d, eff, "1", module, cid, "en", FSN, f"{en[0].upper()}{en[1:]} ({semtag})", "900000000000448009")
        w["lang"].row(uid(), eff, "1", module, US, d, PREF)
        w["lang"].row(uid(), eff, "1", module, GB, d, PREF)
        d = dids.make("01", norwegian)
        w["desc"].row(d, eff, "1", module, cid, "en", SYN, f"{en[0].upper()}{en[1:]}", "900000000000448009")
        w["lang"].row(uid(), eff, "1", module, US, d, PREF)
        w["lang"].row(uid(), eff, "1", module, GB, d, PREF)
        if not norwegian and later.random() < 0.01:
            # a revised wording of the international preferred term, dated with the Norwegian release
            w_no["desc"].row(d, DATE_NO, "1", module, cid, "en", SYN, f"{en[0].upper()}{en[1:]} revised",
                             "900000000000448009")
            n_later[0] += 1
        if not norwegian and later.random() < 0.05:
            old = dids.make("01")
            w["desc"].row(old, "20020131", "0", module, cid, "en", SYN, f"{en} old", "900000000000448009")
            w["lang"].row(uid(), "20020131", "0", module, US, old, ACC)
        if rnd.random() < 0.15:
            d = dids.make("01", norwegian)
            w["desc"].row(d, eff, "1", module, cid, "en", SYN, f"{en} NOS", "900000000000448009")
            m = uid()
            w["lang"].row(m, eff, "1", module, US, d, ACC)
            if not norwegian and later.random() < 0.2:
                # retired by a later release: the description and its acceptability
                w_no["desc"].row(d, DATE_NO, "0", module, cid, "en", SYN, f"{en} NOS", "900000000000448009")
                w_no["lang"].row(m, DATE_NO, "0", module, US, d, ACC)
                n_later[0] += 2
        if nb:
            wn = w_no
            d = dids.make("01", True)
            wn["desc"].row(d, DATE_NO, "1", NO, cid, "no", SYN, nb, "900000000000448009")
            wn["lang"].row(uid(), DATE_NO, "1", NO, NB, d, PREF)
            if nn:
                # nynorsk has its own description even where the text is the same as in bokmål
                d = dids.make("01", True)
                wn["desc"].row(d, DATE_NO, "1", NO, cid, "no", SYN, nn, "900000000000448009")
            wn["lang"].row(uid(), DATE_NO, "1", NO, NN, d, PREF)
            if rnd.random() < 0.1:
                d = dids.make("01", True)
                wn["desc"].row(d, DATE_NO, "1", NO, cid, "no", SYN, nb.split(" ")[-1], "900000000000448009")
                wn["lang"].row(uid(), DATE_NO, "1", NO, NB, d, ACC)

    def isa(w, module: str, eff: str, src: str, dst: str, stated: bool) -> None:
        w["stated" if stated else "rel"].row(rids.make("02"), eff, "1", module, src, dst, "0", ISA,
                                              STATED if stated else INFERRED, "900000000000451002")

    # root, top level hierarchies and the metadata concepts the release refers to
    wi = w_int
    wi["concept"].row(ROOT, DATE_INT, "1", INT, "900000000000074008")
    describe(wi, ROOT, INT, DATE_INT, "SNOMED CT Concept", "SNOMED RT+CTV3", "SNOMED CT-begrep", None, False)
    tops = []
    for cid, en, tag, nb in TOP:
        wi["concept"].row(cid, DATE_INT, "1", INT, "900000000000074008")
        describe(wi, cid, INT, DATE_INT, en, tag, nb, nb, False)
        isa(wi, INT, DATE_INT, cid, ROOT, False)
        isa(wi, INT, DATE_INT, cid, ROOT, True)
        tops.append(cid)
    extra_meta = [("446609009", "Simple type reference set", "foundation metadata concept", None),
                  ("447562003", "ICD-10 complex map reference set", "foundation metadata concept", None),
                  ("88161000202101", "Helseplattformen termbank reference set", "foundation metadata concept", "Termbank"),
                  ("68101000202102", "SNOMED CT to ICPC-2 simple map", "foundation metadata concept", None),
                  ("61000202103", "Norwegian Bokmål language reference set", "foundation metadata concept", None),
                  ("91000202106", "Norwegian Nynorsk language reference set", "foundation metadata concept", None),
                  ("248152002", "Female", "finding", "Kvinne"), ("248153007", "Male", "finding", "Mann"),
                  ("445518008", "Age at onset of clinical finding", "observable entity", "Alder ved debut")]
    for cid, en, tag, nb in extra_meta:
        w = w_no if cid.endswith(("202101", "202102", "202103", "202106")) else wi
        module = NO if w is w_no else INT
        eff = DATE_NO if w is w_no else DATE_INT
        w["concept"].row(cid, eff, "1", module, "900000000000074008")
        describe(w, cid, module, eff, en, tag, nb, nb, w is w_no)
        isa(w, module, eff, cid, "900000000000441003" if tag.startswith("foundation") else "404684003", False)
    # generated concepts, hierarchy by hierarchy
    all_ids: list[str] = []
    counts = [int(n_active * s) for s in SHARE]
    counts[0] += n_active - sum(counts) - len(TOP) - len(extra_meta) - 1
    n_isa = 0
    findings = []
    for h, cnt in enumerate(counts):
        start = len(all_ids)
        top = tops[h]
        semtag = TOP[h][2]
        for k in range(cnt):
            norwegian = rnd.random() < n_no / n_active
            w = w_no if norwegian else wi
            module = NO if norwegian else INT
            eff = DATE_NO if norwegian else str(rnd.choice((2002, 2010, 2015, 2020, 2024))) + "0131"
            cid = cids.make("00", norwegian)
            defined = rnd.random() < 0.3
            w["concept"].row(cid, eff, "1", module, "900000000000073002" if defined else "900000000000074008")
            a, n_, s = rnd.randrange(25), rnd.randrange(25), rnd.randrange(30)
            en = f"{EN_ADJ[a]} {EN_NOUN[n_]} of {EN_SITE[s]} {k % 97}"
            nb = f"{NO_ADJ[a]} {NO_NOUN[n_]} i {NO_SITE[s]} {k % 97}"
            nn = f"{NO_ADJ[a]} {NO_NOUN[n_]} i {NN_SITE[s]} {k % 97}"
            describe(w, cid, module, eff, en, semtag, nb, nn, norwegian)
            if k == 0:
                parents = [top]
            else:
                # a uniformly chosen earlier concept: mean depth grows with ln(size), about 12 levels
                # for the 130,000 clinical findings, as in SNOMED CT
                p1 = all_ids[start + int((k - 1) * rnd.random())]
                parents = [p1]
                if rnd.random() < 0.6 and k > 5:
                    p2 = all_ids[start + rnd.randrange(k - 1)]
                    if p2 != p1:
                        parents.append(p2)
            for p in parents:
                isa(w, module, eff, cid, p, False)
                n_isa += 1
            if not norwegian and k and later.random() < 0.12:
                # an is-a to the top of the hierarchy that the classifier retired, now or in a later release
                rid = rids.make("02")
                retired_now = later.random() < 0.8
                wi["rel"].row(rid, eff, "0" if retired_now else "1", INT, cid, top, "0", ISA, INFERRED,
                              "900000000000451002")
                if not retired_now:
                    w_no["rel"].row(rid, DATE_NO, "0", INT, cid, top, "0", ISA, INFERRED, "900000000000451002")
                    n_later[0] += 1
            # stated form: the first parent, sometimes the top of the hierarchy
            stated = parents[:1] if rnd.random() < 0.9 else [top]
            for p in stated + (parents[1:2] if rnd.random() < 0.7 else []):
                isa(w, module, eff, cid, p, True)
                n_isa += 1
            all_ids.append(cid)
            if h in (0, 8, 9, 10):   # clinical findings, situations, social context, events are mapped
                findings.append((cid, norwegian))
    # inactive concepts with reasons and associations
    for k in range(n_inactive):
        cid = cids.make("00")
        wi["concept"].row(cid, "20200731", "0", INT, "900000000000074008")
        d = dids.make("01")
        wi["desc"].row(d, "20200731", "1", INT, cid, "en", FSN, f"Retired concept {k} (finding)", "900000000000448009")
        wi["lang"].row(uid(), "20200731", "1", INT, US, d, PREF)
        d = dids.make("01")
        wi["desc"].row(d, "20200731", "1", INT, cid, "en", SYN, f"Retired concept {k}", "900000000000448009")
        wi["lang"].row(uid(), "20200731", "1", INT, US, d, PREF)
        wi["attr"].row(uid(), "20200731", "1", INT, "900000000000489007", cid, rnd.choice(REASONS))
        r = rnd.random()
        acc = 0.0
        for refset, share in ASSOC:
            acc += share
            if r <= acc:
                break
        targets = 1 if refset != "900000000000523009" else rnd.choice((1, 2, 3))
        for _ in range(targets):
            wi["assoc"].row(uid(), "20200731", "1", INT, refset, cid, rnd.choice(all_ids))
    # maps: international rows for clinical findings until the row budget is met; Norwegian rows override some
    rows = 0
    mapped = 0
    rnd.shuffle(findings)
    for cid, norwegian in findings:
        if rows >= target_map_rows:
            break
        other = findings[rnd.randrange(len(findings))][0]
        for g, p, rule, advice, target, cat in _map_rows(rnd, cid, other):
            wi["emap"].row(uid(), DATE_INT, "1", MAPMOD, "447562003", cid, str(g), str(p), rule, advice, target,
                           "447561005", cat)
            rows += 1
        if norwegian or rnd.random() < 0.03:
            t = _icd(rnd)
            w_no["emap"].row(uid(), DATE_NO, "1", NO, "447562003", cid, "1", "1", "TRUE", f"ALWAYS {t}", t,
                             "447561005", "447637006")
            rows += 1
        mapped += 1
    for cid, _ in findings[: len(findings) // 3]:
        w_no["smap"].row(uid(), DATE_NO, "1", NO, "68101000202102", cid,
                         f"{rnd.choice('ABDFHKLNPRSTUWXYZ')}{rnd.randrange(1, 100):02d}")
    for cid, _ in findings[: len(findings) // 2]:
        w_no["simple"].row(uid(), DATE_NO, "1", NO, "88161000202101", cid)
    stats = {}
    for tag, ws in (("INT", w_int), ("NO", w_no)):
        for k, w in ws.items():
            w.close()
            stats[f"{tag} {k}"] = w.rows
    stats["is-a generated"] = n_isa
    stats["later rows"] = n_later[0]
    stats["mapped concepts"] = mapped
    stats["seconds"] = round(time.monotonic() - t0, 1)
    if not quiet:
        for k, v in stats.items():
            print(f"{k:>16}: {v:,}" if isinstance(v, int) else f"{k:>16}: {v}")
    return stats


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = the size of a national edition")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    generate(args.out, args.scale, args.seed)


if __name__ == "__main__":
    main()

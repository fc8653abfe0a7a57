"""Writes the hand-made Norwegian-edition RF2 release beside this file (run once; kept for review)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))
from scripts.gen_rf2 import verhoeff
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "SnomedCT_NO_Handmade_20250415")
INT, NO, MAPMOD = "900000000000207008", "51000202101", "449080006"
D_INT, D_NO = "20250101", "20250415"
H = "id\teffectiveTime\tactive\tmoduleId"
files = {}
def w(folder, name, header, rows):
    p = os.path.join(ROOT, "Snapshot", folder); os.makedirs(p, exist_ok=True)
    with open(os.path.join(p, name), "w", newline="") as f:
        f.write(header + "\r\n")
        for r in rows: f.write("\t".join(r) + "\r\n")
def noid(n, part):  # Norwegian namespace 1000202
    body = f"{n}1000202{part}"; return body + verhoeff(body)
LONGCOVID = noid(7, "10")
INACTIVE = "155574008"
concepts = [  # id, module, active, defined, parents, en, fsn tag, nb, nn
 ("138875005", INT, "1", "0", [], "SNOMED CT Concept", "SNOMED RT+CTV3", None, None),
 ("404684003", INT, "1", "0", ["138875005"], "Clinical finding", "finding", "klinisk funn", "klinisk funn"),
 ("64572001", INT, "1", "0", ["404684003"], "Disease", "disorder", "sykdom", "sjukdom"),
 ("233604007", INT, "1", "0", ["64572001"], "Pneumonia", "disorder", "lungebetennelse", "lungebetennelse"),
 ("75570004", INT, "1", "1", ["233604007"], "Viral pneumonia", "disorder", "viral lungebetennelse", "viral lungebetennelse"),
 ("53084003", INT, "1", "1", ["233604007"], "Bacterial pneumonia", "disorder", "bakteriell lungebetennelse", "bakteriell lungebetennelse"),
 ("29857009", INT, "1", "0", ["404684003"], "Chest pain", "finding", "brystsmerter", "brystsmerter"),
 ("8619003", INT, "1", "0", ["64572001"], "Infertility", "disorder", "infertilitet", "infertilitet"),
 ("18165001", INT, "1", "0", ["404684003"], "Jaundice", "finding", "gulsott", "gulsott"),
 ("58437007", INT, "1", "1", ["64572001"], "Tuberculosis of meninges", "disorder", "tuberkuløs meningitt", "tuberkuløs meningitt"),
 ("77386006", INT, "1", "0", ["404684003"], "Pregnancy", "finding", "graviditet", "svangerskap"),
 ("38341003", INT, "1", "0", ["64572001"], "Hypertensive disorder", "disorder", "hypertensjon", "hypertensjon"),
 ("48194001", INT, "1", "1", ["38341003", "77386006"], "Pregnancy-induced hypertension", "disorder", "svangerskapsindusert hypertensjon", "svangerskapsindusert hypertensjon"),
 ("195967001", INT, "1", "0", ["64572001"], "Asthma", "disorder", "astma", "astma"),
 ("248152002", INT, "1", "0", ["404684003"], "Female", "finding", "kvinne", "kvinne"),
 ("248153007", INT, "1", "0", ["404684003"], "Male", "finding", "mann", "mann"),
 ("445518008", INT, "1", "0", ["138875005"], "Age at onset of clinical finding", "observable entity", None, None),
 (INACTIVE, INT, "0", "0", [], "Virus pneumonia", "disorder", None, None),
 (LONGCOVID, NO, "1", "0", ["64572001"], "Post COVID-19 condition", "disorder", "senfølger etter covid-19", "seinfølgjer etter covid-19"),
 ("88161000202101", NO, "1", "0", ["138875005"], "Helseplattformen term bank reference set", "foundation metadata concept", None, None),
 ("68101000202102", NO, "1", "0", ["138875005"], "SNOMED CT to ICPC-2 simple map reference set", "foundation metadata concept", None, None),
]
crow, drow, lrow, rrow, srow = [], [], [], [], []
dn = [100]; rn = [100]; un = [0]
def did(module):
    dn[0] += 1
    return noid(dn[0], "11") if module == NO else (lambda b: b + verhoeff(b))(f"{dn[0]}01")
def uid():
    un[0] += 1; return f"00000000-0000-4000-8000-{un[0]:012d}"
for cid, mod, act, dfn, parents, en, tag, nb, nn in concepts:
    eff = D_NO if mod == NO else D_INT
    crow.append((cid, eff, act, mod, "900000000000073002" if dfn == "1" else "900000000000074008"))
    for typ, term in (("900000000000003001", f"{en} ({tag})"), ("900000000000013009", en)):
        d = did(mod); drow.append((d, eff, "1", mod, cid, "en", typ, term, "900000000000448009"))
        for refset in ("900000000000509007", "900000000000508004"):
            lrow.append((uid(), eff, "1", mod, refset, d, "900000000000548007"))
    if nb:
        d = did(NO); drow.append((d, D_NO, "1", NO, cid, "no", "900000000000013009", nb, "900000000000448009"))
        lrow.append((uid(), D_NO, "1", NO, "61000202103", d, "900000000000548007"))
        if nn == nb:
            lrow.append((uid(), D_NO, "1", NO, "91000202106", d, "900000000000548007"))
        else:
            d = did(NO); drow.append((d, D_NO, "1", NO, cid, "no", "900000000000013009", nn, "900000000000448009"))
            lrow.append((uid(), D_NO, "1", NO, "91000202106", d, "900000000000548007"))
    for p in parents:
        rn[0] += 1; b = f"{rn[0]}02"
        rrow.append((b + verhoeff(b), eff, "1", mod, cid, p, "0", "116680003", "900000000000011006", "900000000000451002"))
        rn[0] += 1; b = f"{rn[0]}02"
        srow.append((b + verhoeff(b), eff, "1", mod, cid, p, "0", "116680003", "900000000000010007", "900000000000451002"))
# an acceptable bokmål synonym and an inactive description
d = did(NO); drow.append((d, D_NO, "1", NO, "233604007", "no", "900000000000013009", "pneumoni", "900000000000448009"))
lrow.append((uid(), D_NO, "1", NO, "61000202103", d, "900000000000549004"))
d = did(INT); drow.append((d, D_INT, "0", INT, "233604007", "en", "900000000000013009", "Lung inflammation (old)", "900000000000448009"))
# attribute relationship: pneumonia finding site lung structure
rrow.append(("99902", D_INT, "1", INT, "233604007", "39607008", "1", "363698007", "900000000000011006", "900000000000451002"))
# the inactive concept: the old inferred is-a is inactive
rrow.append(("99912", D_INT, "0", INT, INACTIVE, "233604007", "0", "116680003", "900000000000011006", "900000000000451002"))
# attributes between concepts of this release, for ECL reverse attributes and dot notation (illustration):
# pregnancy-induced hypertension due to pregnancy; post COVID-19 condition associated with pneumonia
rrow.append(("99922", D_INT, "1", INT, "48194001", "77386006", "0", "42752001", "900000000000011006", "900000000000451002"))
rrow.append(("99932", D_NO, "1", NO, LONGCOVID, "233604007", "0", "47429007", "900000000000011006", "900000000000451002"))
w("Terminology", f"sct2_Concept_Snapshot_NO1000202_{D_NO}.txt", H + "\tdefinitionStatusId", crow)
w("Terminology", f"sct2_Description_Snapshot-no_NO1000202_{D_NO}.txt", H + "\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId", drow)
w("Terminology", f"sct2_TextDefinition_Snapshot-en_NO1000202_{D_NO}.txt", H + "\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId",
  [(did(INT), D_INT, "1", INT, "233604007", "en", "900000000000550004", "Inflammation of the lung parenchyma, usually caused by infection", "900000000000017005")])
w("Terminology", f"sct2_Relationship_Snapshot_NO1000202_{D_NO}.txt", H + "\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId", rrow)
w("Terminology", f"sct2_StatedRelationship_Snapshot_NO1000202_{D_NO}.txt", H + "\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId", srow)
w("Refset/Language", f"der2_cRefset_LanguageSnapshot-no_NO1000202_{D_NO}.txt", H + "\trefsetId\treferencedComponentId\tacceptabilityId", lrow)
w("Refset/Content", f"der2_cRefset_AssociationSnapshot_NO1000202_{D_NO}.txt", H + "\trefsetId\treferencedComponentId\ttargetComponentId",
  [(uid(), D_INT, "1", INT, "900000000000526001", INACTIVE, "75570004")])
w("Refset/Content", f"der2_cRefset_AttributeValueSnapshot_NO1000202_{D_NO}.txt", H + "\trefsetId\treferencedComponentId\tvalueId",
  [(uid(), D_INT, "1", INT, "900000000000489007", INACTIVE, "900000000000482003")])
w("Refset/Content", f"der2_Refset_SimpleSnapshot_NO1000202_{D_NO}.txt", H + "\trefsetId\treferencedComponentId",
  [(uid(), D_NO, "1", NO, "88161000202101", c) for c in ("233604007", "75570004", "53084003", "29857009", "195967001", "38341003", "18165001", LONGCOVID)]
  + [(uid(), D_NO, "0", NO, "88161000202101", "8619003")])
w("Refset/Map", f"der2_sRefset_SimpleMapSnapshot_NO1000202_{D_NO}.txt", H + "\trefsetId\treferencedComponentId\tmapTarget",
  [(uid(), D_NO, "1", NO, "68101000202102", c, t) for c, t in (("233604007", "R81"), ("75570004", "R81"), ("29857009", "A11"), ("195967001", "R96"), ("38341003", "K86"))])
AGE = "IFA 445518008 | Age at onset of clinical finding (observable entity) |"
F, M = "IFA 248152002 | Female (finding) |", "IFA 248153007 | Male (finding) |"
C = "447561005"
emap = [
 (INT, MAPMOD, "75570004", 1, 1, "TRUE", "ALWAYS J12.9", "J12.9", "447637006"),
 (INT, MAPMOD, "233604007", 1, 1, "TRUE", "ALWAYS J18.9", "J18.9", "447637006"),
 (INT, MAPMOD, "29857009", 1, 1, "TRUE", "ALWAYS R07.4", "R07.4", "447637006"),
 (INT, MAPMOD, "29857009", 2, 1, "TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "", "447638001"),
 (NO, NO, "29857009", 1, 1, "TRUE", "ALWAYS R07.4 | NORSK RAD", "R07.4", "447637006"),
 (INT, MAPMOD, "8619003", 1, 1, F, "IF FEMALE CHOOSE N97.9 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "N97.9", "447639009"),
 (INT, MAPMOD, "8619003", 1, 2, M, "IF MALE CHOOSE N46 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "N46", "447639009"),
 (INT, MAPMOD, "8619003", 1, 3, "OTHERWISE TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "", "447638001"),
 (INT, MAPMOD, "18165001", 1, 1, f"{AGE} < 28.0 days", "IF AGE AT ONSET OF CLINICAL FINDING BEFORE 28.0 DAYS CHOOSE P59.9 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "P59.9", "447639009"),
 (INT, MAPMOD, "18165001", 1, 2, "OTHERWISE TRUE", "ALWAYS R17", "R17", "447639009"),
 (INT, MAPMOD, "195967001", 1, 1, f"{AGE} >= 12.0 years AND {AGE} < 19.0 years", "IF AGE AT ONSET OF CLINICAL FINDING ON OR AFTER 12.0 YEARS AND IF AGE AT ONSET OF CLINICAL FINDING BEFORE 19.0 YEARS CHOOSE J45.0", "J45.0", "447639009"),
 (INT, MAPMOD, "195967001", 1, 2, f"{AGE} < 12.0 years", "IF AGE AT ONSET OF CLINICAL FINDING BEFORE 12.0 YEARS CHOOSE J45.1", "J45.1", "447639009"),
 (INT, MAPMOD, "195967001", 1, 3, "OTHERWISE TRUE", "ALWAYS J45.9", "J45.9", "447639009"),
 (INT, MAPMOD, "58437007", 1, 1, "TRUE", "ALWAYS A17.0", "A17.0", "447637006"),
 (INT, MAPMOD, "58437007", 2, 1, "TRUE", "ALWAYS G01 | DAGGER-ASTERISK", "G01", "447637006"),
 (INT, MAPMOD, "38341003", 1, 1, "IFA 77386006 | Pregnancy (finding) |", "IF PREGNANCY CHOOSE O10.0 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "O10.0", "447639009"),
 (INT, MAPMOD, "38341003", 1, 2, "OTHERWISE TRUE", "ALWAYS I10", "I10", "447639009"),
 (INT, MAPMOD, "53084003", 1, 1, "TRUE", "ALWAYS J15.9", "J15.9", "447637006"),
 (INT, MAPMOD, "53084003", 2, 1, f"{F} AND {AGE} < 1.0 years", "IF FEMALE AND AGE AT ONSET BEFORE 1.0 YEARS CHOOSE P23.6", "P23.6", "447639009"),
 (INT, MAPMOD, "53084003", 2, 2, "OTHERWISE TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "", "447638001"),
]
rows_int = [(uid(), D_INT if m != NO else D_NO, "1", mod, "447562003", c, str(g), str(p), rule, adv, t, C, cat) for m, mod, c, g, p, rule, adv, t, cat in emap]
w("Refset/Map", f"der2_iisssccRefset_ExtendedMapSnapshot_NO1000202_{D_NO}.txt", H + "\trefsetId\treferencedComponentId\tmapGroup\tmapPriority\tmapRule\tmapAdvice\tmapTarget\tcorrelationId\tmapCategoryId", rows_int)
print(LONGCOVID)

"""The directorate's JSON download for ICD-10 and ICPC-2 (FAT kodeverk API, behind FinnKode).

An array of flat objects: Kode, Tekst_med_maksimalt_60_tegn,
Tekst_uten_lengdebegrensning, Foreldrekode, Foreldrekodetekst, Gyldig_fra,
Gyldig_til; ICD-10 adds Rapporteres_til_NPR, NPR_Gyldig_fra/til, Stjernekode,
Tilleggskode, Kjønn, Uspesifikk_kode; ICPC-2 adds Kodeverk and
Tilhørighet_i_ICPC-2B. ICD-10 codes carry the dot here (A00.0) and are stored
without it. The hierarchy is the file's own (Foreldrekode).
"""
from __future__ import annotations

import os
import re
from typing import Iterator


from ..identifiers import ICD10_NO, ICPC2, canonical_system
from ..norway import icd10, icpc2
from ..norway.common import Row, RowError, build_with_edition, parse_date, prop
from .base import Item, head, load_json, parent_cycles

FORMAT = "norway-fat-json"
PRIORITY = 20
_HEAD = re.compile(rb'^\s*\[\s*\{\s*"')
REQUIRED = ("Kode", "Tekst_uten_lengdebegrensning", "Foreldrekode", "Gyldig_fra", "Gyldig_til")
_ICD_FLAGS = {"Stjernekode": "star", "Tilleggskode": "additional", "Kjønn": "sex", "Uspesifikk_kode": "nonspecific"}


def detect(path: str) -> bool:
    if not path.lower().endswith(".json") or not os.path.isfile(path):
        return False
    start = head(path, 2000)
    return bool(_HEAD.match(start)) and b'"Kode"' in start and b'"Tekst_uten_lengdebegrensning"' in start


def read(path: str, **options) -> Iterator[Item]:
    data, err = load_json(path)
    if err:
        yield Item(path, error=err)
        return
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        yield Item(path, error="expected a non-empty JSON array of code objects (the directorate's download)")
        return
    missing = [f for f in REQUIRED if f not in data[0]]
    if missing:
        yield Item(path, error=f"entry 1: missing field(s) {', '.join(missing)}; the directorate's JSON has "
                               f"{', '.join(REQUIRED)} on every entry")
        return
    system = _system(path, data, options.get("system"))
    rows, errors = [], []
    for i, e in enumerate(data, 1):
        try:
            rows.append(_row(e, f"entry {i}", system))
        except RowError as err:
            errors.append(str(err))
    # the hierarchy is the file's own (Foreldrekode) and the output is trusted: a loop would be stored as is
    errors += parent_cycles(rows)
    if errors:
        for msg in errors:
            yield Item(path, error=msg)
        return
    source = "Helsedirektoratets JSON-nedlasting"
    if system == ICD10_NO:
        yield from build_with_edition(icd10.build, path, options, rows, rows=rows, explicit_hierarchy=True,
                                      source=source, who=options.get("who", True))
    else:
        yield from build_with_edition(icpc2.build, path, options, rows, rows=rows, explicit_hierarchy=True,
                                      source=source)


def _system(path: str, data: list, given: str | None) -> str:
    if given:
        return canonical_system(given)
    keys = data[0].keys()
    if "Rapporteres_til_NPR" in keys or "Stjernekode" in keys:
        return ICD10_NO
    if "Kodeverk" in keys or any(k.startswith("Tilhørighet") for k in keys):
        return ICPC2
    return ICPC2 if "icpc" in os.path.basename(path).lower() else ICD10_NO


def _text(e: dict, key: str) -> str | None:
    v = e.get(key)
    return v.strip() if isinstance(v, str) and v.strip() else None


def _row(e, where: str, system: str) -> Row:
    if not isinstance(e, dict):
        raise RowError(f"{where}: not an object")
    raw_code = _text(e, "Kode")
    if not raw_code:
        raise RowError(f"{where}: no Kode")
    norm = icd10.normalise if system == ICD10_NO else str.strip
    code = norm(raw_code)
    where = f"{where} (Kode {raw_code})"
    full = _text(e, "Tekst_uten_lengdebegrensning")
    short = _text(e, "Tekst_med_maksimalt_60_tegn")
    if not full and not short:
        raise RowError(f"{where}: no text (Tekst_uten_lengdebegrensning and Tekst_med_maksimalt_60_tegn are empty)")
    parent = _text(e, "Foreldrekode")
    row = Row(code=code, display=short or full, full_text=full, where=where,
              parent=norm(parent) if parent else None,
              valid_from=parse_date(e.get("Gyldig_fra"), where, "Gyldig_fra"),
              valid_to=parse_date(e.get("Gyldig_til"), where, "Gyldig_til"))
    if system == ICD10_NO:
        npr = _text(e, "Rapporteres_til_NPR")
        if npr is not None and npr.lower() not in ("ja", "nei"):
            raise RowError(f"{where}: Rapporteres_til_NPR is '{npr}'; expected Ja, Nei or empty")
        row.reportable = npr is not None and npr.lower() == "ja"
        row.npr_from = parse_date(e.get("NPR_Gyldig_fra"), where, "NPR_Gyldig_fra")
        row.npr_to = parse_date(e.get("NPR_Gyldig_til"), where, "NPR_Gyldig_til")
        row.flags = {name: e.get(key) for key, name in _ICD_FLAGS.items() if e.get(key) not in (None, "")}
    else:
        if _text(e, "Kodeverk"):
            row.extra.append(prop("icpc2Codebook", _text(e, "Kodeverk")))
        belong = next((v for k, v in e.items() if k.startswith("Tilhørighet") and isinstance(v, str) and v.strip()),
                      None)
        if belong:
            row.extra.append(prop("icpc2bBelonging", belong.strip()))
    return row

"""SNOMED CT map rules (the `mapRule` column of extended map refsets) and patient context.

Rules: `TRUE`, `OTHERWISE TRUE`, `IFA 248152002 | Female (finding) |`,
`IFA 248153007 | Male (finding) |`, `IFA 445518008 | Age at onset of clinical
finding (observable entity) | < 19.0 years` (operators < <= = > >=, units
years or days), `IFA <conceptId> | term |` (the patient also has that
finding), clauses joined by ` AND `.

Evaluation is three-valued: a clause is True, False or None (the context does
not say). Within a map group rows are tried in priority order; the first True
row wins, a False row is skipped, and a None row stops the group: its
remaining candidates all need context.
"""
from __future__ import annotations

import re

from terminology.identifiers import SNOMED
from dataclasses import dataclass, field

from terminology.errors import InvalidRequest

FEMALE, MALE = "248152002", "248153007"
SEX_ATTRIBUTE = "263495000"          # Gender (observable entity)
AGE_AT_ONSET = "445518008"
FINDING_ATTRIBUTE = "404684003"       # Clinical finding: "the patient also has"
ID_BASE = "http://snomed.info/id/"

_IFA = re.compile(r"^IFA\s+(\d+)\s*(?:\|[^|]*\|)?\s*(?:(<=|>=|<|>|=)\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+))?\s*$")
_DAYS_PER = {"years": 365.25, "year": 365.25, "a": 365.25, "y": 365.25, "yr": 365.25, "yrs": 365.25,
             "days": 1.0, "day": 1.0, "d": 1.0, "months": 30.4375, "month": 30.4375, "mo": 30.4375,
             "weeks": 7.0, "week": 7.0, "wk": 7.0, "h": 1 / 24, "hours": 1 / 24}


@dataclass
class Clause:
    kind: str                      # 'true' | 'sex' | 'age' | 'finding'
    concept: str | None = None
    op: str | None = None
    value: float | None = None
    unit: str | None = None


@dataclass
class Rule:
    text: str
    clauses: list
    otherwise: bool = False


@dataclass
class Context:
    """What the request told about the patient."""
    sex: str | None = None                     # FEMALE or MALE concept id
    age_days: float | None = None
    age_text: str | None = None
    findings: set = field(default_factory=set)
    given: bool = False                        # any dependency at all

    @property
    def empty(self) -> bool:
        return not self.given


_RULE_CACHE: dict[str, Rule] = {}


def parse_rule(text: str) -> Rule:
    r = _RULE_CACHE.get(text)
    if r is not None:
        return r
    t = (text or "").strip()
    if t in ("", "TRUE"):
        r = Rule(text, [Clause("true")])
    elif t == "OTHERWISE TRUE":
        r = Rule(text, [Clause("true")], otherwise=True)
    else:
        clauses = []
        for part in re.split(r"\s+AND\s+", t):
            m = _IFA.match(part.strip())
            if not m:
                clauses.append(Clause("unknown", concept=part.strip()))
                continue
            cid, op, val, unit = m.groups()
            if cid in (FEMALE, MALE):
                clauses.append(Clause("sex", cid))
            elif cid == AGE_AT_ONSET and op:
                clauses.append(Clause("age", cid, op, float(val), unit.lower()))
            else:
                clauses.append(Clause("finding", cid))
        r = Rule(text, clauses)
    if len(_RULE_CACHE) < 10_000:
        _RULE_CACHE[text] = r
    return r


def _compare(a: float, op: str, b: float) -> bool:
    return {"<": a < b, "<=": a <= b, "=": abs(a - b) < 1e-9, ">": a > b, ">=": a >= b}[op]


def clause_holds(c: Clause, ctx: Context, subsumes=None) -> bool | None:
    if c.kind == "true":
        return True
    if c.kind == "sex":
        return None if ctx.sex is None else ctx.sex == c.concept
    if c.kind == "age":
        if ctx.age_days is None:
            return None
        per = _DAYS_PER.get(c.unit or "years")
        if per is None:
            return None
        return _compare(ctx.age_days, c.op, c.value * per)
    if c.kind == "finding":
        if not ctx.given:
            return None
        if c.concept in ctx.findings:
            return True
        if subsumes is not None and any(subsumes(c.concept, f) for f in ctx.findings):
            return True
        # a context was given without this finding: the patient is taken not to have it
        return False
    return None


def rule_holds(rule: Rule, ctx: Context, subsumes=None) -> bool | None:
    result: bool | None = True
    for c in rule.clauses:
        v = clause_holds(c, ctx, subsumes)
        if v is False:
            return False
        if v is None:
            result = None
    return result


@dataclass
class Outcome:
    row: tuple                       # (group, priority, rule, advice, target, correlation, category)
    status: str                      # 'matched' | 'needs-context'


def evaluate_rows(rows: list[tuple], ctx: Context | None, subsumes=None) -> list[Outcome]:
    """Rows (ordered by group, priority) -> the targets that apply, at most one per group.

    Without context every row is a candidate needing context (except groups with a
    single unconditional row, which apply whatever the patient).
    """
    ctx = ctx or Context()
    out: list[Outcome] = []
    groups: dict[int, list[tuple]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    for g in sorted(groups):
        grows = sorted(groups[g], key=lambda r: r[1])
        pending: list[tuple] = []
        for row in grows:
            v = rule_holds(parse_rule(row[2]), ctx, subsumes)
            if v is False:
                continue
            if v is True and not pending:
                out.append(Outcome(row, "matched"))
                break
            pending.append(row)
            if v is True:
                break
        if pending:
            out.extend(Outcome(r, "needs-context") for r in pending)
    return out


def rule_conditions(rule_text: str) -> list[dict]:
    """The rule's conditions as R4 dependsOn parts: {property, system?, value, display?}."""
    out = []
    for c in parse_rule(rule_text).clauses:
        if c.kind == "sex":
            out.append({"property": ID_BASE + SEX_ATTRIBUTE, "system": SNOMED, "value": c.concept,
                        "display": "Female" if c.concept == FEMALE else "Male"})
        elif c.kind == "age":
            val = f"{c.value:g}"
            out.append({"property": ID_BASE + AGE_AT_ONSET, "value": f"{c.op} {val} {c.unit}"})
        elif c.kind == "finding":
            out.append({"property": ID_BASE + FINDING_ATTRIBUTE, "system": SNOMED, "value": c.concept})
    return out


# --- reading the request's dependencies -------------------------------------------------
def _attr_id(attr) -> str:
    s = str(attr or "").strip()
    for prefix in (ID_BASE, "http://snomed.info/sct#", "http://snomed.info/sct/", "http://snomed.info/sct|"):
        if s.startswith(prefix):
            return s[len(prefix):]
    return s


def _codings(value) -> list[dict]:
    if isinstance(value, dict):
        if "coding" in value:
            return [c for c in value.get("coding") or () if isinstance(c, dict)]
        if "code" in value and "value" not in value:
            return [value]
    return []


_AGE_TEXT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")


def _age_days(value) -> tuple[float, str]:
    if isinstance(value, dict) and "value" in value:
        num = value.get("value")
        unit = str(value.get("code") or value.get("unit") or "a").lower()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        num, unit = value, "a"
    elif isinstance(value, dict) and (value.get("text") or _codings(value)):
        # R4 form: element + concept (a CodeableConcept) - the age is its text or code, e.g. "10 d"
        return _age_days(value.get("text") or _codings(value)[0].get("code") or "")
    else:
        m = _AGE_TEXT.match(str(value))
        if not m:
            raise InvalidRequest(f"age at onset '{value}' is not a quantity such as '15 a' or '20 d'",
                                 location="dependency")
        num, unit = float(m.group(1)), (m.group(2) or "a").lower()
    try:
        num = float(num)
    except (TypeError, ValueError):
        raise InvalidRequest(f"age at onset '{value}' has no numeric value", location="dependency")
    per = _DAYS_PER.get(unit)
    if per is None:
        raise InvalidRequest(f"age at onset unit '{unit}' is not understood; use 'a' (years) or 'd' (days)",
                             location="dependency")
    if num < 0:
        raise InvalidRequest("age at onset cannot be negative", location="dependency")
    return num * per, f"{num:g} {unit}"


def context_from(dependencies) -> Context:
    """Patient context from TranslateRequest.dependencies: (attribute or element, value) pairs."""
    ctx = Context()
    for attr, value in dependencies or ():
        a = _attr_id(attr)
        if isinstance(value, str) and a == SEX_ATTRIBUTE:
            value = {"code": value}
        codings = _codings(value)
        if a in (SEX_ATTRIBUTE, "gender", "sex", "http://hl7.org/fhir/StructureDefinition/Patient#Patient.gender"):
            ctx.given = True
            codes = [str(c.get("code")) for c in codings]
            for code in codes:
                if code in (FEMALE, "female", "F"):
                    ctx.sex = FEMALE
                elif code in (MALE, "male", "M"):
                    ctx.sex = MALE
            if codes and ctx.sex is None:
                raise InvalidRequest(f"sex '{codes[0]}' is not understood; use SNOMED CT {FEMALE} (female) or "
                                     f"{MALE} (male)", location="dependency")
        elif a in (AGE_AT_ONSET, "age"):
            ctx.given = True
            ctx.age_days, ctx.age_text = _age_days(value)
        elif a in (FINDING_ATTRIBUTE, "finding"):
            ctx.given = True
            if codings:
                ctx.findings.update(str(c.get("code")) for c in codings if c.get("code"))
            elif isinstance(value, str) and value.strip():
                ctx.findings.add(value.strip())
        else:
            raise InvalidRequest(
                f"dependency '{attr}' is not used by SNOMED CT map rules; use {ID_BASE}{SEX_ATTRIBUTE} (sex), "
                f"{ID_BASE}{AGE_AT_ONSET} (age at onset) or {ID_BASE}{FINDING_ATTRIBUTE} (another finding)",
                location="dependency")
    return ctx

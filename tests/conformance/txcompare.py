"""Comparison of an actual answer with an expected file of the HL7 terminology ecosystem tests.

Rules (tx-tests/SOURCE.md): `text`, `meta`, `diagnostics` are dropped from the
answer; object properties must match both ways except those in
`$optional-properties$`; array order does not matter and items marked
`$optional$` may be absent; strings in the expected file may be patterns.
Extensions are scrubbed from the answer as the reference runner does when it is
not run "tight" (TxTesterScrubbers): an extension with an absolute URL is
dropped unless it is one of the extensions the tests manage (MANAGED); the
ones kept are compared like any other element, so an extension the expected
file lacks fails the test. Below ValueSet.compose nothing is scrubbed (the
reference visitor stops there: the compose is the definition, echoed as is).
For metadata only the expected content must be present (`subset=True`).
"""
from __future__ import annotations

import re

R5_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-"
_PATTERNS = {
    "$instant$": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"),
    "$date$": re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    "$uuid$": re.compile(r"^(urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
    "$id$": re.compile(r"^[A-Za-z0-9\-.]{1,64}$"),
    "$url$": re.compile(r"^(https?|urn):\S+$"),
    "$token$": re.compile(r"^\S+$"),
    "$semver$": re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.\-]+)?(\+[0-9A-Za-z.\-]+)?$"),
    "$version$": re.compile(r"^\S+$"),
    "$string$": re.compile(r"\S"),
}
_DROP = {"text", "meta", "diagnostics"}

# the extensions the reference runner keeps in an answer (TxTesterScrubbers.isManagedExtension)
_SD = "http://hl7.org/fhir/StructureDefinition/"
MANAGED = {_SD + n for n in (
    "codesystem-alternate", "codesystem-conceptOrder", "codesystem-label", "coding-sctdescid", "itemWeight",
    "rendering-style", "rendering-xhtml", "translation", "valueset-concept-definition", "valueset-conceptOrder",
    "valueset-deprecated", "valueset-label", "valueset-supplement", "alternate-code-use",
    "alternate-code-status",
    # kept by the current runner: the shipped deprecated/vs-deprecation expects it on a concept
    "structuredefinition-standards-status")} | {
    "http://hl7.org/fhir/test/CodeSystem/de-multi", "http://hl7.org/fhir/test/CodeSystem/en-multi",
    "http://hl7.org/fhir/test/ValueSet/extensions-bad-supplement", "http://hl7.org/fhir/test/ValueSet/simple-all",
    "http://hl7.org/fhir/test/ValueSet/simple-enumerated", "http://hl7.org/fhir/test/ValueSet/simple-filter-isa"} | {
    f"http://hl7.org/fhir/test/StructureDefinition/unknown-extension-{n}" for n in (1, 3, 4, 5)}


def _managed(url: str) -> bool:
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:", url or "") or url in MANAGED


def clean(actual, scrub: bool = True):
    """The answer as the tests see it: volatile elements dropped, R4 stand-in extensions made R5 again,
    unmanaged extensions scrubbed (not from a CapabilityStatement: the runner keeps its feature extensions)."""
    if isinstance(actual, list):
        return [clean(a, scrub) for a in actual]
    if not isinstance(actual, dict):
        return actual
    out = {}
    props = []
    for k, v in actual.items():
        if k in _DROP and (k != "text" or "resourceType" in actual):
            continue
        if k == "extension" and isinstance(v, list):
            keep = []
            for e in v:
                url = e.get("url", "")
                if url in (R5_EXT + "ValueSet.expansion.contains.property",
                           R5_EXT + "ValueSet.expansion.property"):
                    p = {}
                    for sub in e.get("extension") or ():
                        if sub.get("url") in ("code", "uri"):
                            p[sub["url"]] = next(val for kk, val in sub.items() if kk.startswith("value"))
                        elif sub.get("url") == "value":
                            p.update({kk: val for kk, val in sub.items() if kk.startswith("value")})
                    props.append(p)
                elif not scrub or _managed(url):
                    keep.append(clean(e, scrub))
            if keep:
                out["extension"] = keep
            continue
        if k == "compose" and scrub and actual.get("resourceType") == "ValueSet" and isinstance(v, dict):
            # the reference runner scrubs the compose's own extensions but does not visit below it
            # (TxTesterScrubberVisitor: NO_VISIT_CHILDREN at ValueSet.compose)
            inner = clean(v, scrub=False)
            if "extension" in inner:
                inner["extension"] = [e for e in inner["extension"] if _managed(e.get("url", ""))]
                if not inner["extension"]:
                    del inner["extension"]
            out[k] = inner
            continue
        out[k] = clean(v, scrub)
    if props:
        out["property"] = props
    return out


def is_optional(item) -> bool:
    return isinstance(item, dict) and bool(item.get("$optional$"))


def _all_optional(v) -> bool:
    return isinstance(v, list) and all(is_optional(i) for i in v)


def match_string(expected: str, actual) -> bool:
    if not isinstance(actual, str):
        return False
    if expected == "$$":
        return True
    if expected in _PATTERNS:
        return bool(_PATTERNS[expected].search(actual))
    if expected.startswith("$choice:") and expected.endswith("$"):
        return actual in expected[8:-1].split("|")
    if expected.startswith("$fragments:") and expected.endswith("$"):
        return all(f.lower() in actual.lower() for f in expected[11:-1].split("|") if f)
    if expected.startswith("$external:") and expected.endswith("$"):
        body = expected[10:-1]
        _n, _, frag = body.partition(":")
        return frag.lower() in actual.lower() if frag else bool(actual)
    if "$version$" in expected or "$$" in expected:
        rx = "^" + re.escape(expected).replace(re.escape("$version$"), r"\S+").replace(re.escape("$$"), ".*") + "$"
        return re.match(rx, actual) is not None
    return expected == actual


def compare(expected, actual, path: str = "", subset: bool = False) -> str | None:
    """None when `actual` satisfies `expected`, else where and why it does not."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"[:400]
        optional = set(expected.get("$optional-properties$") or ())
        for k, ev in expected.items():
            if k.startswith("$") and k.endswith("$"):
                continue
            if k not in actual:
                if k in optional or _all_optional(ev):
                    continue
                return f"{path}: missing property {k}"
            av = actual[k]
            err = compare(ev, av, f"{path}.{k}", subset)
            if err:
                return err
        if not subset:
            for k in actual:
                if k not in expected and k not in optional:
                    return f"{path}: unexpected property {k} = {str(actual[k])[:200]}"
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected an array, got {actual!r}"[:400]
        used = [False] * len(actual)
        order = sorted(range(len(expected)), key=lambda i: is_optional(expected[i]))
        for i in order:
            ev = expected[i]
            hit = None
            first_err = None
            for j, av in enumerate(actual):
                if used[j]:
                    continue
                err = compare(ev, av, f"{path}[{j}]", subset)
                if err is None:
                    hit = j
                    break
                same_name = isinstance(ev, dict) and isinstance(av, dict) and "name" in ev and \
                    ev.get("name") == av.get("name")
                if same_name or first_err is None:
                    first_err = err
            if hit is None:
                if is_optional(ev):
                    continue
                return first_err or f"{path}: no item matches expected {str(ev)[:300]}"
            used[hit] = True
        if not subset and not all(used):
            extra = [actual[j] for j in range(len(actual)) if not used[j]]
            return f"{path}: unexpected item(s) {str(extra)[:300]}"
        return None
    if isinstance(expected, str):
        return None if match_string(expected, actual) else f"{path}: expected {expected!r}, got {actual!r}"[:500]
    if expected != actual or type(expected) is not type(actual):
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None

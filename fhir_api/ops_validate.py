"""ValueSet/$validate-code and CodeSystem/$validate-code: parameters in, engine call, Parameters out."""
from __future__ import annotations

from terminology.errors import InvalidRequest
from terminology.identifiers import canonical_url, split_canonical
from terminology.languages import language_summary, parse_languages
from terminology.operations.same_concept import same_concept
from terminology.operations.validate import ValidateRequest, validate_code
from terminology.versions import one_version
from terminology.operations.validate_texts import NOTHING_TO_VALIDATE_CS, NOTHING_TO_VALIDATE_VS

from .canonicals import CODE_SYSTEM, VALUE_SET, refuse_names_nothing
from .ops_lookup import coding_param, refuse_two_systems, refuse_two_versions
from .operations import operation
from .params import refuse_blank_code
from .valueset_request import language_value, resolve_valueset, supplements_for, version_rules
from .supplied import checked, supplied_catalog, with_contained

TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"


# Issues whose deprecated `location` is left out: R4 already deprecates location for `expression`, but
# R4-era validators still read it for problems with the code itself (existence, status, membership).
# Display checks are language-aware additions those clients never located by it.
_EXPRESSION_ONLY = frozenset({"invalid-display"})


def _issue(i) -> dict:
    d = {"severity": i.severity, "code": i.code,
         "details": {"coding": [{"system": TX_ISSUE_TYPE, "code": i.tx_code}], "text": i.text}}
    if i.location:
        if i.tx_code not in _EXPRESSION_ONLY:
            d["location"] = [i.location]
        d["expression"] = [i.location]
    return d


def _refuse_two_codes(catalog, given: dict, rest: dict | list, what: str, default_system: str | None) -> None:
    """R4 gives `code`, `coding` and `codeableConcept` as alternative ways to pass the one thing validated: one that
    names another concept than the rest would be validated silently in their place, so it is the client's error."""
    others = rest if isinstance(rest, list) else [rest]
    if not any(same_concept(catalog, given, o, default_system) for o in others if isinstance(o, dict)):
        raise InvalidRequest(f"{what} name different codes: give the code to validate once, as code (with system), "
                             "coding or codeableConcept", location="code")


def _code_form(params, with_display: bool = True) -> dict | None:
    """The coding that code/system/systemVersion/display make (display only `with_display`), None when no code
    is given."""
    code = refuse_blank_code(params.str("code") or None, "code", "the code to validate")   # an empty one is none
    if code is None:
        return None
    c = {"code": code}
    system = params.str("system")
    if system:
        c["system"] = system
    version = params.str("systemVersion") or params.str("version")
    if version:
        c["version"] = version
    display = params.str("display") if with_display else None
    if display is not None:
        c["display"] = display
    return c


def _coding_input(params, catalog, cs_url: str | None = None) -> tuple[str, list[dict], dict | None]:
    """(mode, codings, codeableConcept as given) from code/system/display, coding or codeableConcept."""
    cc = params.get("codeableConcept")
    coding = params.get("coding")
    if isinstance(coding, str) and "|" in coding:
        # GET has no syntax for a Coding; `system|code` (as in token search) or `system|version|code`
        coding = coding_param(params, "coding")
    # R4: display goes with `code` ("If a display is provided a code must be provided"); given a coding or
    # codeableConcept, that is what is validated, with its own display, and a `display` parameter is ignored
    # (as the reference servers ignore it: they read it only with code and system)
    plain = _code_form(params, with_display=coding is None and cc is None)
    if isinstance(coding, dict) and plain is not None:
        _refuse_two_codes(catalog, plain, coding, "'code' and 'coding'", cs_url)
    if isinstance(cc, dict):
        for name, one in (("coding", coding), ("code", plain)):
            if isinstance(one, dict):
                _refuse_two_codes(catalog, one, cc.get("coding") or [], f"'{name}' and 'codeableConcept'", cs_url)
    if cc is not None:
        if not isinstance(cc, dict):
            raise InvalidRequest("parameter 'codeableConcept' must be a CodeableConcept", location="codeableConcept")
        codings = [c for c in cc.get("coding") or [] if isinstance(c, dict)]
        # one without codings (only text) is an answer: no valid coding in it (as the reference servers answer);
        # codings that are all without a code are a request that forgot them
        if codings and not any(c.get("code") for c in codings):
            raise InvalidRequest("the codeableConcept has no coding with a code to validate",
                                 location="codeableConcept")
        return "codeableConcept", codings, cc
    if coding is not None:
        if not isinstance(coding, dict):
            raise InvalidRequest("parameter 'coding' must be a Coding (in a query: coding=system|code)",
                                 location="coding")
        if not coding.get("code"):
            raise InvalidRequest("the coding has no code to validate", location="Coding.code")
        return "coding", [coding], None
    if plain is None:
        # R4: "If a display is provided a code must be provided"; a system alone names no concept either. The
        # reference servers' words (clients compare them), with Kodebro's hint for a person beside them
        orphan = next((n for n in ("display", "system") if params.str(n)), None)
        hint = (f"a {orphan} was given without a code: give the code it belongs to (code, coding or "
                "codeableConcept)") if orphan is not None else \
            "give the code to validate as code (with system), coding or codeableConcept"
        if cs_url is not None:
            raise InvalidRequest(NOTHING_TO_VALIDATE_CS)   # no hint: see validate_codesystem's bare code
        raise InvalidRequest(NOTHING_TO_VALIDATE_VS, location="code", diagnostics=hint)
    return "code", [plain], None


# where a Coding's system that names nothing is reported, as the engine locates a coding's faults
_CODINGS = {"coding": "Coding.system", "codeableConcept": "CodeableConcept.coding[{i}].system"}


def _refuse_names_nothing(params, url_names: str) -> None:
    """A canonical of '|' alone (or '|version') in any input that names a code system or value set."""
    refuse_names_nothing(params, {"url": url_names, "system": CODE_SYSTEM, "useSupplement": CODE_SYSTEM}, _CODINGS)


def _request(catalog, params, vs, cs_url=None, rules=None) -> ValidateRequest:
    """`rules`: the version rules already read from `params` (resolve_valueset's), else read here."""
    mode, codings, cc = _coding_input(params, catalog, cs_url)
    lang, _source = language_value(params, vs, vs_language=True)
    return ValidateRequest(
        valueset=vs, codesystem=cs_url, codings=codings, mode=mode, codeable_concept=cc,
        infer_system=bool(params.bool("inferSystem", False)),
        languages=parse_languages(lang) if lang else [],
        language_text=language_summary(lang),
        lenient_display=bool(params.bool("lenient-display-validation", False)),
        active_only=bool(params.bool("activeOnly", False)),
        membership_only=bool(params.bool("valueset-membership-only", False)),
        abstract_ok=params.bool("abstract", True) is not False,
        date=params.str("date"),
        rules=rules if rules is not None else version_rules(params),
        supplements=supplements_for(catalog, params, vs, canonical_url(cs_url)),
    )


def render_result(res) -> dict:
    out = [{"name": "result", "valueBoolean": res.result}]
    for name, key, value in res.params:
        out.append({"name": name, key: value})
    msg = res.message
    if msg:
        out.append({"name": "message", "valueString": msg})
    if res.issues:
        out.append({"name": "issues", "resource": {"resourceType": "OperationOutcome", "issue": [
            _issue(i) for i in res.issues]}})
    return {"resourceType": "Parameters", "parameter": out}


def _refuse_two_versions(params, name: str, contradiction_ok: bool = False) -> None:
    """The coding is what is validated: where the version parameter is the more specific of two that agree
    (0.1.0 against the coding's 0.1), the coding takes it. Two versions that cannot be one are refused, unless
    `contradiction_ok` (CodeSystem/$validate-code's `version`: the engine validates against it and reports the
    coding's version as differing, as the reference servers do)."""
    coding = params.get("coding")
    if isinstance(coding, str) and "|" in coding:
        coding = coding_param(params, "coding")     # a query's system|version|code names a version too
    if isinstance(coding, dict) and coding.get("version"):
        asked = params.str(name)
        if contradiction_ok and asked and one_version(asked, coding["version"]) is None:
            return      # the engine validates against `asked` and reports the coding's version as differing
        used = refuse_two_versions("$validate-code", name, asked, coding)
        if used != coding["version"]:
            at = next(i for i, (n, _v) in enumerate(params.items) if n == "coding")
            params.items[at] = ("coding", {**coding, "version": used})


@operation("ValueSet", "validate-code")
def validate_valueset(catalog, params, instance):
    _refuse_names_nothing(params, VALUE_SET)
    _refuse_two_versions(params, "systemVersion")
    coding = params.get("coding")
    if isinstance(coding, dict) and params.str("code") is None:
        refuse_two_systems(catalog, params.str("system"), coding)
    catalog = supplied_catalog(catalog, params)
    vs, rules = resolve_valueset(catalog, params, instance, with_rules=True,
                                 missing="No ValueSet specified - provide url parameter or valueSet resource")
    catalog = with_contained(catalog, vs)
    return render_result(validate_code(catalog, _request(catalog, params, vs, rules=rules))), 200


@operation("CodeSystem", "validate-code")
def validate_codesystem(catalog, params, instance):
    _refuse_names_nothing(params, CODE_SYSTEM)
    _refuse_two_versions(params, "version", contradiction_ok=True)
    _refuse_two_versions(params, "systemVersion")
    extra = []
    cs_res = params.get("codeSystem")
    if cs_res is not None:
        if not isinstance(cs_res, dict) or cs_res.get("resourceType") != "CodeSystem":
            raise InvalidRequest("parameter 'codeSystem' must carry a CodeSystem resource", location="codeSystem")
        extra.append(checked(cs_res, "codeSystem"))
    if instance is not None and not instance.get("url"):
        extra.append(instance)
    elif instance is not None and instance.get("version") and not (params.str("version") or
                                                                  params.str("systemVersion")):
        # the stored index of this very version, not one built again from the instance
        params.items.append(("version", instance["version"]))
    # in one layer with the tx-resources, after them (a tx-resource wins a tie of url and version)
    catalog = supplied_catalog(catalog, params, also=extra)
    url = (instance or cs_res or {}).get("url") or params.str("url") or params.str("system")
    coding = params.get("coding")
    if url is None and isinstance(coding, str) and "|" in coding:
        coding = coding_param(params, "coding")     # GET's `system|code` shorthand names the system too
    if url is None and isinstance(coding, dict):
        url = coding.get("system")
    cc = params.get("codeableConcept")
    codings = cc.get("coding") if isinstance(cc, dict) else None
    first = codings[0] if isinstance(codings, list) and codings else None
    if url is None and isinstance(first, dict):
        # the code system of the first coding, as the reference servers take it: one without a system is an
        # answer (the engine's: false, "Coding has no system"), whatever the codings after it name
        url = first.get("system") or None
    elif url is None and isinstance(cc, dict):
        # only text: no code system to validate against (the reference servers have no answer for it)
        raise InvalidRequest("name the code system with 'url' (or give a coding with a system)", location="url")
    if url is None and not isinstance(coding, dict) and not isinstance(first, dict):
        # a bare code (or nothing): the reference servers find no code to validate. A coding without a system is
        # an answer instead (the engine's: false, "Coding has no system"). The issue is the reference's to the
        # element: the HL7 runner does not clean a CodeSystem/$validate-code error of diagnostics, as it does the
        # other operations' (TxTester.validateCS), so a hint there would be an element the expected answer lacks
        raise InvalidRequest(NOTHING_TO_VALIDATE_CS)
    url, version = split_canonical(url)
    if version and "version" not in params:
        params.items.append(("version", version))
    req = _request(catalog, params, None, url)
    if req.mode != "code":
        # the version validated against; each coding's own version is compared with it (in code mode it is
        # the coding's version already)
        req.codesystem_version = params.str("version") or None
    return render_result(validate_code(catalog, req)), 200

"""What $expand, $validate-code and $related share at the API edge: finding the value set a request names,
the wanted languages, the supplements and the version rules a request gives."""
from __future__ import annotations

from terminology.errors import InvalidRequest, NotSupported
from terminology.identifiers import canonical
from terminology.implicit import resolve as resolve_implicit
from terminology.languages import check_display_language
from terminology.operations.compose_checks import check_outline, vs_canonical
from terminology.operations.expand import vs_parameter
from terminology.operations.revision_cache import stored_body
from terminology.operations.version_rules import SystemVersionRules, find_valueset, missing_valueset, \
    requested_valueset
from terminology.supplements import SupplementSet, supplied_lang_packs, valueset_supplement_refs, valueset_systems

from .http_headers import accept_language
from .supplied import checked


def language_value(params, vs: dict | None = None,
                   vs_language: bool = False) -> tuple[str | None, str | None]:
    """(raw displayLanguage list, where it came from): parameter, then header, then the value set
    (its displayLanguage expansion parameter, and with `vs_language` its own language). A parameter that is
    no language list is refused (400); the header and the value set are taken as they are."""
    value = params.str("displayLanguage")
    if value:
        check_display_language(value)
        return value, "param"
    header = accept_language()
    if header:
        return header, "header"
    if vs is not None:
        v = vs_parameter(vs, "displayLanguage")
        if isinstance(v, str) and v:
            return v, "valueset"
        if vs_language and isinstance(vs.get("language"), str):
            return vs["language"], "valueset"
    return None, None


# what an operation answers when no value set is named (the reference servers' wording for $expand)
NO_VALUESET = "Must provide either a ValueSet resource or a url parameter"


class NotUnderstood(InvalidRequest):
    """A value set that carries what changes its meaning in a way this server does not know."""
    issue_code = "business-rule"


def refuse_modifiers(vs: dict, catalog=None) -> None:
    """R4 (extensibility.html#modifierExtension): a system that does not understand a modifier extension must not
    process the element that carries it, and implicitRules are rules it cannot know; the reference server refuses
    both for the value set, its compose, each include and exclude, concept and filter (FHIRsmith
    Extensions.checkNoModifiers, checkNoImplicitRules). A body of `catalog`'s own (the same object request after
    request until the store changes: revision_cache.stored_body) is kept once found sound; so is a large one a
    request sends (the same object only within a batch), a few of them."""
    if _SOUND.get(id(vs)) is vs or _SOUND_SENT.get(id(vs)) is vs:
        return
    name = vs_canonical(vs) or vs.get("id") or "(no url)"
    if isinstance(vs.get("implicitRules"), str):
        raise NotUnderstood(f"Cannot process ValueSet {name}: it has implicit rules {vs['implicitRules']} that "
                            "Kodebro does not understand")
    compose = vs.get("compose") if isinstance(vs.get("compose"), dict) else {}
    listed = 0
    for part in _modifier_holders(vs, compose):
        listed += 1
        if "modifierExtension" in part:
            for ext in part.get("modifierExtension") or ():
                url = ext.get("url") if isinstance(ext, dict) else None
                raise NotUnderstood(f"Cannot process ValueSet {name}: it has a modifier extension {url} that "
                                    "Kodebro does not understand")
    # kept by the object it is (so an edit, a new object, is read again)
    if catalog is not None and stored_body(catalog, vs):
        kept, cap = _SOUND, 256
    elif listed > 500:
        kept, cap = _SOUND_SENT, 32     # a request's bodies are not the store's: few, or a worker holds them all
    else:
        return
    if len(kept) >= cap:
        kept.clear()
    kept[id(vs)] = vs


_SOUND: dict[int, dict] = {}
_SOUND_SENT: dict[int, dict] = {}


def _modifier_holders(vs: dict, compose: dict):
    yield vs
    yield compose
    for kind in ("include", "exclude"):
        for part in compose.get(kind) or ():
            if isinstance(part, dict):
                yield part
                for key in ("concept", "filter"):
                    for x in part.get(key) or ():
                        if isinstance(x, dict):
                            yield x


def resolve_valueset(catalog, params, instance, required: bool = True, name: str = "valueSet",
                     missing: str = NO_VALUESET, with_rules: bool = False, expanding: bool = False):
    """The ValueSet the request is about: instance, `valueSet` resource, or `url` (+valueSetVersion), refused
    when it has a modifier extension (refuse_modifiers).
    `name`: the request parameter the `valueSet` resource came in ($related has two), for error messages;
    `missing`: the error text when none is named.
    `with_rules`: (value set, the version rules read from `params` to find it, None when none were read), so
    the operation's engine request takes them instead of reading them again; read only where they were (an
    instance or a url), so a request with two faults is refused for the same one as before.
    `expanding`: a url that names no value set held is worded as $expand words it."""
    vs, rules = _resolve_valueset(catalog, params, instance, required, name, missing, expanding)
    if vs is not None:
        refuse_modifiers(vs, catalog)
    return (vs, rules) if with_rules else vs


def _resolve_valueset(catalog, params, instance, required: bool, name: str, missing: str,
                      expanding: bool = False) -> tuple[dict | None, SystemVersionRules | None]:
    if params.get("context") is not None:
        # the reference servers' wording, whatever else names the value set: one chosen by the element it binds
        # is not offered, and a context beside a value set named otherwise would be silently passed over
        raise NotSupported("The context parameter is not yet supported", location="context",
                           tx_code="not-supported")
    if instance is not None:
        check_outline(instance)
        # the instance is the version asked for; a valueSetVersion (or forced version) naming another one is a
        # contradiction, and a check refuses it as it refuses any value set read in another version
        requested_valueset(instance.get("url"), params.str("valueSetVersion") or None, instance.get("version"))
        rules = version_rules(params)
        rules.check_instance(instance)
        return instance, rules
    vs = params.get("valueSet")
    if vs is not None:
        if not isinstance(vs, dict) or vs.get("resourceType") != "ValueSet":
            raise InvalidRequest(f"parameter '{name}' must carry a ValueSet resource", location=name)
        return checked(vs, name), None
    res = params.get("resource")
    if isinstance(res, dict) and res.get("resourceType") == "ValueSet":
        return checked(res, "resource"), None
    url = params.str("url")
    if url is None:
        if required:
            raise InvalidRequest(missing, location="url")
        return None, None
    sent = (url, params.str("valueSetVersion") or None)
    url, version = requested_valueset(*sent)    # empty: not given
    rules = version_rules(params)
    picked = rules.pick_valueset_version(catalog, url, version)     # as for an import
    found = find_valueset(catalog, url, picked) or resolve_implicit(catalog, canonical(url, picked))
    if found is None:
        # $expand names the value set as sent, or the version a rule chose instead of it
        asked = None if not expanding else sent if picked == version else (url, picked)
        raise missing_valueset(catalog, url, picked, asked=asked)     # 422: errors.NotHeld
    check_outline(found)
    rules.check_valueset(found)
    return found, rules


def supplements_for(catalog, params, vs: dict | None, system: str | None = None):
    """The supplements a request names (useSupplement, the value set's valueset-supplement extension); each
    must supplement a system the value set (or the code system `system`) uses, as $lookup requires."""
    refs = [str(v) for v in params.all("useSupplement")]
    refs += valueset_supplement_refs(vs)     # any value[x] of the extension
    packs = supplied_lang_packs(catalog)     # language packs apply unasked
    if not refs and not packs:
        return None
    systems = valueset_systems(catalog, vs) if vs is not None else \
        {system, catalog.canonical_system(system)} if system else None
    return SupplementSet(catalog, refs, systems, packs)


def version_rules(params) -> SystemVersionRules:
    return SystemVersionRules.parse(params.all("system-version"), params.all("force-system-version"),
                                    params.all("check-system-version"), params.all("default-valueset-version"),
                                    params.all("force-valueset-version"), params.all("check-valueset-version"), date=params.get("date"))

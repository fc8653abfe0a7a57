"""The wording of $validate-code messages (codings, displays, versions, partial content, deprecation marks),
as the reference servers write them, so that clients that match on them keep working.
"""
from __future__ import annotations

from ..codesystem import STANDARDS_STATUS, standards_status_code
from ..languages import displays_in
from .validate_outcome import Locations
from .version_rules import unknown_version_tail

VS_DEPRECATED = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"


def coding_text(c: dict, with_display: bool = True) -> str:
    sys = c.get("system") or ""
    ver = f"|{c['version']}" if c.get("version") else ""
    disp = f" ('{c['display']}')" if with_display and c.get("display") else ""
    return f"{sys}{ver}#{c.get('code') or ''}{disp}"


# content -> (why an unknown code may still exist, the word for it): the reference servers' wording. An example
# gets the fragment text: fhirserver and FHIRsmith say UNKNOWN_CODE_IN_FRAGMENT for any content but complete
_FRAGMENT = ("the code system is labeled as a fragment, so the code may be valid in some other fragment", "Code")
UNKNOWN_CODE_REASONS = {
    "fragment": _FRAGMENT,
    "example": _FRAGMENT,
    "not-present": ("the code system's content is not held by this server", "code"),
}


def same_display(text: str, display: str) -> bool:
    """Displays are compared without regard to case, as the reference servers compare them: 'display 1' is a
    way of writing 'Display 1', not another name."""
    return text == display or text.casefold() == display.casefold()


def has_text(concept, cs, display: str) -> bool:
    """Whether `display` is one of `concept`'s texts in index `cs` (any language, case ignored, `same_display`): how
    a display is found in another version or edition than the one that refused it."""
    return any(same_display(t, display) for _l, t in displays_in(concept, cs, None))


def display_choice(lang: str | None, text: str) -> str:
    """'text' (lang), or just 'text' when its language is not known."""
    return f"'{text}' ({lang})" if lang else f"'{text}'"


def version_loc(locs: "Locations") -> str:
    return f"{locs.path}.version" if locs.path else "version"


def mismatch_text(system: str, vs_version: str, coding_version: str) -> str:
    return (f"The code system '{system}' version '{vs_version}' in the ValueSet include is different to the one "
            f"in the value ('{coding_version}')")


def resulting_text(system: str, used: str, named: str, coding_version: str) -> str:
    """A version mismatch where the version used is not the one the include names: a rule replaced it, or the
    include names none (`named` = ''; the reference servers' wording keeps the empty version)."""
    return (f"The code system '{system}' version '{used}' resulting from the version '{named}' in the ValueSet "
            f"include is different to the one in the value ('{coding_version}')")


def unknown_version_text(system: str, version: str, known) -> str:
    return (f"A definition for CodeSystem '{system}' version '{version}' could not be found, so the code cannot be "
            f"validated. {unknown_version_tail(known)}")


def presence_status(ext: dict) -> str | None:
    """The status a value set concept extension gives the concept's presence there: 'deprecated' (the
    valueset-deprecated flag, or that standards status) or 'withdrawn' (standards status); None otherwise."""
    if ext.get("url") == VS_DEPRECATED:
        return "deprecated" if str(ext.get("valueCode", ext.get("valueBoolean"))).lower() == "true" else None
    if ext.get("url") == STANDARDS_STATUS and ext.get("valueCode") in ("deprecated", "withdrawn"):
        return ext["valueCode"]
    return None


# Nothing to validate: the reference servers' words (FHIRsmith validate.js, tx.fhir.org), kept exactly as they
# write them, the unclosed bracket of the ValueSet one included, since clients compare the text
NOTHING_TO_VALIDATE_VS = ("Unable to find code to validate (looked for coding | codeableConcept | code+system | "
                          "code+inferSystem in parameters")
NOTHING_TO_VALIDATE_CS = "Unable to find code to validate (looked for coding | codeableConcept | code in parameters)"


# designation statuses that make a designation no longer a correct display (FHIRsmith designations.js isActive:
# a deprecated designation is still correct)
INACTIVE_DESIGNATION = ("withdrawn", "inactive")


def designation_status(d: dict) -> str:
    """The status a designation's standards-status extension gives it; 'active' without one."""
    return standards_status_code(d.get("extension") or ()) or "active"


def inactive_display_text(display: str, code: str, allowed: list[str], status: str) -> str:
    """A display that is only an inactive designation's. The reference wording (one allowed display or many:
    tx.fhir.org says "one of" for a single one too); the displays are joined by ',' as FHIRsmith joins them."""
    text = f"'{display}' is no longer considered a correct display for code '{code}' (status = {status})."
    return f"{text} The correct display is one of {','.join(allowed)}" if allowed else text

"""Whether the display a coding gives is a valid display of its concept in the languages asked for
(`DisplayCheck`, part of Validator), and the issue that says why not.
"""
from __future__ import annotations

from ..languages import displays_in, is_listed_display, texts_in
from .display_choice import EntryText, entry_displays
from .validate_outcome import Issue, Outcome
from .validate_texts import (INACTIVE_DESIGNATION, designation_status, display_choice, inactive_display_text,
                             same_display)


class DisplayCheck:
    """The display checking part of Validator. A mixin: it reads the Validator's `req` and calls
    `_concept_entry_in` and `_include_language` (the value set's own entry for a code, whose display, its
    translations and designations are valid displays too, and the language they are in)."""

    def _concept_text(self, system: str, code: str, cs) -> EntryText | None:
        """What the value set's own entry for `system#code` says of its text, in the language of the value set
        that lists it (one it imports speaks its own)."""
        if self.req.valueset is None:
            return None
        entry, inc = self._concept_entry_in(system, code, cs)
        return EntryText.of_entry(entry, self._include_language(inc)) if entry else None

    @staticmethod
    def _listed(o: Outcome, text: EntryText | None, wanted: list | None) -> list[tuple[str | None, str]]:
        """The displays a wrong-display message offers (in the `wanted` languages when given): the code system's
        and the value set's, but not designations of a use that is no display (`languages.is_listed_display`)."""
        listed = displays_in(o.concept, o.cs, wanted or None, listed_only=True)
        if text is not None:
            listed = listed + entry_displays(text, o.cs, wanted or None, listed_only=True)
        return listed

    def _check_display(self, o: Outcome, display: str | None, loc: str) -> None:
        if not display:
            return
        req, concept, cs = self.req, o.concept, o.cs
        # '*' (with q > 0: '*;q=0' entries are gone already) makes any language acceptable: then every
        # display and designation of the concept is a valid display
        langs = req.languages or []
        wanted = [] if "*" in langs else list(langs)
        options = displays_in(concept, cs, wanted or None)
        if any(same_display(text, display) for _lang, text in options):
            if concept.designations and not (concept.display and same_display(concept.display, display)):
                self._check_display_status(o, display, loc, wanted)
            return
        every = displays_in(concept, cs, None)
        text = self._concept_text(o.system, concept.code, cs)
        if text is not None:
            # the display (its translations, the designations) a value set gives its concept are valid displays
            # of it there (the display returned stays the code system's)
            own = entry_displays(text, cs)
            options = options + (entry_displays(text, cs, wanted) if wanted else own)
            # the value set's own display of the concept is in no language of its own: valid whatever language
            # is asked for (as in FHIRsmith and the Pascal server)
            if any(same_display(t, display) for _lang, t in options) or (
                    text.display and same_display(text.display, display)):
                return
            every = every + own
        if not every:
            # the concept has no display in any language: there is nothing to compare the display given with, and
            # (as the reference servers) nothing to say about it
            return
        # a list of '*' only names no language: '' (as the reference servers write it), not '--' (none asked)
        lang_text = "--" if req.language_text is None else req.language_text
        sev = "warning" if req.lenient_display else "error"
        ident = f"{o.system}#{concept.code}"
        if wanted and not options:
            # with no display in the languages asked for, a display in the code system's own language (or in none)
            # is still acceptable; one valid only in some other language is not
            if any(same_display(text, display) for _l, text in self._default_displays(concept, cs)):
                o.issues.append(Issue("information", "invalid", "invalid-display",
                                      f"There are no valid display names found for the code {ident} for language(s) "
                                      f"'{lang_text}'. The display is '{display}' which is a valid display for the "
                                      f"default language", loc))
                return
            # a concept with designations only has no default display to name
            default = f". Default display is '{concept.display}'" if concept.display else ""
            o.issues.append(Issue(sev, "invalid", "invalid-display",
                                  f"Wrong Display Name '{display}' for {ident}. There are no valid display names found "
                                  f"for language(s) '{lang_text}'{default}", loc))
            if sev == "error":
                o.ok = False
            return
        norm = " ".join(display.split()).casefold()
        ws = any(" ".join(text.split()).casefold() == norm for _l, text in options)
        shown = self._listed(o, text, wanted) if options else []
        shown = shown or self._listed(o, text, None) or options or every
        if len(shown) == 1:
            valid = f"Valid display is {display_choice(*shown[0])}"
        else:
            choices = [display_choice(lang, t) for lang, t in shown]
            valid = (f"Valid display is one of {len(shown)} choices: "
                     + ", ".join(choices[:-1]) + " or " + choices[-1])
        head = "Wrong whitespace in Display Name" if ws else "Wrong Display Name"
        o.issues.append(Issue(sev, "invalid", "invalid-display",
                              f"{head} '{display}' for {ident}. {valid} (for the language(s) '{lang_text}')", loc))
        if sev == "error":
            o.ok = False

    @staticmethod
    def _default_displays(concept, cs) -> list[tuple[str | None, str]]:
        """The concept's displays in its code system's language, or in no stated language."""
        cs_lang = getattr(cs, "language", None)
        texts = displays_in(concept, cs, [cs_lang] if cs_lang else None)
        return texts if cs_lang else [(lang, t) for lang, t in texts if lang is None]

    def _check_display_status(self, o: Outcome, display: str, loc: str, wanted: list) -> None:
        """A display found only among withdrawn or inactive designations is no longer a correct display: a warning
        that names the correct ones (FHIRsmith checkDisplays, INACTIVE_DISPLAY_FOUND). The code stays valid and the
        warning stays out of `message`, as there."""
        concept, cs = o.concept, o.cs
        active, inactive = [], []
        for d in concept.designations:
            gone = isinstance(d, dict) and designation_status(d).lower() in INACTIVE_DESIGNATION
            (inactive if gone else active).append(d)
        if not inactive:
            return
        text = self._concept_text(o.system, concept.code, cs)
        options = texts_in(concept.display, getattr(cs, "language", None), active, wanted or None)
        if text is not None:
            options = options + entry_displays(text, cs, wanted or None)
        if any(same_display(t, display) for _lang, t in options):
            return
        # every active display (of any language), once, in the order the concept gives them
        allowed: list[str] = [concept.display] if concept.display else []
        for d in active:
            v = d.get("value") if isinstance(d, dict) else None
            if isinstance(v, str) and v and is_listed_display(d) and v not in allowed:
                allowed.append(v)
        if text is not None:
            allowed += [t for _l, t in entry_displays(text, cs, None, listed_only=True) if t not in allowed]
        # the status of the designation the display matched (as written, else in another case)
        status = next((designation_status(d) for d in inactive if d.get("value") == display),
                      next((designation_status(d) for d in inactive
                            if isinstance(d.get("value"), str) and same_display(d["value"], display)), "inactive"))
        o.issues.append(Issue("warning", "invalid", "display-comment",
                              inactive_display_text(display, concept.code, allowed, status), loc, in_message=False))

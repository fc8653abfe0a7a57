"""Whether the display a coding gives is a valid display of its concept in the languages asked for
(`DisplayCheck`, part of Validator), and the issue that says why not.
"""
from __future__ import annotations

from ..languages import displays_in, language_matches
from .display_choice import EntryText, choose, entry_displays
from .validate_outcome import Issue, Outcome
from .validate_texts import display_choice, same_display


class DisplayCheck:
    """The display checking part of Validator. A mixin: it reads the Validator's `req` and calls `_concept_entry`
    (the value set's own entry for a code, whose display and designations are valid displays too)."""

    def _entry_text(self, entry: dict | None) -> EntryText | None:
        vs = self.req.valueset
        return EntryText.of_entry(entry, vs.get("language")) if vs is not None else None

    def _display_from_entry(self, o: Outcome, entry: dict | None) -> None:
        """The display returned for a concept the value set lists with text of its own: chosen by the rule
        $expand follows (display_choice.py), so it is the display the expansion shows."""
        if not entry or o.concept is None:
            return
        text = self._entry_text(entry)
        if text is not None:
            o.display = choose(text, o.concept, o.cs, self.req.languages).display

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
            return
        every = displays_in(concept, cs, None)
        entry = self._concept_entry(o.system, concept.code, cs) if req.valueset is not None else None
        text = self._entry_text(entry)
        if text is not None:
            # the display (its translations, the designations) a value set gives its concept are valid displays
            # of it there
            own = entry_displays(text, cs)
            options = options + [(lang, t) for lang, t in own
                                 if not wanted or lang is None or any(language_matches(w, lang) for w in wanted)]
            if any(same_display(t, display) for _lang, t in options):
                return
            every = every + own
        lang_text = req.language_text or "--"
        sev = "warning" if req.lenient_display else "error"
        ident = f"{o.system}#{concept.code}"
        if not every:
            # the concept has no display in any language: there is nothing to compare the display given with
            o.issues.append(Issue("information", "invalid", "invalid-display",
                                  f"The code {ident} has no display names, so the display '{display}' cannot be "
                                  f"checked", loc))
            return
        if wanted and not options:
            if any(same_display(text, display) for _l, text in every):
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
        shown = options or every
        if len(shown) == 1:
            valid = f"Valid display is {display_choice(*shown[0])}"
        else:
            valid = (f"Valid display is one of {len(shown)} choices: "
                     + " or ".join(display_choice(lang, t) for lang, t in shown))
        head = "Wrong whitespace in Display Name" if ws else "Wrong Display Name"
        o.issues.append(Issue(sev, "invalid", "invalid-display",
                              f"{head} '{display}' for {ident}. {valid} (for the language(s) '{lang_text}')", loc))
        if sev == "error":
            o.ok = False

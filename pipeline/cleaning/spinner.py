"""Damage left by article spinners: flagged, never repaired (the lost digits cannot be known)."""

from __future__ import annotations

import re

# Content-farm rewriters replace the digit 1 (and runs such as "10") with the string "65438+0" or
# "654.38+0", and sometimes leave only part of it: "65438年" (a year), "165438+8億", "12.5438+04億",
# "654.38+0億", "654.38 million" after machine translation. Any number carrying "65438" or "5438+<digit>"
# is damaged; "654.38" on its own is counted too (a genuine 654.38 is possible but rare; see docs).
CORRUPTED_NUMERAL = re.compile(r"65438|5438\+\d|654\.38")
# "* * *" inside a sentence: the spinner dropped words it could not rewrite. A line that is only
# "* * *" is a scene break, not damage.
ELISION = re.compile(r"\*\s\*\s\*")


def spinner_flags(lines: list[str]) -> list[str]:
    """Flags for spinner damage found in the cleaned lines."""
    flags = []
    if any(CORRUPTED_NUMERAL.search(line) for line in lines):
        flags.append("corrupted-numerals")
    if any(ELISION.search(line) and ELISION.sub("", line).strip() for line in lines):
        flags.append("elided-text")
    return flags

"""Characters a reader cannot see: the one list the loader refuses (``yaml-hidden-char``)
and the reporters escape (``output/escape.py``).

Two parts, as regular-expression character-class bodies:

* :data:`FORMAT_CHARS`: Unicode format characters (category Cf): zero-width characters, bidi
  controls that reorder what is displayed, the byte-order mark, tag characters;
* :data:`BLANK_CHARS`: the rest of Unicode's Default_Ignorable_Code_Point set (combining
  grapheme joiner U+034F, Hangul fillers U+115F/U+1160/U+3164/U+FFA0, Khmer inherent vowels
  U+17B4/U+17B5, Mongolian variation selectors U+180B-U+180F, variation selectors
  U+FE00-U+FE0F and U+E0100-U+E01EF, the unassigned U+2065, U+FFF0-U+FFF8 and
  U+E0000-U+E0FFF) and characters whose glyph is blank (U+2800 BRAILLE PATTERN BLANK,
  U+1D159 MUSICAL SYMBOL NULL NOTEHEAD). Each shows as nothing or as a blank that is not a
  space, so text that looks equal is not.

White space a reader sees as space (U+00A0, U+2000-U+200A, U+3000, ...) is in neither.
"""

from __future__ import annotations

FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
BLANK_CHARS = (
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2065\u2800\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufff8"
    "\U0001d159\U000e0000-\U000e0fff"
)

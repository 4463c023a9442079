"""Numbers typed on the command line (a metric's value, a size, a ``--where`` bound): the
plain forms every YAML and JSON reader takes alike, ASCII digits with a sign, a decimal
point and an exponent. Python's ``int()`` and ``float()`` take more: ``1_0`` (ten), digits
of other scripts (``１.５``), surrounding white space; a file holding ``1_0`` is refused by
the loader as read differently by different readers, so the command line takes none of them.
"""

from __future__ import annotations

import re

NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
INTEGER = re.compile(r"[-+]?[0-9]+")
MAX_DIGITS = 4300  # Python's own limit for int() of a decimal string


def parse_number(text: str) -> int | float | None:
    """The number ``text`` spells: an int without a point or an exponent, else a float (which
    may be infinite: 1e999); None when ``text`` is not one of the plain forms."""
    if INTEGER.fullmatch(text):
        return int(text) if len(text) <= MAX_DIGITS else float(text)
    return float(text) if NUMBER.fullmatch(text) else None

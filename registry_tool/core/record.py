"""Value classes that cost nothing to define.

``@dataclass`` writes each class's methods as source text and compiles them when its module
is imported: 0.5-1.8 ms per class, paid by every command before it reads a byte. Eight
such classes sat on the path of a pull request's check and of ``get`` (6.5 ms of about
60 ms of work beyond Python's own start at 2,000 models). The values on that path derive
from :class:`Record` instead: fields are ``__slots__`` set once in ``__init__`` (``Final``
for mypy: nothing reassigns them), and equality, hashing and ``repr`` come from the
fields a class lists in ``_fields``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    """Equality, hashing and ``repr`` by the fields in ``_fields`` (same class only)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _key(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"

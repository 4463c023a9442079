"""Names of model files: a model's name is its file's name without ``.yaml``, and two
names are the same file on a case-insensitive, normalising file system when they fold to
the same text."""

from __future__ import annotations

import unicodedata

MODEL_SUFFIX = ".yaml"


def model_name(file_name: str) -> str:
    """``faq-bot`` for the file name ``faq-bot.yaml`` (other names as they are; a name is
    taken whole, even one a crafted Git tree gives a '/')."""
    return file_name[: -len(MODEL_SUFFIX)] if file_name.endswith(MODEL_SUFFIX) else file_name


def model_name_of_path(path: str) -> str:
    """``faq-bot`` for the repository path ``models/faq-bot.yaml``."""
    return model_name(path.rpartition("/")[2])


def model_file_name(name: str) -> str:
    """``faq-bot.yaml`` for the model ``faq-bot``."""
    return name + MODEL_SUFFIX


def fold(name: str) -> str:
    """The name as case-insensitive, normalising file systems see it."""
    return name.lower() if name.isascii() else unicodedata.normalize("NFKC", name).casefold()

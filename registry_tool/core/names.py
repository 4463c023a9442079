"""Names of model files: a model's name is its file's name without ``.yaml``, and two
names are the same file on a case-insensitive, normalising file system when they fold to
the same text."""

from __future__ import annotations

import re
import unicodedata

MODEL_SUFFIX = ".yaml"
NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")  # the schema's model name pattern
NAME_MAX = 100  # the schema's maxLength
NAME_RULE = "lower-case letters and digits separated by single '.', '_' or '-'"


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a model name (the schema's rule), or None when it is one."""
    if not NAME.fullmatch(name):
        return NAME_RULE
    if len(name) > NAME_MAX:
        return f"at most {NAME_MAX} characters, not {len(name)}"
    return None


def is_model_name(name: str) -> bool:
    return name_problem(name) is None


def is_model_file_name(file_name: str) -> bool:
    """``faq-bot.yaml``: a model's name and ``.yaml``; any other name in the models folder
    is not a model file (``.yaml``, ``FOO.yaml``, ``notes.txt``)."""
    end = len(file_name) - len(MODEL_SUFFIX)  # name_problem's test, inline: each entry of a 50,000-file listing asks
    return 0 < end <= NAME_MAX and file_name.endswith(MODEL_SUFFIX) and NAME.fullmatch(file_name, 0, end) is not None


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

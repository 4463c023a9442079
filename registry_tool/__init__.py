"""registry-tool: a GitOps model registry.

The Python API for deploy tools and scripts::

    from registry_tool import open_registry
    reg = open_registry(".")
    snap = reg.at("main")
    snap.model("faq-bot").production.artifact.uri
    reg.edit(branch="promote").promote("faq-bot", "1.1.0", "production").apply()

The API is imported on first use (module ``__getattr__``), so ``import registry_tool``
stays cheap and the CLI loads only what a command needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry_tool.errors import EditRefused, NotFound, RegistryError

if TYPE_CHECKING:  # what type checkers see; at run time the names are imported on first use
    from registry_tool.core.model import Artifact, Binding, Model, ModelVersion, Stage
    from registry_tool.edit.api import Change, EditableRegistry, RegistryEditor, open_registry
    from registry_tool.read.api import Registry, RegistrySnapshot

__version__ = "0.1.0"

__all__ = [
    "Artifact",
    "Binding",
    "Change",
    "EditRefused",
    "EditableRegistry",
    "Model",
    "ModelVersion",
    "NotFound",
    "Registry",
    "RegistryEditor",
    "RegistryError",
    "RegistrySnapshot",
    "Stage",
    "open_registry",
]

_LAZY = {
    "open_registry": "edit.api", "EditableRegistry": "edit.api", "RegistryEditor": "edit.api", "Change": "edit.api",
    "Registry": "read.api", "RegistrySnapshot": "read.api",
    "Model": "core.model", "ModelVersion": "core.model", "Artifact": "core.model", "Binding": "core.model",
    "Stage": "core.model",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'registry_tool' has no attribute '{name}'")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""registry-tool: a GitOps model registry.

The Python API for deploy tools and scripts::

    from registry_tool import open_registry
    reg = open_registry(".")
    snap = reg.at("main")
    snap.model("faq-bot").production.artifact.uri
"""

from __future__ import annotations

from .errors import RegistryError

__all__ = ["RegistryError"]

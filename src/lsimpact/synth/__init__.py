"""Seeded generators of synthetic raw data with known true effects.

``lsimpact.synth.<dataset>(seed=..., **true_effects)`` returns ``(raw DataFrame, truth)``
where ``truth`` is a dict of the effects built in. Generators are looked up lazily so that
importing lsimpact does not import every generator.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

# public name -> (module, function)
_GENERATORS: dict[str, tuple[str, str]] = {
    "followers": ("lsimpact.synth.followers_log", "followers"),
    "province_panel": ("lsimpact.synth.province_panel", "province_panel"),
    "occupation_observations": ("lsimpact.synth.occupation_video", "occupation_observations"),
}


def __getattr__(name: str) -> Any:
    if name in _GENERATORS:
        module, func = _GENERATORS[name]
        return getattr(importlib.import_module(module), func)
    raise AttributeError(f"module 'lsimpact.synth' has no generator '{name}'")


class _SynthPackage(types.ModuleType):
    """Importing a submodule named like its generator (``province_panel``) binds the module
    to the package attribute; always hand out the generator function instead."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if name in _GENERATORS and isinstance(value, types.ModuleType):
            return getattr(value, _GENERATORS[name][1])
        return value


sys.modules[__name__].__class__ = _SynthPackage


def available() -> list[str]:
    """Names of the generators."""
    return sorted(_GENERATORS)

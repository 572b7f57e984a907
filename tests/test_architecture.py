"""The import graph points down: no cycle, no import from a lower floor to a higher one.

Floors (ARCHITECTURE.md): a module may import modules of its own floor's group only when
the group is a package (``clean``, ``models`` ...), and modules of lower floors freely.
Function-level imports count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import lsimpact

ROOT = Path(lsimpact.__file__).parent

#: Lowest floor first. Names are top-level modules or subpackages of ``lsimpact``.
FLOORS: list[set[str]] = [
    {"errors", "_version"},
    {"config"},  # names its errors, and the version of the per-user cache
    {"io", "parse", "schemas", "contract", "formatting"},
    {"catalog", "clean", "engines", "plots"},
    {"datasets", "models", "synth"},
    {"tables", "manifest"},
    {"exhibits", "studies"},
    {"report", "project"},
    {"cli", "__init__"},
    {"__main__"},
]
FLOOR = {name: i for i, names in enumerate(FLOORS) for name in names}


def _unit(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> set[str]:
    """The lsimpact units (top-level modules / subpackages) ``path`` imports."""
    rel = path.relative_to(ROOT)
    pkg = list(rel.parts[:-1])  # package of the module, relative to lsimpact
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
                names = [a.name for a in node.names]
                out |= {(target + [n])[0] for n in names} if not target else {target[0]}
            elif node.module and node.module.split(".")[0] == "lsimpact":
                parts = node.module.split(".")[1:]
                out |= {parts[0]} if parts else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "lsimpact" and len(parts) > 1:
                    out.add(parts[1])
    return out


def test_every_module_is_on_a_floor():
    units = {_unit(p) for p in ROOT.rglob("*.py")}
    assert units <= set(FLOOR), f"put these on a floor: {sorted(units - set(FLOOR))}"


def test_imports_point_down_only():
    bad = []
    for path in ROOT.rglob("*.py"):
        me = _unit(path)
        for dep in _imports(path) - {me}:
            if dep in FLOOR and FLOOR[dep] >= FLOOR[me]:
                bad.append(
                    f"{path.relative_to(ROOT)} ({me}, floor {FLOOR[me]}) imports {dep} "
                    f"(floor {FLOOR[dep]})"
                )
    assert not bad, "\n".join(sorted(bad))

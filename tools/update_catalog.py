"""Maintainer tool: refresh ``bytes`` and ``hash`` of every resource in data/raw/datapackage.json.

Run after (re)generating a shipped synthetic file or adding a resource entry by hand:

    .venv/bin/python tools/update_catalog.py

Pipeline code never writes data/raw; this script is the only thing that touches the
catalogue, and only when a maintainer runs it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lsimpact.catalog import file_sha256

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def main() -> None:
    pkg_path = RAW / "datapackage.json"
    pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    for res in pkg["resources"]:
        p = RAW / res["path"]
        res["bytes"] = p.stat().st_size
        res["hash"] = "sha256:" + file_sha256(p)
    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"updated {len(pkg['resources'])} resources in {pkg_path}")


if __name__ == "__main__":
    main()

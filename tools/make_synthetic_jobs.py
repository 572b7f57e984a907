"""Maintainer tool: write data/raw/province_panel.csv from its seeded generator.

    .venv/bin/python tools/make_synthetic_jobs.py && .venv/bin/python tools/update_catalog.py

The seed and true effects are read from the catalogue entry ``province_panel`` (so the
catalogue is the single truth record); a test regenerates the file in memory and checks
the bytes equal the shipped ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lsimpact.synth.province_panel_gen import province_panel, to_csv_bytes

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def main() -> None:
    pkg = json.loads((RAW / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == "province_panel")
    truth = res["true_effects"]
    df, _ = province_panel(
        seed=res["seed"],
        effect_employment=truth["effect_employment"],
        effect_income=truth["effect_income"],
    )
    out = RAW / res["path"]
    out.write_bytes(to_csv_bytes(df))
    print(f"wrote {out} ({len(df)} rows); now run tools/update_catalog.py")


if __name__ == "__main__":
    main()

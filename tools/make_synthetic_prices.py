"""Maintainer tool: write the synthetic price files in data/raw/ and their catalogue entries.

    .venv/bin/python tools/make_synthetic_prices.py

One seeded simulation (``lsimpact.synth.prices_daily_gen.simulate``) makes four files
that belong together: ``prices_observations.csv`` (scraped price log),
``live_sessions.csv`` (session calendar), ``purchases.csv`` (purchases with timestamps)
and ``wholesale_quotes.csv`` (wholesale market quotes in the public Chinese format). The
script records seed, generator and true effects in data/raw/datapackage.json and refreshes
bytes and hashes (tools/update_catalog.py). ``tests/test_prices_synth.py`` regenerates the
files in memory and checks they equal the shipped bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lsimpact.synth import prices_daily_gen as gen  # noqa: E402

SEED = 20231216
CC0 = [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}]

#: resource name -> (path, generator function, title, description, fields)
FILES: dict[str, tuple[str, str, str, str, list[tuple[str, str]]]] = {
    "prices_observations": (
        "prices_observations.csv",
        "prices_daily",
        "SYNTHETIC scraped price log: 220 products x 4 channels, 2023-09-01..2024-02-29",
        "Seeded synthetic price observations, one row per product x channel x observation "
        "time, as a researcher's scraper records them: two live rooms, the brand store and "
        "another platform; categories fresh food, packaged food, beauty, household; prices "
        "as written (¥88, 88元, ￥88.00, 44.5元/斤), packs as written (400g*2, 2袋×500g, "
        "净含量1.2kg, full-width), 2 % rows without product id, 60 unreadable prices, "
        "exact duplicates. Live-session promotions with known persistence by category; "
        "the frozen-shrimp product P0001 listed at 128 and sold at 88 yuan in a session "
        "on 2023-12-16 (the published Economic Daily example).",
        [
            ("product_id", "Product id (blank on 2 % of rows: align by name + brand + pack)"),
            ("product_name", "Product name as listed"),
            ("brand", "Brand"),
            ("category", "fresh food, packaged food, beauty or household"),
            ("channel", "Channel name (a live room, the brand store, another platform)"),
            ("channel_type", "live, store or other"),
            ("observed_at", "Observation time, Beijing time unless an offset (+08:00, Z) is given"),
            ("list_price", "List (original) price as written, yuan per pack; blank when not shown"),
            (
                "paid_price",
                "Price paid after coupons as written (yuan per pack, or per 斤 when so written)",
            ),
            ("pack", "Pack size as written"),
            ("units_sold", "Units sold as displayed by a live room (blank elsewhere)"),
        ],
    ),
    "live_sessions": (
        "live_sessions.csv",
        "live_sessions",
        "SYNTHETIC live-session calendar of the two live rooms (one row per session x product)",
        "Sessions in which a product was promoted, from the same simulation as "
        "prices_observations.csv; times are Beijing time.",
        [
            ("session_id", "Session id (场次)"),
            ("channel", "Live room"),
            ("start", "Session start (开播时间), Beijing time"),
            ("end", "Session end (下播时间), Beijing time"),
            ("product_id", "Product promoted in the session"),
        ],
    ),
    "purchases": (
        "purchases.csv",
        "purchases",
        "SYNTHETIC purchases with timestamps (15,000 orders) for the price-protection analysis",
        "Orders from the same simulation as prices_observations.csv: half during live "
        "sessions at the session price, half at any time in any channel at that day's "
        "price; Beijing time.",
        [
            ("purchase_id", "Order id"),
            ("buyer_id", "Buyer id (buyers repeat)"),
            ("product_id", "Product id"),
            ("channel", "Channel of the purchase"),
            ("purchased_at", "Purchase time, Beijing time"),
            ("paid_price", "Price paid per pack, yuan"),
            ("quantity", "Packs bought"),
        ],
    ),
    "wholesale_quotes": (
        "wholesale_quotes.csv",
        "wholesale_prices",
        "SYNTHETIC wholesale market quotes (9 fresh products, daily) in the public format",
        "Daily quotes as Chinese agricultural wholesale markets publish them (品名, 最低价, "
        "平均价, 最高价, 规格, 产地, 单位, 发布日期); units 斤, 公斤 and 只; some products quoted "
        "twice a day; 4 inconsistent rows. Shrimp (南美白虾) calibrated just above the "
        "published farm-gate price of size-60 vannamei (57-60 yuan/kg, Dec 2023 - Jan 2024); "
        "other levels not calibrated.",
        [
            ("品名", "Product (product)"),
            ("最低价", "Lowest price, yuan per 单位 (price_low)"),
            ("平均价", "Average price, yuan per 单位 (price_avg)"),
            ("最高价", "Highest price, yuan per 单位 (price_high)"),
            ("规格", "Grade / spec (spec)"),
            ("产地", "Origin (origin)"),
            ("单位", "Unit of the prices: 斤, 公斤 or 只 (unit)"),
            ("发布日期", "Publication date (date)"),
        ],
    ),
}


def to_bytes(df) -> bytes:
    """The exact bytes shipped (same as ``lsimpact synth NAME``)."""
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def render(name: str, seed: int = SEED) -> tuple[bytes, dict]:
    """Bytes of the shipped file ``name`` and the truth record."""
    path, fn, *_ = FILES[name]
    df, truth = getattr(gen, fn)(seed=seed)
    return to_bytes(df), truth


def resource(name: str, truth: dict) -> dict:
    """The datapackage entry of one shipped file."""
    path, fn, title, desc, fields = FILES[name]
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "description": desc,
        "synthetic": True,
        "generator": f"lsimpact.synth.prices_daily_gen.{fn}",
        "seed": SEED,
        "true_effects": truth,
        "sources": [
            {
                "title": "generated by lsimpact.synth.prices_daily_gen; calibrated to "
                "published_figures.csv where figures exist (shrimp 128 -> 88 yuan, Bain's "
                "30-60 % live discount range, farm-gate shrimp prices, aquatic CPI); other "
                "levels are assumptions (see the generator's docstring)"
            }
        ],
        "licenses": CC0,
        "schema": {
            "fields": [{"name": n, "type": "string", "description": d} for n, d in fields],
        },
    }


def main() -> None:
    pkg_path = ROOT / "data" / "raw" / "datapackage.json"
    pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    res = [r for r in pkg["resources"] if r["name"] not in FILES]
    total = 0
    for name, (path, *_) in FILES.items():
        data, truth = render(name)
        (ROOT / "data" / "raw" / path).write_bytes(data)
        res.append(resource(name, truth))
        total += len(data)
        print(f"wrote data/raw/{path} ({len(data) / 1e6:.2f} MB)")
    pkg["resources"] = res
    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "tools" / "update_catalog.py")], check=True)
    print(f"total {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

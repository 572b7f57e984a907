"""The fast paths of the follower cleaner agree with their plain definitions."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import lsimpact.clean.followers as fol
from lsimpact.clean import rules
from lsimpact.clean.followers import clean_snapshots, detect_glitches


def _nan_window_median(a: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference: the centred window of five same-account values, np.nanmedian."""
    n = len(v)
    win = np.full((n, 5), np.nan)
    for j, sh in enumerate(range(-2, 3)):
        for i in range(n):
            if 0 <= i + sh < n and a[i + sh] == a[i]:
                win[i, j] = v[i + sh]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med = np.nanmedian(win, axis=1)
    return med, (~np.isnan(win)).sum(axis=1) >= 3


def test_sorting_network_median_equals_nanmedian():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        a = np.sort(rng.integers(0, 5, n))
        # ties and repeated values on purpose: the median must match bit for bit
        v = rng.choice([1.0, 2.0, 3.0, 5.0, 8.0, 2.5], n) + rng.integers(0, 2, n) * rng.random(n)
        med, enough = fol._window_median_at(v, a, np.arange(len(v)))
        ref, ref_enough = _nan_window_median(a, v)
        assert (enough == ref_enough).all()
        assert (med[enough] == ref[enough]).all()


@pytest.mark.parametrize("seed", range(6))
def test_glitch_flags_are_the_rule_computed_on_every_row(seed):
    # The median is computed only where a value leaves its window's range by more than
    # the factor: the flags equal the rule applied to every row with np.nanmedian.
    rng = np.random.default_rng(seed)
    n = 600
    a = np.sort(rng.integers(0, 40, n))
    v = np.exp(rng.normal(8, 0.3, n)).round()
    v[rng.integers(0, n, 25)] *= rng.choice([0.1, 0.19, 0.21, 4.9, 5.1, 30.0], 25)
    v[rng.integers(0, n, 8)] = 0
    glitch, _ = detect_glitches(a, v, factor=5.0)
    nz = np.flatnonzero(v > 0)
    med, enough = _nan_window_median(a[nz], np.log(v[nz]))
    want = v <= 0
    want[nz[enough & (np.abs(np.log(v[nz]) - med) > np.log(5.0))]] = True
    assert (glitch == want).all() and want.sum() > 8


def test_glitch_blocks_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(1)
    a = np.sort(rng.integers(0, 300, 5000))
    v = np.exp(rng.normal(5, 1, 5000))
    v[::37] = 0
    v[5::101] *= 10
    g1, r1 = detect_glitches(a, v)
    monkeypatch.setattr(fol, "_GLITCH_BLOCK", 7)
    g2, r2 = detect_glitches(a, v)
    assert (g1 == g2).all() and (r1 == r2).all() and g1.sum() > 100


def test_equal_numbers_in_different_spellings_are_not_duplicates():
    log = pd.DataFrame(
        {
            "account_id": ["a"] * 4,
            "followers": ["20000", "2万", "20000", "2万"],
            "captured_at": ["2024-01-01 10:00"] * 4,
        }
    )
    c = clean_snapshots(log)
    # rows 3 and 4 repeat rows 1 and 2 exactly; "20000" and "2万" are different cells
    assert c.summary.duplicate_rows == 2 and c.summary.used_rows == 2
    assert c.data["n_snapshots"].tolist() == [2]


def test_rows_out_of_order_give_the_sorted_result():
    log = pd.DataFrame(
        {
            "account_id": ["b", "a", "b", "a", "a"],
            "followers": ["500", "100", "510", "101", "102"],
            "captured_at": [
                "2024-01-02 10:00",
                "2024-01-01 09:00",
                "2024-01-01 10:00",
                "2024-01-01 08:00",
                "2024-01-02 08:00",
            ],
        }
    )
    shuffled = clean_snapshots(log).data
    ordered = clean_snapshots(
        log.iloc[[3, 1, 4, 2, 0]].assign(source_row=[5, 3, 6, 4, 2]).reset_index(drop=True)
    ).data
    pd.testing.assert_frame_equal(shuffled, ordered)
    assert shuffled["followers"].tolist() == [100.0, 102.0, 510.0, 500.0]


def test_a_partition_without_usable_rows_is_empty_not_an_error():
    log = pd.DataFrame(
        {"account_id": ["a", "a"], "followers": ["x", "0"], "captured_at": ["2024-01-01"] * 2}
    )
    c = clean_snapshots(log, partition=True)
    assert len(c.data) == 0 and list(c.data.columns) == fol.PANEL_COLUMNS
    assert c.summary.quarantined_rows == 2
    c.summary.check()


@pytest.mark.parametrize("n_accounts", [60, 200])  # 200: > 2 MB, read as dictionaries
def test_categorical_read_gives_the_same_table_and_quarantine(tmp_path, n_accounts):
    """read_table(categorical=True) holds ids, names and labels as categoricals (what
    ``load`` does for a user's follower log): encoded after the read, or (a file over
    2 MB whose first rows repeat them) read straight into dictionaries. The cleaner's
    output must not change."""
    from lsimpact.io import read_table
    from lsimpact.synth import followers_daily

    raw, _ = followers_daily(seed=3, n_accounts=n_accounts, n_brand=2, n_host=2, launch=None)
    raw = raw.astype(str)
    rng = np.random.default_rng(0)
    bad = rng.choice(len(raw), 40, replace=False)
    raw.loc[bad[:10], "followers"] = "abc"  # unreadable counts
    raw.loc[bad[10:20], "captured_at"] = "2023-13-45"  # invalid dates
    raw.loc[bad[20:25], "account_id"] = ""  # blank id: the name stands in
    raw.loc[bad[25:30], "account_id"] = "合计"  # total rows
    raw.loc[bad[30:], "account_id"] = raw.loc[bad[30:], "account_id"].str.upper()  # case
    raw = pd.concat([raw, raw.iloc[:50]], ignore_index=True)  # exact duplicates
    path = tmp_path / "log.csv"
    raw.to_csv(path, index=False)
    plain = read_table(path)
    cat = read_table(path, categorical=True)
    assert len(plain) >= 16_384
    assert isinstance(cat["account_id"].dtype, pd.CategoricalDtype)
    assert isinstance(cat["group"].dtype, pd.CategoricalDtype)
    assert not isinstance(cat["followers"].dtype, pd.CategoricalDtype)
    a = clean_snapshots(plain, today="2026-01-01")
    b = clean_snapshots(cat, today="2026-01-01")
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_frame_equal(a.quarantine, b.quarantine)
    assert a.summary == b.summary
    assert len(a.quarantine) >= 30 and a.summary.duplicate_rows >= 50


def test_a_long_cell_in_a_column_read_as_a_dictionary_is_refused_with_its_line(tmp_path):
    from lsimpact.errors import InputError
    from lsimpact.io import read_table

    n = 120_000
    names = np.array([f"账号{i % 50}" for i in range(n)], dtype=object)
    names[n - 10] = "长" * 400_000  # 1.2 MB of UTF-8, far past the file's first rows
    df = pd.DataFrame({"account_id": names, "followers": np.arange(n)})
    path = tmp_path / "log.csv"
    df.to_csv(path, index=False)
    assert path.stat().st_size > 2 << 20
    with pytest.raises(InputError) as exc:
        read_table(path, categorical=True)
    assert exc.value.row == n - 10 + 2 and exc.value.column == "account_id"


@pytest.mark.parametrize("n", [0, 1, 6, 1000, 300_000])
def test_repeated_values_equal_pandas_duplicated(n):
    """The bucket-count passes find exactly the values that occur more than once."""
    rng = np.random.default_rng(n)
    h = rng.integers(0, 2**63, n, dtype=np.uint64)
    if n > 1:
        h[rng.choice(n, n // 10 + 1)] = h[rng.choice(n, n // 10 + 1)]
        h[: n // 3] &= np.uint64((1 << 22) - 1)  # many values share their low bits
    expected = np.flatnonzero(pd.Series(h).duplicated(keep=False).to_numpy())
    np.testing.assert_array_equal(rules.repeated_hashes(h), expected)


@pytest.mark.parametrize("shuffle", [False, True])
def test_exact_duplicates_equal_a_full_comparison(shuffle):
    """Grouped, time-ordered logs take the neighbour shortcut, others the hash route:
    both flag exactly the rows pandas' full comparison of the raw cells flags."""
    from lsimpact.synth import followers_daily

    raw, _ = followers_daily(seed=5, n_accounts=40, n_brand=2, n_host=2, launch=None)
    raw = raw.astype(str)
    rng = np.random.default_rng(1)
    copies = raw.iloc[rng.choice(len(raw), 300)].copy()
    copies.loc[copies.index[:50], "account_name"] = "renamed"  # same key, not a duplicate
    raw = pd.concat([raw, copies]).sort_index(kind="stable").reset_index(drop=True)
    if shuffle:
        raw = raw.sample(frac=1, random_state=2).reset_index(drop=True)
    from lsimpact.parse import count_arrays, wall_clock_ns

    df = fol._normalise_headers(raw)
    value = count_arrays(df["followers"])
    t_ns, _ = wall_clock_ns(df["captured_at"], "Asia/Shanghai")
    codes = {c: fol._text_codes(df[c], fol._IDENTITY_KIND[c])[0] for c in fol._IDENTITY_ORDER}
    got = fol._exact_duplicates(df, codes, value["value"], value["lower_bound"], t_ns)
    expected = raw[list(fol._RAW_COLUMNS)].duplicated(keep="first").to_numpy()
    np.testing.assert_array_equal(got, expected)
    assert expected.sum() >= 200


@pytest.mark.parametrize("n_labels", [1, 3, 200])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_most_frequent_label_is_the_reference_mode(seed, n_labels):
    # the count table (few labels) and the sorted pairs (many) against pandas: the most
    # frequent non-empty label per account, the first in sorted order among ties
    rng = np.random.default_rng(seed)
    texts = np.array(["", *(f"g{rng.integers(0, 10**6)}" for _ in range(n_labels))], dtype=object)
    texts = np.array(list(dict.fromkeys(texts)), dtype=object)
    rng.shuffle(texts)
    n_acc, n = 60, 400
    account = rng.integers(0, n_acc, n).astype(np.int32)
    label = rng.integers(0, len(texts), n)
    got = fol._most_frequent_label(account, label, texts, n_acc)
    frame = pd.DataFrame({"a": account, "t": texts[label]})
    frame = frame[frame["t"] != ""]
    counts = frame.groupby(["a", "t"]).size().reset_index(name="n")
    counts = counts.sort_values(["a", "n", "t"], ascending=[True, False, True])
    want = np.full(n_acc, "", dtype=object)
    first = counts.drop_duplicates("a")
    want[first["a"].to_numpy()] = first["t"].to_numpy()
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("n_acc", [5, 3000])
def test_account_codes_number_pairs_in_sorted_order_of_their_texts(n_acc):
    # Against pandas on the texts themselves: one code per distinct (platform, account)
    # text pair in sorted order; two spellings normalised alike (equal texts) share it.
    # 3000 accounts for 200 rows takes the hashed branch.
    rng = np.random.default_rng(n_acc)
    p_text = np.array(["douyin", "kuaishou", "douyin", "bilibili"], dtype=object)
    a_text = np.array([f"acc{i % (n_acc - 2)}" for i in range(n_acc)], dtype=object)
    p_code = rng.integers(0, len(p_text), 200)
    a_code = rng.integers(0, n_acc, 200)
    code, plat, ident = fol._account_codes(p_code, p_text, a_code, a_text)
    pairs = pd.MultiIndex.from_arrays([p_text[p_code], a_text[a_code]])
    want, uniq = pd.factorize(pairs, sort=True)
    assert code.tolist() == want.tolist()
    assert list(zip(plat, ident, strict=True)) == list(uniq)

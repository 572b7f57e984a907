"""The lsimpact command: help, exit codes, readable errors."""

from __future__ import annotations

import pytest

from lsimpact import catalog, cli


@pytest.mark.parametrize(
    "cmd", [[], ["data"], ["report"], ["catalog"], ["clean"], ["validate"], ["synth"]]
)
def test_every_command_has_help(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main([*cmd, "--help"])
    assert e.value.code == 0
    assert "usage: lsimpact" in capsys.readouterr().out


def test_catalog_commands(capsys):
    assert cli.main(["catalog", "list"]) == 0
    assert "published_figures" in capsys.readouterr().out
    assert cli.main(["catalog", "verify"]) == 0
    assert "match the catalogue" in capsys.readouterr().out


def test_validate_exit_codes(tmp_path, capsys):
    raw = catalog.load("published_figures").head(4)
    good = tmp_path / "good.csv"
    raw.to_csv(good, index=False)
    assert cli.main(["validate", "published_figures", str(good)]) == 0
    bad = raw.copy()
    bad.loc[1, "value"] = "lots"
    badp = tmp_path / "bad.csv"
    bad.to_csv(badp, index=False)
    assert cli.main(["validate", "published_figures", str(badp)]) == 1
    out = capsys.readouterr().out
    assert "value is not a number" in out and "NOT OK: 1 row" in out


def test_user_mistakes_exit_2_without_traceback(tmp_path, capsys):
    assert cli.main(["validate", "no_such_dataset", "x.csv"]) == 2
    assert (
        cli.main(
            [
                "clean",
                "published_figures",
                str(tmp_path / "missing.csv"),
                "-o",
                str(tmp_path / "o.parquet"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "unknown dataset" in err and "file not found" in err and "Traceback" not in err


def test_clean_writes_output_and_quarantine(tmp_path, capsys):
    raw = catalog.load("published_figures").head(3)
    src = tmp_path / "in.csv"
    raw.to_csv(src, index=False)
    out = tmp_path / "clean.parquet"
    assert cli.main(["clean", "published_figures", str(src), "-o", str(out)]) == 0
    assert out.is_file() and (tmp_path / "clean.quarantine.csv").is_file()
    assert "3 input rows" in capsys.readouterr().out


def test_validate_reports_the_encoding_used(tmp_path, capsys):
    raw = catalog.load("published_figures").head(2)
    p = tmp_path / "gbk.csv"
    raw.to_csv(p, index=False, encoding="gb18030")
    assert cli.main(["validate", "published_figures", str(p)]) == 0
    assert "encoding gb18030" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("generator", "resource"),
    [
        ("followers_daily", "followers_snapshots"),
        ("province_panel", "province_panel"),
        ("occupation_video", "occupation_video_observations"),
    ],
)
def test_synth_command_reproduces_the_shipped_file(generator, resource, tmp_path, capsys):
    res = catalog.resource(resource)
    out = tmp_path / "x.csv"
    assert cli.main(["synth", generator, "--seed", str(res["seed"]), "-o", str(out)]) == 0
    assert catalog.file_sha256(out) == res["hash"].removeprefix("sha256:")
    assert "true effects" in capsys.readouterr().out


def test_synth_unknown_generator_exits_2(tmp_path, capsys):
    assert cli.main(["synth", "prices", "-o", str(tmp_path / "p.csv")]) == 2
    assert "unknown generator" in capsys.readouterr().err


def test_synth_generators_are_functions_named_after_their_dataset():
    import lsimpact.synth as synth
    from lsimpact import datasets

    for name in synth.available():
        assert callable(getattr(synth, name)), name
        assert name in datasets.names(), name

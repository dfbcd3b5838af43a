"""Unattended runs: the lock, and outputs that appear whole or not at all."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from pipeline import store
from pipeline.paths import Paths
from pipeline.unattended import Busy, mark, staged, year_lock
from tests.helpers import command_line


def test_a_second_run_waits_briefly_then_gives_up(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "out", 2023)
    with year_lock(paths), pytest.raises(Busy) as busy, year_lock(paths, wait=0.3):
        pass
    assert f"另一个任务正在处理 {paths.out}（进程 {os.getpid()}" in str(busy.value)
    assert paths.lock.read_text() == "", "an empty lock file: nobody holds the folder"


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "out", 2023)
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from pipeline.paths import Paths
        from pipeline.unattended import year_lock
        with year_lock(Paths(Path({str(tmp_path / "raw")!r}), Path({str(tmp_path / "out")!r}), 2023)):
            os._exit(9)  # dies holding the lock, as a killed run would
        """
    )
    subprocess.run([sys.executable, "-c", script], check=False)
    assert paths.lock.exists()
    with year_lock(paths, wait=0.3) as lock:
        assert lock.stale and lock.stale["pid"] != os.getpid()


def test_outputs_are_swapped_in_whole(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "out", 2023)
    (paths.out / "logs").mkdir(parents=True)
    mark(paths.out)  # outputs of an earlier run
    (paths.out / "report.html").write_text("old")
    (paths.out / "logs" / "1.log").write_text("first run")
    with staged(paths) as stage:
        assert stage.out != paths.out and stage.out.parent == paths.out_root
        (stage.out / "report.html").write_text("new")
        assert (paths.out / "report.html").read_text() == "old", "nothing changes before the end"
    assert (paths.out / "report.html").read_text() == "new"
    assert (paths.out / "logs" / "1.log").read_text() == "first run", (
        "logs of earlier runs are kept"
    )
    assert sorted(p.name for p in paths.out_root.iterdir()) == ["2023"]


def test_a_failed_run_leaves_the_previous_outputs(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "out", 2023)
    mark(paths.out)  # outputs of an earlier run
    (paths.out / "report.html").write_text("old")
    with pytest.raises(RuntimeError), staged(paths) as stage:
        (stage.out / "report.html").write_text("half")
        raise RuntimeError("killed")
    assert (paths.out / "report.html").read_text() == "old"
    assert sorted(p.name for p in paths.out_root.iterdir()) == ["2023"]


def test_leftovers_of_a_run_killed_mid_swap_are_recovered(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "out", 2023)
    old = paths.out_root / ".2023.old-999"
    mark(old)  # set aside by the killed run
    (old / "report.html").write_text("previous")
    mark(paths.out_root / ".2023.staging-998")
    with staged(paths) as stage:
        assert (paths.out / "report.html").read_text() == "previous"
        (stage.out / "manifest.json").write_text(json.dumps({}))
    assert sorted(p.name for p in paths.out_root.iterdir()) == ["2023"]


def _files(root):
    """Every output file's bytes; the run's own log and the manifest's times left out."""
    from pipeline.manifest import VOLATILE

    out = {}
    for p in sorted(root.rglob("*")):
        name = p.relative_to(root).as_posix()
        if not p.is_file() or name.startswith("logs/"):
            continue
        out[name] = p.read_bytes()
        if name == "manifest.json":
            record = json.loads(out[name])
            for stage in record["stages"]:
                stage.pop("seconds")
            out[name] = json.dumps({k: v for k, v in record.items() if k not in VOLATILE}).encode()
    return out


def test_two_runs_on_the_same_inputs_give_the_same_bytes(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.helpers import raw_year, with_totals

    broken = with_totals({("s3", "new", "natural"): 2}) | {("s3", "new", "total"): 3}
    paths = raw_year(tmp_path, {"古县司法局": broken, "古县水利局": with_totals({})})
    args = command_line(paths, "report", "--draft")
    outputs = []
    for _ in range(2):  # the same command twice, as a scheduled job and a person would run it
        assert CliRunner().invoke(app, args).exit_code == 1
        outputs.append(_files(paths.out))
    assert "feedback/古县司法局_问题反馈.xlsx" in outputs[0] and "report.html" in outputs[0]
    assert outputs[0].keys() == outputs[1].keys()
    differing = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert differing == []


def _sample(tmp_path):
    from tests.helpers import raw_year, with_totals

    return raw_year(tmp_path, {"古县水利局": with_totals({("s2", "licensing", "decisions"): 3})})


def test_the_manifest_records_inputs_versions_options_stages_and_exit(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.manifest import sha256

    paths = _sample(tmp_path)
    args = command_line(paths, "report", "--quiet")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and result.stdout == "", "--quiet prints nothing"
    record = json.loads(paths.manifest.read_text("utf-8"))
    source = paths.returns_dir / "古县水利局.xlsx"
    assert {
        "path": "returns/古县水利局.xlsx",
        "size": source.stat().st_size,
        "sha256": sha256(source),
    } in record["inputs"]
    read = store.read_csv(paths.ingested_returns).set_index("file").loc["returns/古县水利局.xlsx"]
    assert (read["bytes"], read["sha256"]) == (str(source.stat().st_size), sha256(source)), (
        "the register of returns names the very bytes each return's figures came from"
    )
    assert [s["stage"] for s in record["stages"]] == ["ingest", "validate", "aggregate", "render"]
    assert record["stages"][0]["counts"]["received"] == 1
    assert record["exit"] == {"code": 0, "status": "报告已生成"}
    assert record["options"]["year"] == 2023 and record["versions"]["pandas"]
    logs = list(paths.logs.iterdir())
    assert len(logs) == 1 and "结束：退出码 0" in logs[0].read_text("utf-8")


def test_a_run_that_dies_leaves_the_previous_outputs_and_no_leftovers(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pipeline import run
    from pipeline.cli import app

    paths = _sample(tmp_path)
    args = command_line(paths, "report")
    assert CliRunner().invoke(app, args).exit_code == 0
    before = _files(paths.out)

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # NOTE: as a Ctrl-C or a kill in the middle of rendering would

    monkeypatch.setattr(run, "run_render", killed)
    CliRunner().invoke(app, args)
    assert _files(paths.out) == before
    assert sorted(p.name for p in paths.out_root.iterdir() if p.suffix != ".lock") == ["2023"]


def test_a_second_report_on_the_same_folder_exits_2(tmp_path):
    from typer.testing import CliRunner

    from pipeline import cli
    from pipeline.cli import app

    paths = _sample(tmp_path)
    args = command_line(paths, "report")
    with year_lock(paths):
        original = cli.unattended.year_lock
        cli.unattended.year_lock = lambda p: original(p, wait=0.2)
        try:
            result = CliRunner().invoke(app, args)
        finally:
            cli.unattended.year_lock = original
    assert result.exit_code == 2
    assert result.stderr.startswith(f"xxgk：另一个任务正在处理 {paths.out}")


def test_a_report_keeps_templates_and_a_unit_report_keeps_the_county_report(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    paths = _sample(tmp_path)
    common = command_line(paths)
    assert CliRunner().invoke(app, ["template", *common]).exit_code == 0
    assert CliRunner().invoke(app, ["report", *common]).exit_code == 0
    assert paths.template("古县水利局").exists(), "templates survive a report"
    county = paths.report_html.read_bytes()
    assert CliRunner().invoke(app, ["report", *common, "--unit", "古县水利局"]).exit_code == 0
    assert paths.unit_report_html("古县水利局").exists()
    assert paths.report_html.read_bytes() == county, "a unit's report leaves the county report"

"""durand compare and durand explain, through the CLI and the library."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_cli import ROOT, durand

from sim.analysis.compare import compare
from sim.analysis.explain import account, decompose, explain, trace
from sim.inputs.scenario import load_scenario

SC = ROOT / "scenarios"
FAST = ("--replicates", "24", "--months", "24")


def test_compare_prints_paired_differences_and_writes_table_and_plots(tmp_path):
    out = tmp_path / "cmp"
    res = durand(
        "compare", str(SC / "baseline.yaml"), str(SC / "aid_cut.yaml"),
        str(SC / "sanctuary_closed.yaml"), *FAST, "--out", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "aid_cut − baseline" in res.stdout and "bootstrap 95% CI" in res.stdout
    assert "attacks.PAK (total, 24 months)" in res.stdout
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"baseline", "aid_cut", "sanctuary_closed"}
    row = table[(table.outcome == "attacks.PAK") & (table.scenario == "aid_cut")].iloc[0]
    assert row.diff_ci_low <= row.diff_mean <= row.diff_ci_high
    assert row.diff_mean > 0  # cutting aid lowers Pakistan's capacity (mechanism 1)
    for png in ("fan_attacks.PAK.png", "differences.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = durand("compare", str(SC / "baseline.yaml"), str(SC / "aid_cut.yaml"), *FAST,
                   "--out", str(out))  # fmt: skip
    assert again.returncode == 2 and "--force" in again.stderr


def test_compare_one_metric():
    res = durand("compare", str(SC / "baseline.yaml"), str(SC / "joint_ops.yaml"), *FAST,
                 "--metric", "joint_ops.success")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "joint_ops.success (total, 24 months)" in res.stdout
    assert "attacks.PAK" not in res.stdout


def _scenario(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {SC / 'baseline.yaml'}\ntitle: {name}\n{body}")
    return path


@pytest.mark.parametrize("command", ["compare", "explain"])
def test_incompatible_scenarios_are_refused_without_traceback(tmp_path, command):
    short = _scenario(tmp_path, "short.yaml", "months: 24\n")
    res = durand(command, str(SC / "baseline.yaml"), str(short), "--replicates", "4")
    assert res.returncode == 2
    assert "runs 24 months" in res.stderr and "--months" in res.stderr
    assert "Traceback" not in res.stderr
    res = durand(command, str(SC / "baseline.yaml"), str(SC / "history_2023.yaml"))
    assert res.returncode == 2 and "same start month" in res.stderr
    res = durand(command, str(SC / "baseline.yaml"), str(tmp_path / "missing.yaml"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    ok = durand(command, str(SC / "baseline.yaml"), str(short), "--replicates", "4",
                "--months", "12")  # fmt: skip
    assert ok.returncode == 0, ok.stderr


def test_compare_usage_errors():
    res = durand("compare", str(SC / "baseline.yaml"))
    assert res.returncode == 2 and "at least two" in res.stderr
    res = durand("compare", str(SC / "baseline.yaml"), str(SC / "aid_cut.yaml"), "-m", "atacks.PAK")
    assert res.returncode == 2 and "did you mean attacks.PAK" in res.stderr


def test_common_random_numbers_pair_replicates():
    """The same scenario twice differs by exactly nothing, replicate by replicate."""
    base = SC / "baseline.yaml"
    cmp = compare([base, base], replicates=16, months=12)
    rows = [r for r in cmp.rows() if "diff_mean" in r]
    assert rows and all(r["diff_mean"] == 0 and r["diff_ci_low"] == 0 for r in rows)


def test_explain_accounts_follow_the_runs():
    aid = durand("explain", str(SC / "baseline.yaml"), str(SC / "aid_cut.yaml"), *FAST)
    sanct = durand("explain", str(SC / "baseline.yaml"), str(SC / "sanctuary_closed.yaml"), *FAST)
    assert aid.returncode == 0 and sanct.returncode == 0, aid.stderr + sanct.stderr
    aid_text, sanct_text = (" ".join(r.stdout.split()) for r in (aid, sanct))
    assert "lever US.military_aid_pak: 100 → 0" in aid_text
    assert "Pakistan's capacity: aid [mechanism 1" in aid_text
    assert "The country resultantly received U.S. aid" in aid_text  # seed 003
    assert "lever AFG.ttp_tolerance: 0.8 → 0.1" in sanct_text
    assert "sanctuary" in _first_step(sanct.stdout)
    assert "safe havens to TTP" in sanct_text  # seed 003
    assert _first_step(aid.stdout) != _first_step(sanct.stdout)
    assert "military_aid" not in sanct_text


def _first_step(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(" 1. "))


def test_decomposition_is_exact_and_traces_shocks(tmp_path):
    shocked = _scenario(
        tmp_path, "shocked.yaml",
        "levers: {US: {weapons_retrieval: 0.8}}\nevents:\n"
        "  - {at: 2025-06, shock: {type: strength_loss, group: ISKP, fraction: 0.3}}\n"
        "  - {at: 2025-09, shock: {type: attack_wave, group: BLA, multiplier: 1.5, months: 3}}\n",
    )  # fmt: skip
    base = load_scenario(SC / "baseline.yaml").with_overrides(replicates=12, months=18)
    other = load_scenario(shocked).with_overrides(replicates=12, months=18)
    a, b = trace(base), trace(other)
    parts = decompose(a, b)
    total = sum(parts.values())
    np.testing.assert_allclose(total, b.expected - a.expected, atol=1e-9)
    sums = {k: float(v.sum(axis=(0, 2)).mean()) for k, v in parts.items()}
    assert sums["strength shocks (events) and other"] < 0  # ISKP lost 30%
    assert sums["attack waves (events)"] > 0
    assert sums["recruitment: weapons"] < 0
    assert abs(sums["rounding"]) < 1e-6


def test_explain_afghanistan_and_no_difference():
    base = SC / "baseline.yaml"
    text = account(explain([base, SC / "joint_ops.yaml"], replicates=12, months=24, country="AFG"))
    assert "Why attacks in Afghanistan differ" in text and "joint operations" in text
    same = account(explain([base, base], replicates=4, months=6))
    assert "nothing: the runs are identical" in same
    assert "No channel moved attacks" in same


def test_every_channel_is_named_with_its_mechanism_and_evidence():
    from sim.analysis.explain import CHANNELS, _quote
    from sim.inputs.parameters import registry

    base = load_scenario(SC / "baseline.yaml").with_overrides(replicates=3, months=4)
    parts = decompose(trace(base), trace(base))
    assert set(parts) - {"rounding"} == set(CHANNELS)
    reg = registry()
    for name, ch in CHANNELS.items():
        assert ch.mechanism and ch.how, name
        assert all(p in reg for p in ch.evidence), name
        if ch.evidence:
            assert _quote(ch.evidence).startswith(("Seed ", "No seed gives")), name

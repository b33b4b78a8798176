"""Public observations: every figure has its provenance, and holdout figures cannot be fitted."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
import yaml
from test_cli import ROOT, durand

from sim.analysis.calibration import load_spec
from sim.analysis.observations import cited_by_parameters
from sim.inputs.errors import ScenarioError
from sim.inputs.observations import (
    FIT_WINDOW_END,
    HoldoutRefused,
    load_observations,
    observations,
)

DATA = ROOT / "sim" / "data" / "observations.yaml"
OBS = list(observations())


def test_the_file_holds_both_windows():
    assert len(OBS) >= 100
    assert sum(o.holdout for o in OBS) >= 10  # 2025 figures, kept for out-of-sample checks
    assert sum(not o.holdout for o in OBS) >= 100


@pytest.mark.parametrize("o", OBS, ids=lambda o: o.id)
def test_every_observation_has_its_provenance(o):
    s = o.source
    for text in (s.publisher, s.title, s.url, o.quote, o.definition, o.unit, o.quantity):
        assert text.strip(), o.id
    assert re.match(r"https?://", s.url)
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", s.date)
    assert s.date[:7] >= o.period.start.isoformat()[:7]  # published after its period began


@pytest.mark.parametrize("o", OBS, ids=lambda o: o.id)
def test_the_quote_states_the_value_unless_the_notes_say_derived(o):
    """A figure is copied from its sentence; arithmetic on quoted numbers says so."""
    if "derived" in o.notes:
        return
    quote = o.quote.replace(",", "").replace("\u202f", "")
    values = o.value if o.is_range else (o.value,)
    for v in values:
        shown = str(round(v * 100)) if v < 1 else f"{v:g}"
        as_millions = f"{v / 1e6:g} million" if v >= 1e6 else None
        assert shown in quote or (as_millions and as_millions in quote), (o.id, v, o.quote)


@pytest.mark.parametrize("o", OBS, ids=lambda o: o.id)
def test_periods_are_valid_and_the_holdout_flag_follows_the_period(o):
    assert o.period.start <= o.period.end
    assert dt.date(2023, 1, 1) <= o.period.start <= dt.date(2026, 12, 31)
    assert o.holdout == (o.period.end > FIT_WINDOW_END)


def test_ids_are_unique_and_a_duplicate_is_refused_with_its_line(tmp_path):
    ids = [o.id for o in OBS]
    assert len(ids) == len(set(ids))
    text = DATA.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["observations"].append(copy.deepcopy(data["observations"][0]))
    bad = tmp_path / "obs.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError, match="duplicate id gti2025_pak_attacks_2023") as err:
        load_observations(bad)
    assert re.search(r"obs\.yaml:\d+: error at 'observations\[132\]\.id'", str(err.value))


def test_every_quantity_says_which_definition_the_model_follows():
    obs = observations()
    for o in obs:
        name, d = obs.definition_of(o)
        assert d.follows and d.model_output, name
    assert "PICSS" in obs.definitions["attacks"].follows
    assert "GTI" in obs.definitions["attacks"].alternatives  # the disagreement is recorded


def test_a_holdout_observation_is_refused_as_a_target():
    obs = observations()
    held = [o for o in obs if o.holdout]
    for o in held:
        with pytest.raises(HoldoutRefused, match="holdout"):
            obs.fitting_target(o.id)
    assert obs.fitting_target("picss_pak_attacks_2024").value == 905


def test_a_spec_naming_a_holdout_target_is_refused_with_file_and_line(tmp_path):
    spec = (ROOT / "sim" / "data" / "calibration.yaml").read_text(encoding="utf-8")
    bad = spec.replace("- {id: picss_bal_attacks_2024,", "- {id: picss_pak_attacks_2025,", 1)
    assert bad != spec
    path = tmp_path / "calibration.yaml"
    path.write_text(bad, encoding="utf-8")
    line = next(i for i, x in enumerate(bad.splitlines(), 1) if "picss_pak_attacks_2025" in x)
    with pytest.raises(ScenarioError) as err:
        load_spec(path)
    assert f"calibration.yaml:{line}" in str(err.value)
    assert "holdout" in str(err.value) and "never fitted" in str(err.value)


def test_a_holdout_flag_that_contradicts_the_period_is_refused(tmp_path):
    text = DATA.read_text(encoding="utf-8")
    i = text.index("- id: picss_pak_attacks_2025")
    j = text.index("holdout: true", i)
    bad = tmp_path / "obs.yaml"
    bad.write_text(text[:j] + "holdout: false" + text[j + len("holdout: true") :], "utf-8")
    with pytest.raises(ScenarioError) as err:
        load_observations(bad)
    msg = str(err.value)
    assert "holdout must be true" in msg and "picss_pak_attacks_2025" in msg
    assert re.search(r"obs\.yaml:\d+", msg)  # the line of the offending record


def test_bad_files_are_refused_without_echo(tmp_path):
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_observations(tmp_path)
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("definitions: !!python/object:os.system {}\nobservations: []\n")
    with pytest.raises(ScenarioError, match="not allowed"):
        load_observations(tagged)
    missing = tmp_path / "missing.yaml"
    missing.write_text("definitions: {}\nobservations:\n- id: x\n")
    with pytest.raises(ScenarioError, match="required key is missing"):
        load_observations(missing)


def test_parameters_cite_only_recorded_in_window_observations():
    obs = observations()
    cited = cited_by_parameters()
    assert cited, "parameters.yaml names the observations behind fitted or assumed values"
    for obs_id, paths in cited.items():
        assert obs_id in obs.by_id, (obs_id, paths)
        assert not obs.by_id[obs_id].holdout, (obs_id, paths)  # never tuned to the holdout


def test_evidence_lists_the_observations_beside_the_parameters():
    res = durand("evidence", "--observations")
    assert res.returncode == 0, res.stderr
    for o in OBS:
        assert f"{o.id} = " in res.stdout
    assert "holdout (period ends after 2024-12-31): never fitted" in res.stdout
    assert "calibration target: picss_pak_attacks_2024" in res.stdout
    assert "model follows (attacks): PICSS" in res.stdout
    md = durand("evidence", "--markdown")
    assert "# Public observations" in md.stdout and "### `picss_pak_attacks_2024`" in md.stdout
    bad = durand("evidence", "--observations", "groups.tempo")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_a_sensitivity_fit_cannot_swap_in_a_holdout_figure(tmp_path):
    spec = (ROOT / "sim" / "data" / "calibration.yaml").read_text(encoding="utf-8")
    bad = spec.replace(
        "picss_pak_attacks_2024: gti2025_pak_attacks_2024",
        "picss_pak_attacks_2024: gti2026_pak_attacks_2025",
    )
    assert bad != spec
    path = tmp_path / "calibration.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ScenarioError, match="gti2026_pak_attacks_2025.*holdout"):
        load_spec(path)

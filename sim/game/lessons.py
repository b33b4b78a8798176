"""Lesson packs: one folder per lesson under docs/lessons/, with a lesson.yaml holding the
learning goals, briefing, scenario, discussion questions and what to look for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.inputs.errors import ScenarioError, UsageError
from sim.inputs.reader import brief, is_regular_file, path_problem
from sim.inputs.resources import lessons_folder
from sim.inputs.yamlio import load_mapping

LESSONS = lessons_folder()  # shipped with the package (docs/lessons/ in the checkout)
Role = str


class TeacherCue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    turn: Annotated[int, Field(ge=1)]
    event: str
    note: str = ""


class LessonFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    level: str = ""
    minutes: Annotated[int, Field(ge=5, le=600)] = 45
    learning_goals: Annotated[list[str], Field(min_length=1)]
    briefing: Annotated[str, Field(min_length=20)]
    scenario: str
    turns: Annotated[int, Field(ge=1, le=40)] = 8
    seed: Annotated[int, Field(ge=0)] | None = None
    people: list[str] = []  # the seats people play by default; the rest are bots
    teacher_events: list[TeacherCue] = []
    discussion_questions: Annotated[list[str], Field(min_length=1)]
    look_for: Annotated[list[str], Field(min_length=1)]


@dataclass(frozen=True)
class Lesson:
    name: str
    folder: Path
    spec: LessonFile

    @property
    def scenario_path(self) -> Path:
        return (self.folder / self.spec.scenario).resolve()


def play_due_cues(game, lesson: Lesson | None) -> list:
    """Inject the lesson's teacher events due this turn (once each); return their log
    entries so a front end can show them."""
    if lesson is None:
        return []
    turn = game.turn
    done = {e.detail.get("event") for e in game.log if e.turn == turn and e.kind == "event"}
    shown = []
    for cue in lesson.spec.teacher_events:
        if cue.turn == turn and cue.event not in done:
            game.inject(cue.event, cue.note or "scheduled by the lesson")
            shown.append(game.log[-1])
    return shown


def available(folder: Path = LESSONS) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "lesson.yaml").is_file())


def load_lesson(name_or_path: str, folder: Path = LESSONS) -> Lesson:
    """A lesson by name (a folder in docs/lessons/) or by path to its folder or lesson.yaml."""
    from sim.game.rules import ROLES, TEACHER_EVENTS
    from sim.inputs.scenario import _pydantic_problems, load_scenario

    bad = path_problem(name_or_path)
    if bad is not None:
        raise UsageError(f"no lesson {brief(name_or_path)}: {bad}")
    given = Path(name_or_path)
    if given.suffix in (".yaml", ".yml") and is_regular_file(given):
        lesson_dir, file = given.parent, given
    elif is_regular_file(given / "lesson.yaml"):
        lesson_dir, file = given, given / "lesson.yaml"
    elif is_regular_file(folder / name_or_path / "lesson.yaml"):
        lesson_dir, file = folder / name_or_path, folder / name_or_path / "lesson.yaml"
    else:
        names = ", ".join(available(folder)) or "none found"
        raise UsageError(f"no lesson {brief(name_or_path)}; lessons: {names}")
    data, smap = load_mapping(file, what="lesson")
    name = str(file)
    try:
        spec = LessonFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(exc, smap, name, LessonFile)) from None
    problems = []
    bad = path_problem(spec.scenario)
    if bad is not None:
        problems.append(smap.problem(("scenario",), f"{bad}; expected a scenario file", name))
    for i, role in enumerate(spec.people):
        if role not in ROLES:
            msg = f"unknown role {brief(role)}; expected one of {', '.join(ROLES)}"
            problems.append(smap.problem(("people", i), msg, name))
    for i, cue in enumerate(spec.teacher_events):
        if cue.event not in TEACHER_EVENTS:
            msg = f"unknown event {brief(cue.event)}; expected one of {', '.join(TEACHER_EVENTS)}"
            problems.append(smap.problem(("teacher_events", i, "event"), msg, name))
    if problems:
        raise ScenarioError(problems)
    lesson = Lesson(lesson_dir.name, lesson_dir, spec)
    load_scenario(lesson.scenario_path)  # fail early, with the scenario's own errors
    return lesson

"""Start a class: resolve what it plays, open (or resume) its state folder, print the
addresses, and serve until Ctrl+C."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from sim.game import rules as R
from sim.inputs.errors import UsageError
from sim.inputs.limits import OptionError
from viz.classroom.store import ClassConfig, ClassStore

MAX_TABLES = 32


def class_config(*, scenario, lesson, tables, turns, seed, replicates) -> ClassConfig:
    from sim.game.lessons import load_lesson
    from sim.inputs.limits import check, check_between
    from sim.inputs.scenario import load_scenario
    from sim.model.model import BASELINE

    if scenario is not None and lesson is not None:
        raise UsageError(
            "give a lesson ({lesson}) or a SCENARIO, not both", settings={"lesson": None}
        )
    check_between("tables", tables, 1, MAX_TABLES)
    check_between("turns", turns, 1, 40)  # a lesson's length (sim/game/lessons.py)
    check("replicates", replicates)
    check("seed", seed)
    if lesson is not None:
        the_lesson = load_lesson(lesson)
        spec = the_lesson.spec
        path = the_lesson.scenario_path
        seed = seed if seed is not None else spec.seed
        turns = turns or spec.turns
        name = the_lesson.name
    else:
        path = Path(scenario or BASELINE).resolve()
        name = None
        turns = turns or R.DEFAULT_TURNS
    loaded = load_scenario(path)
    return ClassConfig(
        lesson=name,
        scenario=str(path),
        tables=tables,
        turns=turns,
        seed=loaded.seed if seed is None else seed,
        replicates=replicates or R.REPLICATES,
    )


def lan_address() -> str:
    """This computer's address on the classroom network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def bind(host: str, port: int) -> socket.socket:
    from sim.inputs.limits import check_between

    check_between("port", port, 1, 65535)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror}); try another {{port}} or {{host}}",
            settings={"port": None, "host": None},
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(*, scenario, lesson, tables, host, port, state_dir, turns, seed, replicates, timer, qr):
    import uvicorn

    from viz.classroom.room import ClassRoom
    from viz.classroom.server import MAX_MESSAGE, create_app

    wanted = class_config(
        scenario=scenario, lesson=lesson, tables=tables, turns=turns, seed=seed,
        replicates=replicates,
    )  # fmt: skip
    if not 0 <= timer <= 3600:
        raise OptionError("timer", f"must be from 0 to 3600 seconds, got {timer}")
    name = wanted.lesson or Path(wanted.scenario).stem
    folder = state_dir or Path.cwd() / f"classroom-{name}"
    store = ClassStore(folder)
    config, resumed = store.open(wanted)
    sock = bind(host, port)
    if timer and not resumed:
        store.save_control({"started": False, "timer_seconds": timer})
    room = ClassRoom(config, store, resumed=resumed)
    app = create_app(room)

    shown = lan_address() if host in ("0.0.0.0", "", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    base = f"http://{shown}:{port}"
    room.join_url = f"{base}/"
    say = lambda text="": print(text, flush=True)  # noqa: E731
    say(f"Durand classroom: {room.title}")
    played = sum(t.game.played for t in room.tables.values())
    say(
        f"{R.count(config.tables, 'table')} of four seats; class saved in {folder}"
        + (f" (resumed: {R.count(played, 'turn')} played across the tables)" if resumed else "")
    )
    say()
    say(f"Students join at:   {base}/")
    if qr:
        import segno

        segno.make(f"{base}/", error="m").terminal(out=sys.stdout, compact=True, border=2)
    say(f"Projector:          {base}/projector")
    say(f"Teacher (private):  {base}/teacher?token={config.teacher_token}")
    say()
    say(
        "Keep the teacher address to yourself. Ctrl+C stops the class; the same command resumes it."
    )
    sys.stdout.flush()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            ws_max_size=MAX_MESSAGE * 4,
            timeout_graceful_shutdown=2,
            ws="websockets-sansio",
            lifespan="on",
        )
    )
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl+C it handled: the class has already stopped cleanly
    finally:
        sock.close()
    say(f"The class is saved in {folder}; run the same command to resume it.")

"""`durand classroom` against a running server: pages, tokens, seats that never act or see
for another (across tables too), malformed and out-of-order messages, clean SIGINT, and a
kill -9 that loses no acknowledged move."""

from __future__ import annotations

import json

import pytest
from classroom_harness import Client, Server

FAST = ("--replicates", "6", "--turns", "3")


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "class", *FAST).start()
    yield srv
    srv.stop()


def seat(server, table, role, name=""):
    c = Client(server, {"type": "join", "table": table, "role": role, "name": name})
    assert c.welcome["type"] == "welcome", c.welcome
    return c


def teacher(server):
    c = Client(server, {"type": "hello", "as": "teacher", "token": server.teacher_token})
    assert c.welcome["type"] == "welcome"
    return c


def test_pages_tokens_and_garbage(server):
    assert server.get("/")[0] == 200 and "<html" in server.get("/")[1].lower()
    assert server.get("/teacher")[0] == 403
    assert server.get("/teacher?token=wrong")[0] == 403
    assert server.get("/teacher?token=" + server.teacher_token)[0] == 200
    assert server.get("/projector")[0] == 200
    code, svg = server.get("/api/join.svg")
    assert code == 200 and "<svg" in svg
    code, _ = server.get("/", method="POST", body=b"{not json")
    assert 400 <= code < 500
    assert server.get("/export/index.html")[0] == 403
    assert server.get("/export/../class.json?token=" + server.teacher_token)[0] == 404
    assert server.get("/debrief/1/")[0] == 404  # not before the game is over
    assert server.get("/")[0] == 200
    lobby = json.loads(server.get("/api/lobby")[1])
    assert "token" not in json.dumps(lobby)
    bad = Client(server, {"type": "hello", "as": "teacher", "token": "guess"})
    assert bad.welcome["code"] == "not_teacher"


def test_seats_never_act_or_read_for_another(server):
    us1, pak1, us2 = seat(server, 1, "US"), seat(server, 1, "PAK"), seat(server, 2, "US")
    assert seat_taken(server, 1, "US")
    t = teacher(server)
    assert us1.move("set", lever="joint_ops", value=0.9, turn=1)["code"] == "not_started"
    assert t.teacher("start")["type"] == "ack"
    secret = "a secret reason only US may read"
    ack = us1.move("set", lever="joint_ops", value=0.9, reason=secret, turn=1)
    assert ack["type"] == "ack", ack
    # Acting for another seat, at this table or another, is refused and changes nothing.
    assert (
        us1.move("set", seat="PAK", lever="joint_ops", value=0.1, turn=1)["code"] == "not_your_seat"
    )
    assert us1.move("set", table=2, lever="joint_ops", value=0.1, turn=1)["code"] == "not_your_seat"
    assert (
        us1.move("set", role="PAK", lever="joint_ops", value=0.1, turn=1)["code"] == "not_your_seat"
    )
    assert us1.request({"type": "teacher", "kind": "reveal", "table": 1})["code"] == "not_allowed"
    assert us1.move("set", lever="ttp_tolerance", value=0.1, turn=1)["type"] == "error"
    for other in (pak1, us2):
        text = json.dumps(other.fresh_view())
        assert secret not in text and "0.50 -> 0.90" not in text
    assert us2.fresh_view()["you"]["levers"]["joint_ops"]["value"] == pytest.approx(0.5)
    assert t.teacher("reveal", table=1)["type"] == "ack"
    assert secret in json.dumps(pak1.wait_view(lambda v: secret in json.dumps(v)))
    assert secret not in json.dumps(us2.fresh_view())  # the reveal was table 1's only
    # A freed seat's old device is cut off; its token no longer opens the seat.
    token = us1.welcome["token"]
    assert t.teacher("free_seat", table=1, role="US")["type"] == "ack"
    assert us1._next(("error",))["code"] == "bad_token"
    again = Client(server, {"type": "hello", "as": "seat", "token": token})
    assert again.welcome["code"] == "bad_token"
    assert seat(server, 1, "US").view["you"]["role"] == "US"  # a new device may take it


def seat_taken(server, table, role):
    c = Client(server, {"type": "join", "table": table, "role": role})
    return c.welcome["type"] == "error" and c.welcome["code"] == "seat_taken"


def test_malformed_oversized_out_of_order(server):
    us = seat(server, 1, "US")
    t = teacher(server)
    t.teacher("start")
    before = us.fresh_view()["revision"]
    assert us.raw("{not json")["code"] == "bad_json"
    assert us.raw("[1, 2]")["code"] == "bad_message"
    us.ws.send(b"\x00\x01binary")
    assert us._next(("ack", "error"))["code"] == "bad_message"
    assert us.raw(json.dumps({"id": 1, "kind": "set"}))["code"] == "not_allowed"  # no type
    assert us.raw(json.dumps({"type": "move", "kind": "set"}))["code"] == "bad_message"  # no id
    big = json.dumps({"type": "move", "id": 5, "kind": "set", "reason": "x" * 20000})
    assert us.raw(big)["code"] == "too_large"
    assert us.request({"type": "move", "kind": "set", "lever": "joint_ops", "value": 0.7,
                       "turn": 1}, ident=10)["type"] == "ack"  # fmt: skip
    late = us.request({"type": "move", "kind": "set", "lever": "joint_ops", "value": 0.2,
                       "turn": 1}, ident=9)  # fmt: skip
    assert late["code"] == "out_of_order"
    assert us.request({"type": "move", "kind": "set", "lever": "joint_ops", "value": 0.2,
                       "turn": 7}, ident=11)["code"] == "stale_turn"  # fmt: skip
    bad = {"type": "move", "kind": "set", "lever": "joint_ops", "turn": 1}
    for i, value in enumerate(("high", None, 5.0, float("nan"), True)):
        reply = us.raw(json.dumps({**bad, "value": value, "id": 20 + i}))
        assert reply["type"] == "error" and reply["code"] != "out_of_order", reply
    us.last = 30
    assert us.raw(json.dumps({"type": "move", "id": 31, "kind": "set", "lever": "joint_ops",
                              "value": 0.3, "turn": "1"}))["code"] == "stale_turn"  # fmt: skip
    us.last = 31
    assert us.move("launch_missiles", turn=1)["code"] == "bad_command"
    view = us.fresh_view()
    assert view["you"]["levers"]["joint_ops"]["value"] == pytest.approx(0.7)
    assert view["revision"] != before  # exactly one accepted move changed it
    assert us.request({"type": "ping"})["type"] == "pong"


def test_sigint_then_kill9_loses_no_acknowledged_move(tmp_path):
    srv = Server(tmp_path / "class", *FAST).start()
    try:
        us, pak = seat(srv, 1, "US"), seat(srv, 2, "PAK")
        token = us.welcome["token"]
        t = teacher(srv)
        t.teacher("start")
        values = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8]
        for v in values:
            assert us.move("set", lever="joint_ops", value=v, turn=1)["type"] == "ack"
        assert pak.move("done", turn=1)["type"] == "ack"
        assert srv.interrupt() == 0  # SIGINT: a clean stop
        log = srv.logfile.read_text()
        assert "Traceback" not in log and "saved in" in log
        srv.start()
        us = Client(srv, {"type": "hello", "as": "seat", "token": token})
        assert us.welcome["role"] == "US" and us.welcome["table"] == 1
        assert us.view["you"]["levers"]["joint_ops"]["value"] == pytest.approx(0.8)
        for v in (0.85, 0.9):
            assert us.move("set", lever="intel_sharing", value=v, turn=1)["type"] == "ack"
        srv.kill9()  # no chance to tidy up
        srv.start()
        us = Client(srv, {"type": "hello", "as": "seat", "token": token})
        you = us.view["you"]
        assert you["levers"]["joint_ops"]["value"] == pytest.approx(0.8)
        assert you["levers"]["intel_sharing"]["value"] == pytest.approx(0.9)
        assert you["moves_this_turn"] == len(values) + 2
        pak = Client(srv, {"type": "hello", "as": "projector", "table": 2})
        assert pak.view["tables"][0]["seats"]["PAK"]["done"] is True
        assert "Traceback" not in srv.logfile.read_text()
    finally:
        srv.stop()


def test_restart_with_other_settings_is_refused(tmp_path):
    srv = Server(tmp_path / "class", *FAST).start()
    srv.interrupt()
    other = Server(tmp_path / "class", "--replicates", "7", "--turns", "3")
    import subprocess

    out = subprocess.run(other.args, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "holds another class" in out.stderr and "Traceback" not in out.stderr


def test_turn_resolves_and_teacher_controls(server):
    us, pak = seat(server, 1, "US"), seat(server, 1, "PAK")
    t = teacher(server)
    t.teacher("start")
    assert us.move("propose", offer="middle_ground", reason="both gain", turn=1)["type"] == "ack"
    assert us.move("undo", turn=1)["type"] == "ack"  # my moves only
    assert pak.move("set", lever="joint_ops", value=0.9, turn=1)["type"] == "ack"
    assert us.move("done", turn=1)["type"] == "ack"
    assert us.move("set", lever="joint_ops", value=0.9, turn=1)["code"] == "already_done"
    assert t.teacher("event", table="all", event="iskp_wave")["type"] == "ack"
    assert t.teacher("event", table=1, event="no_such")["type"] == "error"
    assert pak.move("done", turn=1)["type"] == "ack"
    view = pak.wait_view(lambda v: v["turn"] == 2)
    assert view["you"]["levers"]["joint_ops"]["value"] == pytest.approx(0.9)
    assert len(view["scores"]["PAK"]) == 1 and "US" not in view["scores"]
    assert any("ISKP launches" in e["text"] for e in view["news"])
    assert t.teacher("seat", table=1, role="PAK", player="bot")["type"] == "ack"
    # Table 2 with every seat a bot waits for the teacher, who steps it one turn.
    for role in ("US", "PAK"):
        assert t.teacher("seat", table=2, role=role, player="bot")["type"] == "ack"
    wall = Client(server, {"type": "hello", "as": "projector", "table": 2})
    assert wall.view["tables"][0]["phase"] == "waiting"
    turn = wall.view["tables"][0]["turn"]
    assert t.teacher("step", table=1)["code"] == "not_waiting"
    assert t.teacher("step", table=2)["type"] == "ack"
    view = wall.wait_view(lambda v: v["tables"][0]["turn"] == turn + 1)
    assert view["tables"][0]["phase"] == "waiting"
    assert (
        wall.request({"type": "teacher", "kind": "end_game", "table": 2})["code"] == "not_allowed"
    )
    assert t.teacher("timer", seconds=1)["type"] == "ack"
    us.wait_view(lambda v: v["turn"] == 3, timeout=60)  # the clock ended turn 2
    assert t.teacher("timer", seconds=None)["type"] == "ack"
    assert t.teacher("end_game", table="all")["type"] == "ack"
    assert t.request({"type": "export", "kind": "export"})["type"] == "ack"
    tok = server.teacher_token
    assert server.get(f"/export/index.html?token={tok}")[0] == 200
    assert "table,turn" in server.get(f"/export/class_scores.csv?token={tok}")[1]
    assert server.get("/debrief/1/")[0] == 200

"""The student page's feedback in real headless Chromium: 'Trust in you' shows each
partner's trust in the seat and its change exactly as the seat's view has them, and a
broken deal shows both parties the trust it cost (one table, two pages, three turns)."""

from __future__ import annotations

import os

from classroom_harness import Client, Server
from test_classroom_browser import browser, join, wait_text  # noqa: F401 (browser: a fixture)

MIDDLE_GROUND = "full support against ISKP"  # words of the middle-ground deal's title


def page_view(server: Server, page, test) -> dict:
    """The view the server pushes to this page's seat (a second socket on its token)."""
    token = page.evaluate("() => JSON.parse(localStorage.getItem('durand.seat')).token")
    seat = Client(server, {"type": "hello", "as": "seat", "token": token})
    try:
        return seat.wait_view(test, timeout=30)
    finally:
        seat.close()


def shown_trust(page) -> dict[str, tuple[str, str]]:
    rows = page.locator("#trust tr[data-partner]")
    return {
        rows.nth(i).get_attribute("data-partner"): (
            rows.nth(i).locator("td.now").inner_text(),
            rows.nth(i).locator("td.change").inner_text(),
        )
        for i in range(rows.count())
    }


def expected_trust(view: dict) -> dict[str, tuple[str, str]]:
    out = {}
    for partner, t in view["you"]["trust_in_you"].items():
        change = t["change"]
        arrow = "▲ +" if change > 0 else "▼ "
        words = "±0.00" if abs(change) < 0.005 else f"{arrow}{change:.2f}"
        out[partner] = (f"{t['now']:.2f}", words)
    return out


def test_trust_in_you_matches_the_view_and_a_broken_deal_shows_on_both_pages(
    browser,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    server = Server(tmp_path / "class", "--replicates", "4", "--turns", "3", tables=1).start()
    try:
        us = join(browser, server, 1, "US", "Team US")
        pak = join(browser, server, 1, "PAK", "Team PAK")
        teacher = Client(server, {"type": "hello", "as": "teacher", "token": server.teacher_token})
        assert teacher.teacher("start")["type"] == "ack"
        for page in (us, pak):
            page.locator("#done:not([disabled])").wait_for()
            assert page.inner_text("#trust h3") == "Trust in you"
            assert "no turn played yet" in page.inner_text("#goal")

        # Turn 1: the US offers the middle ground and Pakistan accepts it.
        us.locator(".offer", has_text=MIDDLE_GROUND).locator("button", has_text="Propose").click()
        wait_text(pak, "#deals", "Offers to you")
        pak.locator(".offer", has_text=MIDDLE_GROUND).locator("button", has_text="Accept").click()
        wait_text(pak, "#deals", "Deals in force")
        for page in (us, pak):
            page.locator("#done:not([disabled])").wait_for()
            page.click("#done")
        for page in (us, pak):
            wait_text(page, "#turn", "Turn 2 of")
            wait_text(page, "#trend", "on the status quo")

        # Turn 2: the US breaks it. Its page shows Pakistan's trust falling at once, as
        # its view has it; Pakistan's page says who broke the deal and what it cost.
        us.locator("#deals button", has_text="Break this deal").click()
        wait_text(us, "#trust", "You broke deal #1")
        view = page_view(server, us, lambda v: v["turn"] == 2 and v["you"]["deals_broken"])
        broken = view["you"]["deals_broken"][0]
        assert broken["broken_by"] == "US" and broken["truster"] == "PAK"
        assert broken["trust_after"] < broken["trust_before"] - 0.15
        fell = f"fell {broken['trust_before']:.2f} to {broken['trust_after']:.2f}"
        assert shown_trust(us) == expected_trust(view)
        assert set(shown_trust(us)) == {"PAK", "AFG", "CHN"}
        assert shown_trust(us)["PAK"][1].startswith("▼")
        assert f"PAK's trust in you {fell}" in us.inner_text("#trust")
        wait_text(pak, "#trust", "US broke deal #1")
        assert f"your trust in US {fell}" in pak.inner_text("#trust")
        assert "breaks #1" in pak.inner_text("#newsbox")  # the public news says it too
        pak_view = page_view(server, pak, lambda v: v["turn"] == 2 and v["you"]["deals_broken"])
        assert shown_trust(pak) == expected_trust(pak_view)
        if os.environ.get("DURAND_FEEDBACK_SHOTS"):  # a look at the pages while developing
            us.screenshot(path=os.environ["DURAND_FEEDBACK_SHOTS"] + "-us.png", full_page=True)
            pak.screenshot(path=os.environ["DURAND_FEEDBACK_SHOTS"] + "-pak.png", full_page=True)
        assert not us.errors and not pak.errors, us.errors + pak.errors
    finally:
        server.stop()

// The teacher's console: every table's progress, the class controls, the class chart.
import { h, fmt, toast, Link, lineChart, legend, newsList, clock, ROLE_COLORS } from "./common.js";

const token = new URLSearchParams(location.search).get("token") || "";
history.replaceState(null, "", "/teacher?token=" + encodeURIComponent(token));
const app = document.getElementById("app");
let catalog = null, view = null, link = null;

async function send(kind, fields = {}, type = "teacher") {
  try {
    const ack = await link.send({ type, kind, ...fields });
    if (ack.skipped && ack.skipped.length) toast(ack.skipped.join("; "));
    else toast("Done", true);
    return ack;
  } catch (err) { toast(err.message || String(err.code)); return null; }
}

function tableSelect(id) {
  return h("select", { id }, h("option", { value: "all" }, "all tables"),
    view.tables.map((t) => h("option", { value: t.table }, `table ${t.table}`)));
}
const pick = (id) => { const v = document.getElementById(id).value; return v === "all" ? "all" : +v; };

function tableCard(t) {
  const seats = t.order.map((r) => {
    const st = t.seats[r], joined = t.joined[r];
    return h("div", { class: "seatrow", "data-table": t.table, "data-role": r },
      h("b", { class: `role-${r}` }, r),
      h("span", {}, `${st.player === "bot" ? "bot" : joined ? joined : "person (nobody joined)"}${st.done ? " ✓ done" : ""}`),
      h("button", { class: "ghost", "data-action": "swap", onclick: () => send("seat", { table: t.table, role: r, player: st.player === "bot" ? "person" : "bot" }) }, st.player === "bot" ? "to team" : "to bot"),
      joined ? h("button", { class: "ghost", onclick: () => send("free_seat", { table: t.table, role: r }) }, "free") : h("span"));
  });
  const scores = h("div");
  lineChart(scores, t.order.map((r) => ({ label: r, color: ROLE_COLORS[r], values: t.scores[r] || [] })), { baseline: 50, height: 130, width: 330, turns: t.turns });
  const left = t.seconds_left;
  return h("section", { class: "card", "data-table": t.table },
    h("h2", {}, `Table ${t.table} · ${t.phase === "over" ? "game over" : `turn ${t.turn}/${t.turns}`}${t.paused ? " · paused" : ""}${left != null ? ` · ⏱ ${clock(left)}` : ""}`),
    h("div", { class: "mute" }, t.phase === "over" ? "finished" : `${t.order.filter((r) => t.seats[r].player === "person" && t.seats[r].done).length} of ${t.order.filter((r) => t.seats[r].player === "person").length} teams done · phase ${t.phase}`),
    seats, scores,
    h("div", { class: "row" },
      t.paused ? h("button", { onclick: () => send("resume", { table: t.table }) }, "Resume") : h("button", { class: "ghost", onclick: () => send("pause", { table: t.table }) }, "Pause"),
      h("button", { "data-action": "end-turn", onclick: () => send("end_turn", { table: t.table }) }, "End turn now"),
      t.phase === "waiting" ? h("button", { onclick: () => send("step", { table: t.table }) }, "Play a bot turn") : null,
      t.phase === "waiting" ? h("button", { class: "ghost", onclick: () => send("autoplay", { table: t.table }) }, "Bots play to the end") : null,
      h("button", { class: "ghost", onclick: () => send("reveal", { table: t.table }) }, "Reveal"),
      t.phase === "over" && t.played ? h("a", { href: `/debrief/${t.table}/`, target: "_blank" }, "debrief") : null),
    h("details", { "data-news": t.table, open: openNews.has(t.table) || null,
      ontoggle: (e) => { if (e.target.open) openNews.add(t.table); else openNews.delete(t.table); } },
      h("summary", {}, "Every move at this table, with its reason (only you see this before a reveal)"),
      newsList(t.news, { limit: 30 })),
    t.warning ? h("p", { class: "banner" }, t.warning) : null);
}
const openNews = new Set();

function classChart() {
  const holder = h("div", { id: "class-chart" });
  const dashes = [null, "6 3", "2 3", "8 3 2 3"];
  const series = view.tables.flatMap((t, i) => t.order.map((r) => ({ label: `table ${t.table} ${r}`, color: ROLE_COLORS[r], values: t.scores[r] || [], dash: dashes[i % 4] })));
  lineChart(holder, series, { baseline: 50, width: 760, height: 300, turns: view.tables[0].turns, title: "Every table's scores per turn (colour: role; line style: table)" });
  return holder;
}

function strategies() {
  const rows = [];
  for (const r of catalog.order) for (const card of catalog.roles[r].levers) rows.push([r, card]);
  return h("table", { class: "levgrid" }, h("tr", {}, h("th", {}, "lever now"), view.tables.map((t) => h("th", {}, `table ${t.table}`))),
    rows.map(([r, card]) => h("tr", {}, h("td", {}, h("b", { class: `role-${r}` }, r), ` ${card.title}`),
      view.tables.map((t) => { const v = t.all_levers && t.all_levers[r] ? t.all_levers[r][card.name] : null; const changed = v !== null && Math.abs(v - card.default) > 1e-9; return h("td", { class: changed ? "role-" + r : "" }, changed ? h("b", {}, fmt(v, v > 100 ? 0 : 2)) : fmt(v, v > 100 ? 0 : 2)); }))));
}

function render() {
  if (!view) return;
  document.getElementById("title").textContent = `Teacher · ${view.title}`;
  const timer = h("input", { id: "timer-seconds", type: "number", min: 0, max: 3600, step: 30, value: view.timer_seconds || 0, "aria-label": "turn timer in seconds" });
  const events = h("select", { id: "event" }, catalog.events.map((e) => h("option", { value: e.name }, `${e.text}`)));
  const controls = h("section", { class: "card wide", id: "controls" }, h("h2", {}, "Class controls"),
    h("div", { class: "row" },
      view.started ? h("span", { class: "chip done" }, "started") : h("button", { id: "start", onclick: () => send("start") }, "Start the game"),
      h("button", { class: "ghost", onclick: () => send("pause", { table: "all" }) }, "Pause all"),
      h("button", { class: "ghost", onclick: () => send("resume", { table: "all" }) }, "Resume all"),
      h("label", {}, "Turn timer (s) ", timer), h("button", { class: "ghost", onclick: () => send("timer", { seconds: +timer.value || null }) }, "Set timer"),
      h("button", { class: "ghost", onclick: () => send("end_turn", { table: "all" }) }, "End turn everywhere")),
    h("div", { class: "row" }, "Inject ", events, " into ", tableSelect("event-table"),
      h("button", { id: "inject", onclick: () => send("event", { table: pick("event-table"), event: document.getElementById("event").value }) }, "Inject event")),
    h("div", { class: "row" }, "At ", tableSelect("act-table"),
      h("button", { class: "ghost", id: "reveal", onclick: () => send("reveal", { table: pick("act-table") }) }, "Reveal moves"),
      h("button", { class: "warn", id: "end-game", onclick: () => { if (confirm("End the game at the chosen tables?")) send("end_game", { table: pick("act-table") }); } }, "End the game"),
      h("button", { id: "export", onclick: async () => { const ack = await send("export", {}, "export"); if (ack) { document.getElementById("export-links").replaceChildren(h("a", { href: `/export/index.html?token=${encodeURIComponent(token)}`, target: "_blank" }, "class debrief (HTML)"), " · ", h("a", { href: `/export/class_scores.csv?token=${encodeURIComponent(token)}` }, "scores CSV"), " · ", h("a", { href: `/export/class_levers.csv?token=${encodeURIComponent(token)}` }, "levers CSV")); } } }, "Export class debrief"),
      h("span", { id: "export-links" }),
      h("a", { href: "/projector", target: "_blank" }, "Open projector view")),
    view.lesson && view.lesson.cues.length ? h("p", { class: "mute" }, "Lesson cues: " + view.lesson.cues.map((c) => `turn ${c.turn}: ${c.event}${c.note ? " (" + c.note + ")" : ""}`).join("; ")) : null);
  const chartCard = h("section", { class: "card wide" }, h("h2", {}, "The class: scores and strategies"),
    h("div", { class: "classgrid" }, h("div", {}, classChart(), legend(catalog.order.map((r) => [r, ROLE_COLORS[r]])),
      h("p", { class: "mute" }, "Solid line: table 1; dashed: table 2; dotted: table 3; dash-dot: table 4 (then again).")),
      h("div", {}, h("b", {}, "Strategies: every table's levers now (changed from the start in bold)"), strategies())));
  const focusId = document.activeElement && document.activeElement.id;
  const keep = {};
  for (const id of ["timer-seconds", "event", "event-table", "act-table"]) { const e = document.getElementById(id); if (e) keep[id] = e.value; }
  const links = document.getElementById("export-links");
  app.replaceChildren(h("main", {}, controls, h("div", { class: "wide tgrid", id: "tables" }, view.tables.map(tableCard)), chartCard));
  for (const [id, v] of Object.entries(keep)) { const e = document.getElementById(id); if (e && id !== "timer-seconds") e.value = v; else if (e && focusId === id) e.value = v; }
  if (links) document.getElementById("export-links").replaceWith(links);
  if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
}

async function start() {
  catalog = await (await fetch("/api/catalog")).json();
  link = new Link({ type: "hello", as: "teacher", token }, (v) => { view = v; render(); }, (state) => {
    document.getElementById("status").textContent = state === "online" ? "online" : state === "offline" ? "reconnecting…" : "refused: wrong token";
  });
}
start();

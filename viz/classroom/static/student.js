// The student's page: join a table and a state, then play it. Only what this seat may
// see ever reaches this page (the server builds each seat's view).
import { h, fmt, toast, Link, drawMap, lineChart, legend, newsList, clock, ROLE_COLORS } from "./common.js";

const KEY = "durand.seat";
const app = document.getElementById("app");
let catalog = null, link = null, view = null, me = null, reasonText = "";

function saved() { try { return JSON.parse(localStorage.getItem(KEY)); } catch { return null; } }
function setStatus(t) { document.getElementById("status").textContent = t; }

async function start() {
  catalog = await (await fetch("/api/catalog")).json();
  const seat = saved();
  const given = new URLSearchParams(location.search);
  if (seat && seat.token) connect({ type: "hello", as: "seat", token: seat.token });
  else if (given.get("table") && given.get("role")) // a seat handed out by the teacher
    connect({ type: "join", table: +given.get("table"), role: given.get("role"), name: given.get("name") || "" });
  else lobby();
}

async function lobby(message = "") {
  if (link) { link.close(); link = null; }
  const data = await (await fetch("/api/lobby")).json();
  document.getElementById("title").textContent = data.title;
  setStatus(data.started ? "class running" : "waiting for the teacher");
  const name = h("input", { id: "team", placeholder: "Team name (optional)", maxlength: 40 });
  const cards = data.tables.map((t) => h("section", { class: "card tablecard" }, h("h3", {}, `Table ${t.table}`),
    t.seats.map((st) => h("button", {
      class: "seatbtn" + (st.taken ? " ghost" : ""), disabled: st.taken || null, "data-table": t.table, "data-role": st.role,
      onclick: () => connect({ type: "join", table: t.table, role: st.role, name: name.value.trim() }),
    }, `${st.name}${st.taken ? " — taken" : st.player === "bot" ? " — a bot plays it until you join" : ""}`))));
  app.replaceChildren(h("main", {},
    h("section", { class: "card wide" }, h("h2", {}, "Join the class"),
      message ? h("p", { class: "banner" }, message) : null,
      h("p", {}, "Pick your table and the state your team plays. Militant groups are not playable: they are the model's agents."),
      name),
    h("div", { class: "wide seatgrid" }, cards)));
}

function connect(hello) {
  link = new Link(hello, (v) => { view = v; render(); }, (state, msg) => {
    if (state === "online") {
      if (msg && msg.token) { localStorage.setItem(KEY, JSON.stringify({ token: msg.token, table: msg.table, role: msg.role })); link.hello = { type: "hello", as: "seat", token: msg.token }; }
      me = msg; setStatus("online");
    } else if (state === "offline") setStatus("reconnecting…");
    else if (state === "refused") {
      if (msg && (msg.code === "bad_token")) localStorage.removeItem(KEY);
      link && link.close(); link = null;
      lobby((msg && msg.message) || "Choose a seat.");
    }
  });
}

async function move(kind, fields = {}) {
  try {
    await link.send({ type: "move", kind, turn: view.turn, ...fields });
    return true;
  } catch (err) { toast(err.message || String(err.code)); render(); return false; }
}

function reasonField() {
  return h("input", { id: "reason", placeholder: "Because… (your reason, shown in the debrief)", maxlength: 300, value: reasonText,
    oninput: (e) => { reasonText = e.target.value; } });
}

function leverCard(card, state, canAct) {
  const value = state.value;
  const out = h("output", { class: "val" }, fmt(value, card.high > 100 ? 0 : 2));
  const input = h("input", { type: "range", min: card.low, max: card.high, step: card.step, value, disabled: !canAct || null,
    "aria-label": card.title, "data-lever": card.name,
    oninput: (e) => { out.textContent = fmt(+e.target.value, card.high > 100 ? 0 : 2); },
    onchange: (e) => move("set", { lever: card.name, value: +e.target.value, reason: reasonText }) });
  const src = card.sources.map((q) => h("blockquote", {}, `Seed ${q.seed}: “${q.quote}”`));
  return h("div", { class: "lever" },
    h("div", { class: "head" }, h("span", { class: "title" }, card.title), out),
    input,
    h("div", { class: "mute" }, `${card.meaning}. Range ${fmt(card.low, 0)}–${fmt(card.high, 0)}${card.spending ? "; spends from your budget (USD million a year)" : "; costs no budget"}.`),
    state.locked_by ? h("div", { class: "lock" }, `Deal term: ${state.locked_by}`) : null,
    h("details", {}, h("summary", {}, "Why this lever? (source)"), src, card.assumption ? h("p", { class: "mute" }, `Assumption: ${card.assumption}`) : null));
}

function offerBox(o, actions) {
  const kind = catalog.offers.find((k) => k.name === o.kind || k.name === o.name);
  return h("div", { class: "offer" },
    h("b", {}, (o.id ? `#${o.id} ` : "") + (kind ? kind.title : o.kind)),
    o.proposer ? h("div", { class: "mute" }, `${o.proposer} → ${o.recipient} · ${o.status || ""}`) : null,
    h("ul", {}, kind.terms.map((t) => h("li", {}, `${t.role}: ${t.title} ${t.op} ${fmt(t.value, t.value > 100 ? 0 : 2)}`))),
    h("details", {}, h("summary", {}, "Source"), h("blockquote", {}, kind.source)),
    actions);
}

// "▲ +0.12" / "▼ −0.20" / "±0.00": a change with its direction (steady under half a unit
// of the last digit shown).
function change(value, digits) {
  if (Math.abs(value) < 0.5 * 10 ** -digits) return `±${fmt(0, digits)}`;
  return `${value > 0 ? "▲ +" : "▼ "}${fmt(value, digits)}`;
}

// Each partner's trust in this seat and its change, then the deals broken this turn or
// last with the trust they cost (both parties see them).
function trustBox(you, role) {
  const rows = Object.entries(you.trust_in_you).map(([partner, t]) => {
    const dir = Math.abs(t.change) < 0.005 ? "steady" : t.change > 0 ? "up" : "down";
    return h("tr", { "data-partner": partner },
      h("td", {}, h("b", { class: `role-${partner}` }, catalog.roles[partner] ? catalog.roles[partner].name : partner)),
      h("td", { class: "now" }, fmt(t.now, 2)),
      h("td", { class: `change ${dir}` }, change(t.change, 2)));
  });
  const broken = (you.deals_broken || []).map((d) => {
    const when = d.turn === view.turn ? "this turn" : `in turn ${d.turn}`;
    const fell = `${fmt(d.trust_before, 2)} to ${fmt(d.trust_after, 2)}`;
    const who = d.broken_by === role ? "You" : d.broken_by;
    const how = d.by === "rules" ? `${d.broken_by === role ? "you" : d.broken_by} let the terms of deal #${d.id} slip ${when}` : `${who} broke deal #${d.id} ${when}`;
    const whose = d.truster === role ? "your trust" : `${d.truster}'s trust`;
    const target = d.broken_by === role ? "you" : d.broken_by;
    const text = `${how[0].toUpperCase()}${how.slice(1)} (${d.title}): ${whose} in ${target} fell ${fell}.`;
    return h("p", { class: "broken" }, text);
  });
  return h("div", { id: "trust" }, h("h3", {}, "Trust in you"),
    h("table", { class: "trust" }, rows), broken);
}

let dragging = false;
document.addEventListener("pointerdown", (e) => { if (e.target.type === "range") dragging = true; });
document.addEventListener("pointerup", () => { if (dragging) { dragging = false; setTimeout(render, 0); } });

function render() {
  if (!view || !view.you || dragging) return;
  const focused = document.activeElement && document.activeElement.id === "reason";
  const you = view.you, role = you.role, info = catalog.roles[role];
  document.getElementById("title").textContent = `Durand · ${info.name}`;
  document.getElementById("where").textContent = `Table ${view.table}`;
  document.getElementById("turn").textContent = view.phase === "over" ? "Game over" : `Turn ${view.turn} of ${view.turns} · ${view.quarter}`;
  const tm = document.getElementById("timer");
  tm.textContent = view.seconds_left == null ? "" : `⏱ ${clock(view.seconds_left)}`;
  tm.className = "pill timer" + (view.seconds_left != null && view.seconds_left < 30 ? " low" : "");
  tm.style.display = view.seconds_left == null ? "none" : "";
  const done = view.seats[role] && view.seats[role].done;
  const canAct = view.can_act && view.started;
  let banner = null;
  if (!view.started) banner = "Waiting for the teacher to start the game. Read your goal and levers meanwhile.";
  else if (view.paused) banner = "The teacher has paused the game.";
  else if (view.phase === "over") banner = "The game is over.";
  else if (done) banner = "You are done for this turn. Waiting for the other teams…";
  else if (view.seats[role].player === "bot") banner = "The teacher has given your seat to a bot for now.";
  setStatus(!view.started ? "waiting to start" : view.phase === "over" ? "game over" : view.paused ? "paused" : done ? "done" : banner ? "waiting" : "your move");

  const track = you.score_track;
  const scores = track.scores;
  const last = scores.length ? scores[scores.length - 1] : null;
  const scoreBox = h("div", {});
  lineChart(scoreBox, [{ label: `${role} score`, color: ROLE_COLORS[role], values: scores }], { baseline: 50, height: 150, width: 360, turns: view.turns });

  const goal = h("section", { class: "card", id: "goal" }, h("h2", {}, "Your goal and score"),
    h("p", {}, h("b", { class: `role-${role}` }, info.name), ": ", info.goal),
    h("div", { class: "row" }, h("span", { class: "big", id: "score" }, last === null ? "50" : fmt(last, 0)),
      h("span", { class: `mute ${{ rising: "up", falling: "down" }[track.trend] || ""}`, id: "trend" }, last === null ? "no turn played yet (50 = status quo)"
        : `${{ rising: "▲", falling: "▼" }[track.trend] || "–"} ${track.change >= 0 ? "+" : ""}${fmt(track.change, 1)} ${scores.length > 1 ? "since last turn" : "on the status quo"} · ${track.trend} · ${track.verdict} · 50 = status quo`)),
    scoreBox,
    trustBox(you, role),
    h("ul", { class: "mute" }, info.components.map((c) => h("li", {}, `${c.label} — ${c.better} is better (${Math.round(c.weight * 100)}%)`))),
    info.budget > 0 ? h("div", {}, h("div", { class: "mute" }, `Budget: ${fmt(you.spending, 0)} of ${fmt(info.budget, 0)} USD million a year spent`),
      (() => { const b = h("div", { class: "budget" }, h("div")); b.firstChild.style.width = `${Math.min(100, 100 * you.spending / info.budget)}%`; return b; })())
      : h("div", { class: "mute" }, "No spending budget: your levers cost no money."));

  const order = h("div", { class: "strip", id: "order" }, view.order.map((r) => h("span", {
    class: `chip${view.seats[r].done ? " done" : ""}${r === role ? " me" : ""}${view.seats[r].player === "bot" ? " bot" : ""}` },
    `${r}${view.seats[r].player === "bot" ? " (bot)" : ""}${view.seats[r].done ? " ✓" : ""}`)));

  const mapBox = h("div", { id: "map" });
  drawMap(mapBox, view.map, { width: window.innerWidth < 700 ? 400 : 520 });
  const prev = view.results.length ? view.results[view.results.length - 1] : null;
  const figs = h("table", { class: "figs" }, h("tr", {}, h("th", {}, prev ? prev.quarter : "Outlook if nobody changes course"), h("th", {}, "now"), h("th", {}, "status quo")),
    catalog.outcomes.map((o) => h("tr", {}, h("td", {}, o.label),
      h("td", {}, fmt(prev ? prev.observed[o.metric] : view.outlook[o.metric], o.digits)),
      h("td", {}, prev ? fmt(prev.status_quo[o.metric], o.digits) : "–"))));

  const levers = h("section", { class: "card", id: "levers" }, h("h2", {}, "Your levers"), reasonField(),
    info.levers.map((card) => leverCard(card, you.levers[card.name], canAct)));

  const deals = h("section", { class: "card", id: "deals" }, h("h2", {}, "Offers and deals"),
    you.offers_in.length ? h("h3", {}, "Offers to you") : null,
    you.offers_in.map((o) => offerBox(o, h("div", { class: "row" },
      h("button", { disabled: !canAct || null, onclick: () => move("answer", { offer_id: o.id, accept: true, reason: reasonText }) }, "Accept"),
      h("button", { class: "ghost", disabled: !canAct || null, onclick: () => move("answer", { offer_id: o.id, accept: false, reason: reasonText }) }, "Refuse")))),
    you.offers_out.length ? h("h3", {}, "Your offers, waiting") : null,
    you.offers_out.map((o) => offerBox(o, null)),
    you.deals.length ? h("h3", {}, "Deals in force") : null,
    you.deals.map((o) => offerBox(o, h("button", { class: "warn", disabled: !canAct || null, onclick: () => move("break", { offer_id: o.id, reason: reasonText }) }, "Break this deal (costs trust)"))),
    you.can_propose.length ? h("h3", {}, "You may propose") : null,
    you.can_propose.map((name) => offerBox({ kind: name }, h("button", { disabled: !canAct || null, onclick: () => move("propose", { offer: name, reason: reasonText }) }, "Propose"))),
    !you.offers_in.length && !you.deals.length && !you.can_propose.length && !you.offers_out.length ? h("p", { class: "mute" }, "No offers now.") : null);

  const actions = h("div", { class: "row" },
    h("button", { id: "done", disabled: !canAct || null, onclick: () => move("done") }, "Done for this turn"),
    h("button", { class: "ghost", id: "undo", disabled: !canAct || !you.moves_this_turn || null, onclick: () => move("undo") }, "Undo my moves this turn"),
    h("span", { class: "mute" }, `${you.moves_this_turn} move(s) this turn`));

  const over = view.phase === "over" ? h("section", { class: "card wide", id: "final" }, h("h2", {}, "Final result"),
    h("div", { class: "strip" }, Object.entries(view.final || {}).map(([r, sc]) => h("span", { class: "chip" }, `${r} ${fmt(sc, 1)} — ${view.verdicts[r]}`))),
    view.debrief ? h("p", {}, h("a", { href: view.debrief, target: "_blank", id: "debrief-link" }, "Open the debrief: every move, every reason, what happened and why")) : null,
    view.discussion ? h("div", {}, h("h3", {}, "Discussion"), h("ol", {}, view.discussion.map((q) => h("li", {}, q)))) : null) : null;

  app.replaceChildren(h("main", {},
    banner ? h("div", { class: "banner wide", id: "banner" }, banner) : null,
    over,
    h("section", { class: "card wide" }, h("div", { class: "row" }, h("b", {}, "Turn order"), order), actions),
    goal,
    h("section", { class: "card", id: "world" }, h("h2", {}, "The region"), mapBox, figs),
    levers,
    deals,
    h("section", { class: "card", id: "newsbox" }, h("h2", {}, "News"), newsList(view.news))));
  if (focused) { const r = document.getElementById("reason"); r.focus(); r.setSelectionRange(r.value.length, r.value.length); }
}

setInterval(() => { if (view && view.seconds_left != null && view.seconds_left > 0) { view.seconds_left -= 1; const tm = document.getElementById("timer"); tm.textContent = `⏱ ${clock(view.seconds_left)}`; } }, 1000);
start();

// The projector: large map and headline charts for one table or the whole class. It shows
// only what the whole room may see (public news; scores after a reveal or the game's end).
import { h, fmt, Link, drawMap, lineChart, legend, newsList, clock, ROLE_COLORS } from "./common.js";

const params = new URLSearchParams(location.search);
const which = params.get("table") && params.get("table") !== "all" ? +params.get("table") : "all";
const app = document.getElementById("app");
let view = null;

const HEADLINES = [["attacks.PAK", "Attacks in Pakistan"], ["strength.ISKP", "ISKP strength"], ["trust.PAK-US", "Pakistan's trust in the US"], ["strength.TTP", "TTP strength"]];
const TABLE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

function headline(tables, metric, title) {
  const holder = h("div");
  const series = [];
  tables.forEach((t, i) => {
    const color = tables.length > 1 ? TABLE_COLORS[i % 8] : "#0072B2";
    series.push({ label: `table ${t.table}`, color, values: t.results.map((r) => r.observed[metric]) });
    if (i === 0) series.push({ label: "status quo", color: "#888", dash: "5 4", values: t.results.map((r) => r.status_quo[metric]) });
  });
  lineChart(holder, series, { title, width: 500, height: 190, large: true, turns: tables[0].turns });
  return holder;
}

function render() {
  if (!view) return;
  const tables = view.tables, first = tables[0];
  document.getElementById("title").textContent = view.title;
  document.getElementById("turn").textContent = which === "all" ? `${tables.length} tables` : first.phase === "over" ? "Game over" : `Table ${first.table} · turn ${first.turn}/${first.turns} · ${first.quarter}`;
  const tm = document.getElementById("timer");
  tm.textContent = first.seconds_left == null ? "" : `⏱ ${clock(first.seconds_left)}`;
  tm.style.display = first.seconds_left == null ? "none" : "";
  const sel = document.getElementById("which");
  if (!sel.options.length) {
    sel.append(h("option", { value: "all" }, "whole class"), ...Array.from({ length: first.tables }, (_, i) => h("option", { value: i + 1 }, `table ${i + 1}`)));
    sel.value = String(which);
    sel.onchange = () => { location.search = sel.value === "all" ? "" : `?table=${sel.value}`; };
  }
  const mapBox = h("div", { id: "map" });
  drawMap(mapBox, first.map, { width: 820, large: true });
  const charts = h("section", { class: "card" }, h("h2", {}, "Headlines"),
    h("div", {}, HEADLINES.map(([m, t]) => headline(tables, m, t))),
    tables.length > 1 ? legend([...tables.map((t, i) => [`table ${t.table}`, TABLE_COLORS[i % 8]]), ["status quo", "#888"]]) : legend([["the game", "#0072B2"], ["status quo", "#888"]]));
  const scored = tables.filter((t) => Object.keys(t.scores || {}).length);
  let scores = null;
  if (scored.length) {
    const holder = h("div");
    const dashes = [null, "6 3", "2 3", "8 3 2 3"];
    lineChart(holder, scored.flatMap((t, i) => Object.entries(t.scores).map(([r, v]) => ({ label: `table ${t.table} ${r}`, color: ROLE_COLORS[r], values: v, dash: dashes[i % 4] }))), { baseline: 50, width: 820, height: 280, large: true, title: "Scores (50 = status quo)", turns: first.turns });
    scores = h("section", { class: "card wide" }, h("h2", {}, "Scores, revealed"), holder, legend(Object.entries(ROLE_COLORS)));
  }
  const news = which === "all" ? null : h("section", { class: "card wide" }, h("h2", {}, "News"), newsList(first.news, { limit: 8, reasons: false }));
  const who = which === "all" ? null : h("section", { class: "card wide" }, h("div", { class: "strip" }, first.order.map((r) => h("span", { class: `chip${first.seats[r].done ? " done" : ""}` }, `${r}${first.seats[r].player === "bot" ? " (bot)" : ""}${first.seats[r].done ? " ✓" : ""}`))));
  const progress = which === "all" ? h("section", { class: "card wide" }, h("div", { class: "strip" }, tables.map((t) => h("span", { class: "chip" }, `Table ${t.table}: ${t.phase === "over" ? "over" : `turn ${t.turn}/${t.turns}`} · ${Object.values(t.seats).filter((x) => x.done).length}/4 done`)))) : null;
  const join = !view.started ? h("section", { class: "card wide join" }, h("h2", {}, "Join the game"),
    h("div", { class: "row" }, h("img", { src: "/api/join.svg", alt: "QR code of the join address", width: 232, height: 232 }),
      h("div", {}, h("p", { class: "big" }, view.join_url), h("p", {}, "Open this address on your phone or laptop, type your team's name, and pick your table and state.")))) : null;
  app.replaceChildren(h("main", {}, join, progress, who, h("section", { class: "card" }, h("h2", {}, which === "all" ? `The region (table ${first.table})` : "The region"), mapBox), charts, scores, news));
}

new Link({ type: "hello", as: "projector", table: which }, (v) => { view = v; render(); });
setInterval(() => { if (view && view.tables[0].seconds_left > 0) { view.tables[0].seconds_left -= 1; document.getElementById("timer").textContent = `⏱ ${clock(view.tables[0].seconds_left)}`; } }, 1000);

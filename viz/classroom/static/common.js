// Shared by the student, teacher and projector pages: the connection, the map, charts.
export const ROLE_COLORS = { US: "#0072B2", PAK: "#009E73", AFG: "#E69F00", CHN: "#444444" };
const SVGNS = "http://www.w3.org/2000/svg";

export function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false)
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return e;
}

export function s(tag, attrs = {}, ...kids) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
  for (const kid of kids.flat()) if (kid) e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return e;
}

export function fmt(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en");
  return Number(x).toFixed(digits);
}

let toastTimer;
export function toast(text, ok = false) {
  let t = document.querySelector(".toast");
  if (!t) { t = h("div", { class: "toast", role: "status", "aria-live": "polite" }); document.body.append(t); }
  t.textContent = text; t.className = ok ? "toast ok" : "toast"; t.style.display = "block";
  clearTimeout(toastTimer); toastTimer = setTimeout(() => { t.style.display = "none"; }, ok ? 1800 : 5000);
}

// One WebSocket that says who it is first, reconnects by itself, numbers every message,
// and resolves each request with the server's ack (or rejects with its error).
export class Link {
  constructor(hello, onView, onStatus = () => {}) {
    this.hello = hello; this.onView = onView; this.onStatus = onStatus;
    this.id = Date.now(); this.waiting = new Map(); this.closed = false; this.open();
  }
  open() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/ws`);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(typeof this.hello === "function" ? this.hello() : this.hello));
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === "view") this.onView(msg.view);
      else if (msg.type === "welcome") { this.onStatus("online", msg); }
      else if (msg.type === "ack" || msg.type === "error" || msg.type === "pong") {
        const p = this.waiting.get(msg.id);
        if (p) { this.waiting.delete(msg.id); msg.type === "error" ? p.reject(msg) : p.resolve(msg); }
        else if (msg.type === "error") this.onStatus("refused", msg);
      }
    };
    ws.onclose = (ev) => {
      for (const p of this.waiting.values()) p.reject({ code: "offline", message: "connection lost; reconnecting" });
      this.waiting.clear();
      if (this.closed) return;  // closed on purpose (after a refusal already reported)
      if (ev.code === 4003 || ev.code === 4000) { this.closed = true; this.onStatus("refused", { code: ev.code }); return; }
      this.onStatus("offline");
      setTimeout(() => this.open(), 1000);
    };
  }
  send(msg) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== 1) { reject({ code: "offline", message: "not connected; retrying" }); return; }
      const id = ++this.id;
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }
  close() { this.closed = true; this.ws && this.ws.close(); }
}

// ------------------------------------------------------------------ map
let mapData = null;
export async function loadMap() {
  if (!mapData) mapData = await (await fetch("/api/map")).json();
  return mapData;
}

function project(bbox, width) {
  const [x0, y0, x1, y1] = bbox;
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
  const scale = width / ((x1 - x0) * k);
  const height = (y1 - y0) * scale;
  return { height, p: ([lon, lat]) => [((lon - x0) * k * scale).toFixed(1), ((y1 - lat) * scale).toFixed(1)] };
}

function pathOf(polygons, p) {
  return polygons.map((poly) => poly.map((ring) => "M" + ring.map((pt) => p(pt).join(",")).join("L") + "Z").join("")).join("");
}

function heat(v, max) {
  const t = max > 0 ? Math.min(v / max, 1) : 0;
  const a = [255, 245, 220], b = [165, 15, 21];
  return `rgb(${a.map((c, i) => Math.round(c + (b[i] - c) * Math.sqrt(t))).join(",")})`;
}

const SHORT = { KP: "KP", BAL: "Balochistan", PUN: "Punjab", SIN: "Sindh", ISB: "Islamabad", KBL: "Kabul", "AF-E": "East", "AF-S": "South", "AF-N": "North & West" };

// Draw Afghanistan and Pakistan as the model's regions, shaded by attacks last quarter.
export function drawMap(holder, figures, { width = 620, large = false } = {}) {
  if (!mapData) { loadMap().then(() => drawMap(holder, figures, { width, large })); return; }
  const { height, p } = project(mapData.bbox, width);
  const attacks = (figures && figures.attacks) || {};
  const max = Math.max(1, ...Object.values(attacks));
  const svg = s("svg", { viewBox: `0 0 ${width} ${Math.round(height)}`, role: "img", "aria-label": "Map of Afghanistan and Pakistan by region, shaded by attacks" });
  for (const o of mapData.other) svg.append(s("path", { d: pathOf(o.polygons, p), fill: "#dddddd", class: "region" }, s("title", {}, o.name)));
  for (const [id, r] of Object.entries(mapData.regions)) {
    const a = attacks[id] ?? 0;
    const groups = Object.entries((figures && figures.presence) || {}).filter(([, where]) => where[id]).map(([g]) => g);
    svg.append(s("path", { d: pathOf(r.polygons, p), fill: heat(a, max), class: "region", "data-region": id },
      s("title", {}, `${r.name}: ${fmt(a, 0)} attacks${groups.length ? "; based here: " + groups.join(", ") : ""}`)));
  }
  for (const c of Object.values(mapData.countries)) svg.append(s("path", { d: pathOf(c, p), class: "country" }));
  svg.append(s("path", { d: "M" + mapData.durand_line.map((pt) => p(pt).join(",")).join("L"), class: "durand" }));
  const at = { ...mapData.labels, "AF-E": [69.3, 32.9], KP: [72.1, 35.3], ISB: [73.6, 33.4] };
  for (const [id, pt] of Object.entries(at)) {
    const [x, y] = p(pt);
    const a = attacks[id];
    svg.append(s("text", { x, y, class: "label" }, SHORT[id] || id));
    if (a !== undefined) svg.append(s("text", { x, y: (+y + (large ? 17 : 13)).toFixed(1), class: "label" }, `${fmt(a, 0)} attacks`));
    const based = Object.entries((figures && figures.presence) || {}).filter(([, where]) => (where[id] || 0) >= 0.1).map(([g]) => g);
    if (based.length) svg.append(s("text", { x, y: (+y + (large ? 34 : 25)).toFixed(1), class: "label groups" }, based.join(" · ")));
  }
  const [lx, ly] = p([61.0, 37.6]);
  svg.append(s("text", { x: lx, y: ly, "font-size": large ? 15 : 11, fill: "#333" }, "AFGHANISTAN"));
  const [px, py] = p([69.4, 24.6]);
  svg.append(s("text", { x: px, y: py, "font-size": large ? 15 : 11, fill: "#333" }, "PAKISTAN"));
  const [dx, dy] = p([62.4, 29.0]);
  svg.append(s("text", { x: dx, y: dy, "font-size": large ? 13 : 10, fill: "#8a1c1c" }, "Durand Line"));
  holder.replaceChildren(svg,
    h("div", { class: "mute" }, `Attacks per region, ${figures ? figures.quarter : ""} (median of the model runs); in italics, the militant groups based there. Natural Earth boundaries, de facto; no endorsement of any line.`));
}

// ------------------------------------------------------------------ charts
// A small line chart: series = [{label, color, values, dash}], x = 1..n.
export function lineChart(holder, series, { width = 420, height = 200, ymin, ymax, baseline, title = "", large = false, turns } = {}) {
  const all = series.flatMap((x) => x.values).filter((v) => v !== null && v !== undefined);
  const n = Math.max(2, turns || 0, ...series.map((x) => x.values.length));
  let lo = ymin ?? Math.min(...all, baseline ?? Infinity), hi = ymax ?? Math.max(...all, baseline ?? -Infinity);
  if (!all.length) { lo = ymin ?? baseline ?? 0; hi = ymax ?? baseline ?? 1; }
  if (ymin === undefined || ymax === undefined) {
    // Pad free axes so a flat line sits mid-chart and small changes are not blown up.
    const span = Math.max(hi - lo, 0.15 * Math.max(Math.abs(hi), Math.abs(lo)), 1e-3);
    const mid = (hi + lo) / 2;
    if (ymin === undefined) lo = Math.max(0, mid - span * 0.65);
    if (ymax === undefined) hi = mid + span * 0.65;
  }
  const L = large ? 60 : 40, R = 10, T = title ? (large ? 28 : 18) : 6, B = large ? 30 : 22;
  const X = (i) => L + (i / (n - 1)) * (width - L - R);
  const Y = (v) => T + (1 - (v - lo) / (hi - lo)) * (height - T - B);
  const fs = large ? 16 : 10;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title || "chart" });
  if (title) svg.append(s("text", { x: L, y: T - 6, "font-size": fs + 1, "font-weight": 600 }, title));
  svg.append(s("line", { x1: L, y1: Y(lo), x2: width - R, y2: Y(lo), class: "axis" }));
  svg.append(s("line", { x1: L, y1: T, x2: L, y2: Y(lo), class: "axis" }));
  for (const v of [lo, hi]) svg.append(s("text", { x: L - 4, y: Y(v) + 4, "font-size": fs, "text-anchor": "end" }, fmt(v, hi - lo < 5 ? 2 : 0)));
  for (let i = 0; i < n; i++) svg.append(s("text", { x: X(i), y: height - 6, "font-size": fs, "text-anchor": "middle" }, i + 1));
  svg.append(s("text", { x: width - R, y: Y(lo) - 4, "font-size": fs - 1, "text-anchor": "end", fill: "#666" }, "turn"));
  if (baseline !== undefined) {
    svg.append(s("line", { x1: L, x2: width - R, y1: Y(baseline), y2: Y(baseline), stroke: "#888", "stroke-dasharray": "4 3" }));
    if (Math.abs(Y(baseline) - Y(lo)) > fs && Math.abs(Y(baseline) - Y(hi)) > fs)
      svg.append(s("text", { x: L - 4, y: Y(baseline) + 4, "font-size": fs, "text-anchor": "end", fill: "#666" }, fmt(baseline, 0)));
  }
  for (const ser of series) {
    const pts = ser.values.map((v, i) => (v === null || v === undefined ? null : `${X(i).toFixed(1)},${Y(v).toFixed(1)}`)).filter(Boolean);
    if (!pts.length) continue;
    svg.append(s("polyline", { points: pts.join(" "), fill: "none", stroke: ser.color, "stroke-width": large ? 3 : 2, "stroke-dasharray": ser.dash || null }, s("title", {}, ser.label)));
    for (const pt of pts) { const [x, y] = pt.split(","); svg.append(s("circle", { cx: x, cy: y, r: large ? 3.5 : 2.5, fill: ser.color })); }
  }
  holder.replaceChildren(svg);
}

export function legend(items) {
  return h("div", { class: "legend" }, items.map(([label, color]) => { const e = h("span", {}, label); e.style.setProperty("--c", color); return e; }));
}

export function newsList(entries, { limit = 40, reasons = true } = {}) {
  const items = entries.slice(-limit).reverse().map((e) => h("li", {},
    h("b", { class: `role-${e.role}` }, e.role === "teacher" ? "Event" : e.role === "rules" ? "Rules" : e.role),
    ` (turn ${e.turn}${e.by && e.by !== "person" && e.by !== "teacher" ? ", " + e.by : ""}): ${e.text}`,
    reasons && e.reason ? h("span", { class: "reason" }, ` — because ${e.reason}`) : null));
  return h("ul", { class: "news" }, items.length ? items : [h("li", { class: "mute" }, "Nothing yet.")]);
}

export function clock(seconds) {
  if (seconds === null || seconds === undefined) return "no timer";
  const m = Math.floor(seconds / 60), sec = Math.floor(seconds % 60);
  return `${m}:${String(sec).padStart(2, "0")}`;
}

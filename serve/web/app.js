// gogan studio: generate from a run, interpolate between two samples, and
// watch the run train. Talks to the JSON API of gogan serve (/api/openapi.json).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { models: [], run: null, picked: [], metrics: [], stream: null };

// api fetches path with the bearer token, asking for one on a 401.
async function api(path, opts = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = Object.assign({}, opts.headers);
    const token = sessionStorage.getItem("gogan-token");
    if (token) headers.Authorization = "Bearer " + token;
    const res = await fetch(path, Object.assign({}, opts, { headers }));
    if (res.status === 401 && attempt === 0) {
      const t = prompt("This server needs its token (gogan serve --token):");
      if (t) { sessionStorage.setItem("gogan-token", t); continue; }
    }
    if (!res.ok) {
      let msg = res.status + " " + res.statusText;
      try { msg = (await res.json()).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return res;
  }
}

function post(path, body, accept) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json", Accept: accept }, body: JSON.stringify(body) });
}

function status(msg) { $("status").textContent = msg; }

async function loadModels() {
  const { models } = await (await api("/api/models")).json();
  state.models = models;
  const sel = $("run");
  sel.replaceChildren(...models.map((m) => new Option(m.name + (m.images ? "" : " (no images)"), m.name)));
  const wanted = new URLSearchParams(location.hash.slice(1)).get("run");
  const first = models.find((m) => m.name === wanted) || models.find((m) => m.images) || models[0];
  if (!first) { status("no runs found"); return; }
  sel.value = first.name;
  selectRun(first.name);
}

function selectRun(name) {
  const m = state.models.find((x) => x.name === name);
  state.run = m;
  location.hash = "run=" + encodeURIComponent(name);
  showInfo();
  $("class-label").hidden = !m.classes;
  if (m.classes) {
    $("class").replaceChildren(new Option("all, in turn", "-1"), ...Array.from({ length: m.classes }, (_, i) => new Option(String(i), String(i))));
  }
  connectEvents(name);
  if (m.images) generate(); else status(m.error || "this run makes no images");
}

function showInfo() {
  const m = state.run, shape = m.shape ? m.shape.join("×") : "?";
  $("info").textContent = `${m.model || "?"} · step ${m.step} · ${m.dataset || "?"} · ${shape}` +
    (m.classes ? ` · ${m.classes} classes` : "") + (m.fid != null ? ` · FID ${m.fid.toFixed(2)} @ ${m.fid_step}` : "");
}

function request() {
  const t = Number($("truncation").value);
  const body = { n: Number($("n").value), seed: Number($("seed").value), truncation: t };
  if (state.run.classes) body.class = Number($("class").value);
  return body;
}

async function generate() {
  const m = state.run;
  if (!m || !m.images) return;
  const body = request();
  status("generating…");
  try {
    const ans = await (await post(`/api/models/${encodeURIComponent(m.name)}/generate`, body, "application/json")).json();
    const grid = $("grid");
    grid.style.gridTemplateColumns = `repeat(${Math.ceil(Math.sqrt(ans.images.length))}, 1fr)`;
    grid.replaceChildren(...ans.images.map((b64, i) => {
      const img = new Image();
      img.src = "data:image/png;base64," + b64;
      img.dataset.seed = ans.seeds[i];
      img.title = `seed ${ans.seeds[i]}` + (ans.classes ? `, class ${ans.classes[i]}` : "");
      img.addEventListener("click", () => pick(img));
      return img;
    }));
    state.picked = [];
    $("pair").textContent = "no pair picked";
    document.body.dataset.generated = String(ans.images.length);
    status(`${ans.images.length} samples from step ${ans.step}`);
  } catch (e) { status("generate: " + e.message); }
}

function pick(img) {
  if (img.classList.toggle("picked")) state.picked.push(img);
  else state.picked = state.picked.filter((x) => x !== img);
  while (state.picked.length > 2) state.picked.shift().classList.remove("picked");
  if (state.picked.length === 2) interpolate();
  else $("pair").textContent = "pick one more";
}

async function interpolate() {
  const [a, b] = state.picked.map((x) => Number(x.dataset.seed));
  const body = { from_seed: a, to_seed: b, method: $("method").value, truncation: Number($("truncation").value) };
  if ($("frames").value !== "") body.frames = Number($("frames").value); // else the server's default
  if (state.run.classes && Number($("class").value) >= 0) body.class = Number($("class").value);
  $("pair").textContent = `seed ${a} → seed ${b}…`;
  try {
    const blob = await (await post(`/api/models/${encodeURIComponent(state.run.name)}/interpolate`, body, "image/gif")).blob();
    const out = $("interp");
    if (out.src) URL.revokeObjectURL(out.src);
    out.onload = () => { document.body.dataset.interpolated = "yes"; };
    out.src = URL.createObjectURL(blob);
    out.hidden = false;
    $("pair").textContent = `seed ${a} → seed ${b}, ${body.frames ?? 16} frames (${body.method})`;
  } catch (e) { $("pair").textContent = "interpolate: " + e.message; }
}

// connectEvents follows the run's event stream (Server-Sent Events read with
// fetch, so that the token goes in a header), reconnecting when it ends.
async function connectEvents(name) {
  if (state.stream) state.stream.abort();
  const ctl = new AbortController();
  state.stream = ctl;
  state.metrics = [];
  drawCharts();
  while (!ctl.signal.aborted) {
    try {
      const res = await api(`/api/runs/${encodeURIComponent(name)}/events`, { signal: ctl.signal });
      $("live").textContent = "· live";
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          onEvent(buf.slice(0, cut));
          buf = buf.slice(cut + 2);
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
    }
    $("live").textContent = "· reconnecting";
    state.metrics = []; // the stream sends every line again
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function onEvent(block) {
  let type = "message", data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  if (!data) return;
  const msg = JSON.parse(data);
  if (type === "metrics") {
    state.metrics.push(msg);
    if (typeof msg.fid === "number" && state.run) { state.run.fid = msg.fid; state.run.fid_step = msg.step; showInfo(); }
    scheduleDraw();
  }
  else if (type === "reset") { state.metrics = []; scheduleDraw(); }
  else if (type === "sample") showSample(msg);
  else if (type === "checkpoint" && state.run) {
    state.run.step = msg.step;
    showInfo();
    $("live").textContent = `· live, checkpoint at step ${msg.step}`;
  }
}

async function showSample(msg) {
  try {
    const blob = await (await api(msg.url)).blob();
    const img = $("latest");
    if (img.src) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(blob);
    $("latest-caption").textContent = "Latest sample grid: " + msg.file;
  } catch (e) { $("latest-caption").textContent = "sample: " + e.message; }
}

let drawPending = false;
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawCharts(); });
}

const colors = ["#2a6fdb", "#d9480f", "#2b8a3e", "#9c36b5", "#e67700", "#495057"];

function series(match) {
  const keys = new Set();
  for (const m of state.metrics) for (const k of Object.keys(m)) if (match(k)) keys.add(k);
  return [...keys].sort().map((k) => ({
    name: k,
    points: state.metrics.filter((m) => typeof m[k] === "number" && isFinite(m[k])).map((m) => [m.step, m[k]]),
  }));
}

function drawCharts() {
  document.body.dataset.metrics = String(state.metrics.length);
  chart($("chart-loss"), series((k) => k.endsWith("loss") || k === "test_mse"));
  chart($("chart-d"), series((k) => k === "d_x" || k === "d_g_z"));
  chart($("chart-fid"), series((k) => k === "fid"));
}

// chart draws line series [{name, points: [[x, y]...]}] with their range and a legend.
function chart(canvas, lines) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, L = 44, R = 8, T = 18, B = 18;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, W, H);
  const pts = lines.flatMap((l) => l.points);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#777";
  if (pts.length === 0) { ctx.fillText("no data yet", L, H / 2); return; }
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of pts) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  ctx.strokeStyle = "#ddd";
  ctx.strokeRect(L, T, W - L - R, H - T - B);
  ctx.fillText(y1.toPrecision(3), 2, T + 4);
  ctx.fillText(y0.toPrecision(3), 2, H - B);
  ctx.fillText("step " + x0, L, H - 4);
  const right = "step " + x1;
  ctx.fillText(right, W - R - ctx.measureText(right).width, H - 4);
  let lx = L;
  lines.forEach((l, i) => {
    ctx.strokeStyle = ctx.fillStyle = colors[i % colors.length];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    l.points.forEach(([x, y], j) => (j ? ctx.lineTo(sx(x), sy(y)) : ctx.moveTo(sx(x), sy(y))));
    if (l.points.length === 1) ctx.arc(sx(l.points[0][0]), sy(l.points[0][1]), 2, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.fillText(l.name, lx, 12);
    lx += ctx.measureText(l.name).width + 12;
  });
}

function init() {
  $("run").addEventListener("change", (e) => selectRun(e.target.value));
  $("new-seed").addEventListener("click", () => { $("seed").value = Math.floor(Math.random() * 2 ** 31); generate(); });
  $("seed").addEventListener("change", generate);
  $("n").addEventListener("change", generate);
  $("class").addEventListener("change", generate);
  const tr = $("truncation");
  tr.addEventListener("input", () => { $("truncation-value").textContent = Number(tr.value) ? tr.value : "off"; });
  tr.addEventListener("change", generate);
  $("method").addEventListener("change", () => state.picked.length === 2 && interpolate());
  $("frames").addEventListener("change", () => state.picked.length === 2 && interpolate());
  loadModels().catch((e) => status("models: " + e.message));
}

init();

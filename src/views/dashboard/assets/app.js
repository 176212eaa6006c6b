// qubit-rx dashboard page: plain JS + uPlot, no framework.
// Data arrives as server-sent events (/api/events): 'hello' (a fresh connection; the history follows),
// 'run' (a run's info and status), 'scalars' and 'histogram' (metric records), 'figure' (a figure
// file of a run was written). Finished runs are fetched whole from /api/finished/<id> and join the
// same store, so live and finished runs compare. The selected run's figures (*.svg, *.png in its
// directory) are listed from /api/figures/<live|finished>/<id>, again on 'figure' events and every
// few seconds while the run is live.
'use strict';

const PALETTE = ['#1f77b4', '#e6550d', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const CHART_HEIGHT = 190;
const HEAT_HEIGHT = 180;
const REDRAW_MS = 250;
const FIGURE_POLL_MS = 3000;

/** @type {Map<string, Run>} run key → run; keys are run ids, prefixed for runs opened from files. */
const runs = new Map();
const charts = new Map(); // scalar key → { plot, signature }
const heatmaps = new Map(); // `${tag}\u0000${runKey}` → element
let smoothing = 0.6;
let selected = null;
let colorIndex = 0;

/**
 * @typedef {{ key: string, json: any, color: string, visible: boolean, fromFile: boolean,
 *   steps: number[], values: Map<string, (number|null)[]>, hists: Map<string, any[]>, lastStep: number }} Run
 */

function newRun(key, json, fromFile) {
  const existing = runs.get(key);
  const run = {
    key,
    json,
    color: existing ? existing.color : PALETTE[colorIndex++ % PALETTE.length],
    visible: existing ? existing.visible : true,
    fromFile,
    steps: [],
    values: new Map(),
    hists: new Map(),
    lastStep: -Infinity,
  };
  runs.set(key, run);
  if (selected == null) selected = key;
  return run;
}

function addScalars(run, rec) {
  const i = run.steps.length;
  run.steps.push(rec.step);
  run.lastStep = rec.step;
  for (const [k, v] of Object.entries(rec.values)) {
    let col = run.values.get(k);
    if (!col) {
      col = new Array(i).fill(null);
      run.values.set(k, col);
    }
    col.push(v);
  }
  for (const col of run.values.values()) if (col.length < i + 1) col.push(null);
}

function addHistogram(run, rec) {
  let list = run.hists.get(rec.tag);
  if (!list) run.hists.set(rec.tag, (list = []));
  list.push(rec);
}

// ---- live stream --------------------------------------------------------------------------

function connect() {
  const conn = document.getElementById('connection');
  const es = new EventSource('/api/events');
  es.addEventListener('open', () => {
    conn.textContent = 'live';
    conn.className = 'connection live';
  });
  es.addEventListener('error', () => {
    conn.textContent = 'disconnected — retrying';
    conn.className = 'connection lost';
  });
  es.addEventListener('hello', () => {
    // A (re)connection replays the whole history: drop what the last connection brought.
    for (const [key, run] of runs) if (!run.fromFile) runs.delete(key);
    scheduleRedraw();
  });
  es.addEventListener('run', (e) => {
    const json = JSON.parse(e.data);
    const run = runs.get(json.info.id);
    if (run && !run.fromFile && run.json.startedAt === json.startedAt) run.json = json;
    else newRun(json.info.id, json, false);
    // A run that just ended is now on disk in full: offer it in the finished list.
    if (json.status !== 'running') listFinished();
    if (json.info.id === selected) loadFigures();
    scheduleRedraw();
  });
  es.addEventListener('figure', (e) => {
    const { run } = JSON.parse(e.data);
    if (run === selected) loadFigures();
  });
  es.addEventListener('scalars', (e) => {
    const rec = JSON.parse(e.data);
    const run = runs.get(rec.run);
    if (run) addScalars(run, rec);
    scheduleRedraw();
  });
  es.addEventListener('histogram', (e) => {
    const rec = JSON.parse(e.data);
    const run = runs.get(rec.run);
    if (run) addHistogram(run, rec);
    scheduleRedraw();
  });
}

// ---- finished runs from Parquet ------------------------------------------------------------

async function listFinished() {
  const select = document.getElementById('finished');
  try {
    const list = await (await fetch('/api/finished')).json();
    const current = select.value;
    select.replaceChildren(
      ...list.map((d) => {
        const o = document.createElement('option');
        o.value = d.id;
        o.textContent = d.id;
        return o;
      }),
    );
    if (list.some((d) => d.id === current)) select.value = current;
    document.getElementById('open').disabled = list.length === 0;
    const message = document.getElementById('open-message');
    if (list.length === 0) setOpenMessage('no finished runs under the output directory');
    else if (message.textContent.startsWith('no finished runs')) setOpenMessage('');
  } catch (err) {
    setOpenMessage(`cannot list runs: ${err.message}`);
  }
}

async function openFinished(id) {
  setOpenMessage(`loading ${id}…`);
  const url = '/api/finished/' + id.split('/').map(encodeURIComponent).join('/');
  const res = await fetch(url);
  if (!res.ok) return setOpenMessage(`cannot open ${id}: ${res.status} ${await res.text()}`);
  const data = await res.json();
  const run = newRun(`file:${id}`, data, true);
  for (const rec of data.scalars) addScalars(run, rec);
  for (const rec of data.histograms) addHistogram(run, rec);
  selected = run.key;
  setOpenMessage(`opened ${id}: ${data.scalars.length} scalar rows, ${data.histograms.length} histograms`);
  scheduleRedraw();
}

function setOpenMessage(text) {
  document.getElementById('open-message').textContent = text;
}

// ---- drawing ------------------------------------------------------------------------------

let redrawTimer = null;
let lastRedraw = 0;
function scheduleRedraw() {
  if (redrawTimer != null) return;
  const wait = Math.max(0, REDRAW_MS - (performance.now() - lastRedraw));
  redrawTimer = setTimeout(() => {
    redrawTimer = null;
    lastRedraw = performance.now();
    requestAnimationFrame(redraw);
  }, wait);
}

function redraw() {
  renderRuns();
  renderConfig();
  renderScalars();
  renderHistograms();
  if (shownFigures.key !== (selected ?? null) && figureKey !== selected) loadFigures();
  const live = [...runs.values()].filter((r) => !r.fromFile);
  const running = live.some((r) => r.json.status === 'running');
  document.title = `${running ? '▶ ' : ''}qubit-rx dashboard`;
}

function renderRuns() {
  const ul = document.getElementById('runs');
  if (runs.size === 0) {
    ul.replaceChildren(el('li', { className: 'empty' }, 'waiting for a run…'));
    return;
  }
  ul.replaceChildren(
    ...[...runs.values()].map((run) => {
      const { info, status, message } = run.json;
      const box = el('input', { type: 'checkbox', checked: run.visible, title: 'show on charts' });
      box.addEventListener('click', (e) => {
        e.stopPropagation();
        run.visible = box.checked;
        scheduleRedraw();
      });
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = run.color;
      const total = info.total;
      const step = Number.isFinite(run.lastStep) ? run.lastStep : 0;
      const progress = total ? `step ${step}/${total} (${Math.floor((100 * step) / total)}%)` : `step ${step}`;
      const end = run.json.endedAt ?? (status === 'running' ? Date.now() : undefined);
      const elapsed = end != null ? ` · ${formatDuration((end - run.json.startedAt) / 1000)}` : '';
      const li = el(
        'li',
        { className: run.key === selected ? 'selected' : '', title: message ?? '' },
        swatch,
        el('span', { className: 'name', title: `${info.pipeline}/${info.id}` }, info.id),
        box,
        el('span', { className: 'detail' }, el('span', { className: `status ${status}` }, status), `${progress}${elapsed}`),
        el('span', { className: 'detail' }, `${info.pipeline}${run.fromFile ? ' · from Parquet' : ' · live'}`),
      );
      if (message) li.append(el('span', { className: 'detail' }, message));
      li.addEventListener('click', () => {
        selected = run.key;
        scheduleRedraw();
      });
      return li;
    }),
  );
}

function renderConfig() {
  const run = runs.get(selected);
  document.getElementById('config-run').textContent = run ? run.json.info.id : '';
  const rows = [];
  if (run) {
    const { info, status, startedAt } = run.json;
    rows.push(['pipeline', info.pipeline], ['status', status], ['started', new Date(startedAt).toISOString()]);
    if (info.total) rows.push(['total steps', String(info.total)]);
    for (const [k, v] of flatten(info.config ?? {})) rows.push([k, v]);
  }
  document.getElementById('config').replaceChildren(...rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v))));
}

function flatten(obj, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v != null && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v, `${prefix}${k}.`));
    else out.push([`${prefix}${k}`, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return out;
}

/** Scalar keys over all runs: loss first, then in order of first appearance. */
function scalarKeys() {
  const keys = [];
  for (const run of runs.values()) for (const k of run.values.keys()) if (!keys.includes(k)) keys.push(k);
  return keys.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
}

/** TensorBoard's smoothing: a debiased exponential moving average; non-finite points pass through. */
function smooth(values, weight) {
  const out = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = weight === 0 ? v : last / (1 - Math.pow(weight, n));
  }
  return out;
}

function renderScalars() {
  const grid = document.getElementById('scalars');
  const keys = scalarKeys();
  for (const [key, chart] of charts) {
    if (!keys.includes(key)) {
      chart.plot.destroy();
      chart.box.remove();
      charts.delete(key);
    }
  }
  for (const key of keys) {
    const shown = [...runs.values()].filter((r) => r.visible && r.values.has(key));
    const signature = shown.map((r) => r.key).join('\u0000');
    let chart = charts.get(key);
    if (!chart) {
      const box = el('div', { className: 'chart' });
      box.dataset.key = key;
      grid.append(box);
      chart = { box, plot: null, signature: null, width: 0, shown: [] };
      charts.set(key, chart);
    }
    // Measured once the box sits in its grid cell, so each chart fits its own column.
    const width = Math.max(280, Math.floor(chart.box.clientWidth || 420));
    if (chart.signature !== signature || chart.width !== width) {
      chart.plot?.destroy();
      chart.legend?.remove();
      const series = [{ label: 'step' }];
      for (const run of shown) {
        series.push({ label: `${runLabel(run)} raw`, stroke: fade(run.color), width: 1, spanGaps: true, points: { show: false } });
        series.push({ label: runLabel(run), stroke: run.color, width: 2, spanGaps: true, points: { show: false } });
      }
      const legend = el('div', { className: 'legend' });
      const plot = new uPlot(
        {
          title: key,
          width,
          height: CHART_HEIGHT,
          scales: { x: { time: false } },
          axes: [{}, { size: 56 }],
          series,
          cursor: { sync: { key: 'steps' } },
          legend: { show: false },
          hooks: { setCursor: [(u) => updateLegend(chart, u.cursor.idx)] },
        },
        [[]],
        chart.box,
      );
      chart.box.append(legend);
      Object.assign(chart, { plot, legend, signature, width, shown });
    }
    const tables = shown.map((run) => {
      const raw = run.values.get(key);
      return [run.steps, raw, smooth(raw, smoothing)];
    });
    const data = tables.length > 0 ? uPlot.join(tables) : [[]];
    chart.plot.setData(data);
    chart.box.dataset.points = String(data[0].length);
    updateLegend(chart, chart.plot.cursor.idx);
  }
  // Charts follow key order.
  for (const key of keys) grid.append(charts.get(key).box);
}

/** Under each chart: one entry per run with its smoothed value at the cursor (or the last step). */
function updateLegend(chart, idx) {
  if (!chart.legend || !chart.plot) return;
  const data = chart.plot.data;
  const xs = data[0] ?? [];
  chart.legend.replaceChildren(
    ...chart.shown.map((run, r) => {
      const ys = data[2 + 2 * r] ?? [];
      let i = idx != null && idx >= 0 ? idx : xs.length - 1;
      while (i > 0 && ys[i] == null) i--;
      const v = ys[i];
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = run.color;
      const at = xs[i] != null ? ` @ ${xs[i]}` : '';
      return el('span', { className: 'item' }, swatch, `${runLabel(run)} ${v == null ? '–' : formatNumber(v)}${at}`);
    }),
  );
}

/** A short name for a run: the tail `s<seed>-<hex>` of our run ids, else the id. */
function runLabel(run) {
  const id = run.json.info.id;
  const m = /(s\d+-[0-9a-f]+)$/.exec(id);
  const name = m ? m[1] : id.length > 18 ? `…${id.slice(-16)}` : id;
  return run.fromFile ? `${name} (file)` : name;
}

function fade(hex) {
  return hex + '55';
}

function renderHistograms() {
  const grid = document.getElementById('histograms');
  const wanted = new Set();
  for (const run of runs.values()) {
    if (!run.visible) continue;
    for (const [tag, list] of run.hists) {
      const id = `${tag}\u0000${run.key}`;
      wanted.add(id);
      let box = heatmaps.get(id);
      if (!box) {
        box = el('div', { className: 'heatmap' }, el('h3', {}), el('canvas'));
        box.dataset.tag = tag;
        heatmaps.set(id, box);
        grid.append(box);
      }
      box.querySelector('h3').textContent = runs.size > 1 ? `${tag} — ${runLabel(run)}` : tag;
      drawHeatmap(box.querySelector('canvas'), list, run.color);
    }
  }
  for (const [id, box] of heatmaps) {
    if (!wanted.has(id)) {
      box.remove();
      heatmaps.delete(id);
    }
  }
}

const VIRIDIS = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];
function viridis(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const c = VIRIDIS[i].map((a, j) => Math.round(a + f * (VIRIDIS[i + 1][j] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** One column per recorded step, bins drawn at their value range; shade = count / that step's largest count. */
function drawHeatmap(canvas, list, color) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 420;
  const cssH = HEAT_HEIGHT;
  if (canvas.width !== Math.round(cssW * dpr)) canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, cssW, cssH);
  const left = 48;
  const bottom = 22;
  const top = 6;
  const right = 8;
  const w = cssW - left - right;
  const h = cssH - top - bottom;
  let lo = Infinity;
  let hi = -Infinity;
  for (const rec of list) {
    lo = Math.min(lo, rec.edges[0]);
    hi = Math.max(hi, rec.edges[rec.edges.length - 1]);
  }
  if (!(hi > lo)) return;
  const y = (v) => top + h - ((v - lo) / (hi - lo)) * h;
  const n = list.length;
  g.fillStyle = '#f0f0f0';
  g.fillRect(left, top, w, h);
  list.forEach((rec, i) => {
    // Whole-pixel columns: fractional edges would leave faint seams between neighbours.
    const x0 = Math.round(left + (i / n) * w);
    const x1 = Math.round(left + ((i + 1) / n) * w);
    let max = 0;
    for (const c of rec.counts) max = Math.max(max, c);
    if (max <= 0) return;
    // The column's whole range first at the map's zero colour, so empty bins read as "none", not as gaps.
    g.fillStyle = viridis(0);
    const top0 = y(rec.edges[rec.edges.length - 1]);
    g.fillRect(x0, top0, Math.max(1, x1 - x0), y(rec.edges[0]) - top0);
    rec.counts.forEach((c, b) => {
      if (!(c > 0)) return;
      g.fillStyle = viridis(c / max);
      const ya = y(rec.edges[b + 1]);
      const yb = y(rec.edges[b]);
      g.fillRect(x0, ya, Math.max(1, x1 - x0), Math.max(1, yb - ya + 0.5));
    });
  });
  g.strokeStyle = color;
  g.strokeRect(left + 0.5, top + 0.5, w - 1, h - 1);
  g.fillStyle = '#444';
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const v of [lo, (lo + hi) / 2, hi]) g.fillText(formatNumber(v), left - 4, y(v));
  g.textBaseline = 'top';
  g.textAlign = 'left';
  g.fillText(`step ${list[0].step}`, left, top + h + 5);
  g.textAlign = 'right';
  g.fillText(`step ${list[n - 1].step} (${n} records)`, left + w, top + h + 5);
}

// ---- figures of the selected run ----------------------------------------------------------

/** What the figures panel shows: the run, its listing's signature, and one box per file name. */
const shownFigures = { key: null, signature: null, boxes: new Map() };
let figureRequest = 0;
let figureKey = null; // the run the latest request is for

/** The listing of the selected run's figure files; redraws only what changed (a new mtime or size reloads an image). */
async function loadFigures() {
  const run = runs.get(selected);
  const request = ++figureRequest;
  figureKey = run ? selected : null; // a run that is not (yet) on the page is tried again at the next redraw
  if (!run) return showFigures(null, []);
  const ref = run.fromFile ? `finished/${run.key.slice('file:'.length)}` : `live/${run.key}`;
  let list = [];
  try {
    const res = await fetch('/api/figures/' + ref.split('/').map(encodeURIComponent).join('/'));
    if (res.ok) list = await res.json();
  } catch {
    if (request === figureRequest) figureKey = null; // the next redraw or poll tries again
    return;
  }
  if (request === figureRequest) showFigures(run, list);
}

function showFigures(run, list) {
  const grid = document.getElementById('figures');
  const key = run ? run.key : null;
  const signature = list.map((f) => `${f.name}\u0000${f.mtime}\u0000${f.bytes}`).join('\u0001');
  if (shownFigures.key === key && shownFigures.signature === signature) return;
  if (shownFigures.key !== key) {
    for (const { box } of shownFigures.boxes.values()) box.remove();
    shownFigures.boxes.clear();
  }
  Object.assign(shownFigures, { key, signature });
  document.getElementById('figures-run').textContent = run ? run.json.info.id : '';
  const wanted = new Set(list.map((f) => f.name));
  for (const [name, entry] of shownFigures.boxes) {
    if (!wanted.has(name)) {
      entry.box.remove();
      shownFigures.boxes.delete(name);
    }
  }
  for (const f of list) {
    let entry = shownFigures.boxes.get(f.name);
    if (!entry) {
      const img = el('img', { alt: f.name, decoding: 'async' });
      const link = el('a', { target: '_blank', rel: 'noopener', title: 'open on its own' }, img);
      const caption = el('figcaption');
      const box = el('figure', { className: 'figure' }, link, caption);
      box.dataset.name = f.name;
      entry = { box, img, link, caption, version: null };
      shownFigures.boxes.set(f.name, entry);
    }
    const version = `${f.mtime}-${f.bytes}`;
    if (entry.version !== version) {
      // The query only defeats caches: the server ignores it.
      const src = `${f.url}?v=${version}`;
      entry.img.src = src;
      entry.link.href = src;
      entry.caption.textContent = `${f.name} · ${formatBytes(f.bytes)} · ${new Date(f.mtime).toLocaleTimeString()}`;
      entry.version = version;
    }
    grid.append(entry.box); // in the listing's (name) order
  }
  let empty = grid.querySelector('.empty');
  if (list.length === 0 && !empty) grid.append((empty = el('p', { className: 'note empty' })));
  if (empty) {
    if (list.length > 0) empty.remove();
    else empty.textContent = run ? 'no figures in this run’s directory yet' : 'no run selected';
  }
}

function formatBytes(n) {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

// ---- small helpers ------------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function formatNumber(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

function formatDuration(s) {
  if (!Number.isFinite(s) || s < 0) return '?';
  s = Math.round(s);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

// ---- start --------------------------------------------------------------------------------

/** Read-only view of what the page holds and draws (used by the end-to-end test and for debugging). */
window.__dashboard = {
  runIds: () => [...runs.keys()],
  /** The raw values of `key` for `runKey` as received, aligned with `steps`. */
  scalars: (runKey, key) => {
    const run = runs.get(runKey);
    return run ? { steps: run.steps.slice(), values: (run.values.get(key) ?? []).slice() } : null;
  },
  /** What the chart of `key` plots now: uPlot's data arrays [steps, raw run 1, smoothed run 1, ...]. */
  chartData: (key) => {
    const chart = charts.get(key);
    return chart ? chart.plot.data.map((a) => Array.from(a)) : null;
  },
  /** The figures panel: file names in order, and whether each image has loaded. */
  figures: () => [...shownFigures.boxes].map(([name, e]) => ({ name, loaded: e.img.complete && e.img.naturalWidth > 0 })),
  openFinished,
};

document.getElementById('smoothing').addEventListener('input', (e) => {
  smoothing = Number(e.target.value);
  document.getElementById('smoothing-value').textContent = smoothing.toFixed(2);
  scheduleRedraw();
});
document.getElementById('open').addEventListener('click', () => {
  const id = document.getElementById('finished').value;
  if (id) openFinished(id).catch((err) => setOpenMessage(`cannot open ${id}: ${err.message}`));
});
document.getElementById('finished').addEventListener('focus', listFinished);
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(scheduleRedraw, 150);
});
setInterval(() => {
  if ([...runs.values()].some((r) => r.json.status === 'running')) scheduleRedraw();
}, 1000);
setInterval(listFinished, 15_000);
setInterval(() => {
  // A live run's directory may gain figures at any time; a finished run's does not.
  const run = runs.get(selected);
  if (run && !run.fromFile) loadFigures();
}, FIGURE_POLL_MS);

connect();
listFinished();

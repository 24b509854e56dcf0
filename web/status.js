// The status page (AG-42): cards with the figures of now, and charts of the last hour, drawn with
// uPlot (served by this server from its installed package). Everything shown comes from two JSON
// endpoints of the same server, polled a few times per stats sample:
//   status.json?since=<t>   what to show (spec), health, new history points, the galaxy panel
//   stats?format=json       every stat now; the cards show figures computed from these readings
'use strict';

(function () {
  const COLORS = ['#2f6fdf', '#e8590c', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#5c940d', '#d6336c'];
  const HOUR_SECONDS = 3600;

  const state = {
    spec: null,
    sampleMs: 5000,
    t: [],
    series: {},
    lastT: 0,
    charts: [],
    cards: [],
    galaxy: { t: [], users: {}, names: '', plot: null },
  };

  const $ = (id) => document.getElementById(id);

  async function getJson(url) {
    const r = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  }

  function fmt(v, digits) {
    return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
  }

  /** The same computation as the server's runtime/status-history.ts `figure`. */
  function figure(reading, s) {
    if (!reading) return null;
    const raw =
      s.field === 'value' ? reading.value : s.field === 'rate' ? (reading.rate ?? 0) : (reading.averageRate ?? 0);
    return raw * (s.scale ?? 1);
  }

  function seriesSpec(key) {
    return state.spec.series.find((s) => s.key === key);
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function buildCards() {
    const box = $('cards');
    box.replaceChildren();
    state.cards = state.spec.cards.map((c) => {
      const s = seriesSpec(c.series);
      const card = el('div', 'card');
      card.dataset.series = c.series;
      const value = el('div', 'value', '—');
      value.dataset.value = '';
      card.append(value, el('div', 'label', s.label), el('div', 'unit', c.unit));
      box.append(card);
      return { spec: c, series: s, value };
    });
  }

  function updateCards(stats) {
    const byName = new Map(stats.stats.map((r) => [r.name, r]));
    for (const c of state.cards) {
      const v = figure(byName.get(c.series.stat), c.series);
      c.value.textContent = fmt(v, c.spec.digits);
      c.value.dataset.value = v === null ? '' : String(v);
    }
    document.body.dataset.sampledAt = String(stats.sampledAt);
  }

  function plotWidth(holder) {
    return Math.max(300, holder.clientWidth - 4);
  }

  function makePlot(holder, title, unit, labels, data) {
    const opts = {
      width: plotWidth(holder),
      height: 200,
      series: [
        {},
        ...labels.map((label, i) => ({
          label,
          stroke: COLORS[i % COLORS.length],
          width: 1.5,
          value: (_u, v) => fmt(v, 1),
        })),
      ],
      axes: [{}, { size: 56, label: unit || undefined, labelSize: 18 }],
      legend: { live: true },
    };
    return new uPlot(opts, data, holder);
  }

  function buildCharts() {
    const box = $('charts');
    box.replaceChildren();
    state.charts = state.spec.charts.map((c) => {
      const wrap = el('div', 'chart');
      wrap.append(el('h3', '', c.unit ? `${c.title} (${c.unit})` : c.title));
      const holder = el('div');
      wrap.append(holder);
      box.append(wrap);
      const labels = c.series.map((k) => seriesSpec(k).label);
      return { spec: c, holder, plot: makePlot(holder, c.title, c.unit, labels, chartData(c)) };
    });
  }

  function chartData(c) {
    return [state.t, ...c.series.map((k) => state.series[k] || [])];
  }

  function append(history) {
    const n = history.t.length;
    if (n === 0) return;
    state.t.push(...history.t);
    for (const s of state.spec.series) {
      const arr = (state.series[s.key] ||= []);
      arr.push(...(history.series[s.key] || new Array(n).fill(null)));
    }
    state.lastT = state.t[state.t.length - 1];
    const from = state.t.findIndex((t) => t > state.lastT - HOUR_SECONDS);
    if (from > 0) {
      state.t.splice(0, from);
      for (const k of Object.keys(state.series)) state.series[k].splice(0, from);
    }
  }

  function redraw() {
    for (const c of state.charts) c.plot.setData(chartData(c.spec));
    document.body.dataset.points = String(state.t.length);
    if (state.t.length > 0) document.body.dataset.charts = 'drawn';
  }

  function showHealth(h) {
    const b = $('health');
    b.className = `health ${h.ok ? 'ok' : 'bad'}`;
    b.textContent = h.ok ? 'healthy' : `unhealthy: ${h.reason}`;
  }

  function showAbout(status) {
    const s = status.server;
    $('title').textContent = status.spec.title;
    document.title = `${status.spec.title} — WorldServer status`;
    $('about').textContent =
      `${s.category}.${s.name} · pid ${s.pid} · up since ${new Date(s.startedAt).toLocaleString()}` +
      (s.version ? ` · version ${s.version}` : '') +
      ` · sampled every ${status.sampleMs / 1000} s`;
  }

  function duration(seconds) {
    if (seconds < 120) return `${seconds} s`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
    return `${fmt(seconds / 3600, 1)} h`;
  }

  /** The other WorldServer of a redundant pair (BackupServer / BackupClient) and the link to it. */
  function showPeer(p) {
    const line = $('peer');
    if (!p) {
      line.hidden = true;
      return;
    }
    line.hidden = false;
    line.className = `peer ${p.up ? 'up' : 'down'}`;
    const who = `${p.role} ${p.name ?? '(not seen yet)'}${p.address ? ` at ${p.address}` : ''}`;
    line.textContent = p.up
      ? `Other WorldServer: ${who}, channel suffix ${p.suffix}; backup link up for ${duration(p.sinceSeconds)}, ` +
        `${p.users} users there, link RTT ${fmt(p.linkRttMs, 1)} ms`
      : `Other WorldServer: ${who}; backup link down for ${duration(p.sinceSeconds)}` +
        (p.reason ? ` (${p.reason})` : '');
  }

  function showGalaxy(g) {
    if (!g) return;
    $('galaxy').hidden = false;
    showPeer(g.peer);
    const rows = g.servers.map((r) => {
      const tr = el('tr');
      tr.dataset.roomserver = r.name;
      const cells = [
        r.name,
        r.address,
        r.users ?? '—',
        r.rooms ?? '—',
        r.serverWorlds ?? '—',
        r.tickP99Us === undefined ? '—' : fmt(r.tickP99Us / 1000, 1),
        r.missedIntervals ?? '—',
        r.cpuPermille === undefined ? '—' : fmt(r.cpuPermille / 10, 1),
        r.rssKiB === undefined ? '—' : fmt(r.rssKiB / 1024, 1),
        r.bytesInPerSecond === undefined ? '—' : fmt(r.bytesInPerSecond / 1000, 1),
        r.bytesOutPerSecond === undefined ? '—' : fmt(r.bytesOutPerSecond / 1000, 1),
        r.eventLoopP99Us === undefined ? '—' : fmt(r.eventLoopP99Us / 1000, 1),
        fmt(r.linkRttMs, 1),
        r.reportedSecondsAgo === null ? 'never' : fmt(r.reportedSecondsAgo, 1),
      ];
      for (const c of cells) tr.append(el('td', '', String(c)));
      return tr;
    });
    $('galaxy-rows').replaceChildren(...rows);

    const h = state.galaxy;
    const names = Object.keys(g.history.users).sort();
    const n = g.history.t.length;
    const knownNames = h.names === '' ? [] : h.names.split('\n');
    h.t.push(...g.history.t);
    for (const name of names) {
      // A RoomServer seen for the first time has no points before now.
      if (!h.users[name]) h.users[name] = new Array(h.t.length - n).fill(null);
      h.users[name].push(...g.history.users[name]);
    }
    for (const name of knownNames) if (!names.includes(name)) h.users[name].push(...new Array(n).fill(null));
    const all = Object.keys(h.users).sort();
    const from = h.t.findIndex((t) => t > h.t[h.t.length - 1] - HOUR_SECONDS);
    if (from > 0) {
      h.t.splice(0, from);
      for (const k of all) h.users[k].splice(0, from);
    }
    const data = [h.t, ...all.map((k) => h.users[k])];
    const holder = $('galaxy-chart');
    if (!h.plot || h.names !== all.join('\n')) {
      holder.replaceChildren(el('h3', '', 'Users per RoomServer'));
      const inner = el('div');
      holder.append(inner);
      h.plot = makePlot(inner, 'Users per RoomServer', 'users', all, data);
      h.names = all.join('\n');
    } else h.plot.setData(data);
  }

  async function refresh() {
    const [status, stats] = await Promise.all([
      getJson(`status.json?since=${state.lastT}`),
      getJson('stats?format=json'),
    ]);
    showHealth(status.health);
    append(status.history);
    redraw();
    showGalaxy(status.galaxy);
    updateCards(stats);
  }

  async function poll() {
    try {
      await refresh();
    } catch (err) {
      const b = $('health');
      b.className = 'health bad';
      b.textContent = `cannot reach the server (${err.message})`;
    }
    setTimeout(poll, Math.max(500, Math.min(state.sampleMs, 10_000) / 2));
  }

  async function start() {
    const status = await getJson('status.json');
    state.spec = status.spec;
    state.sampleMs = status.sampleMs;
    showAbout(status);
    buildCards();
    append(status.history);
    buildCharts();
    state.galaxy.t = [];
    showGalaxy(status.galaxy);
    showHealth(status.health);
    redraw();
    updateCards(await getJson('stats?format=json'));
    setTimeout(poll, Math.max(500, Math.min(state.sampleMs, 10_000) / 2));
  }

  window.addEventListener('resize', () => {
    for (const c of state.charts) c.plot.setSize({ width: plotWidth(c.holder), height: 200 });
  });

  start().catch((err) => {
    console.error(err);
    const b = $('health');
    b.className = 'health bad';
    b.textContent = `cannot load the status (${err.message})`;
  });
})();

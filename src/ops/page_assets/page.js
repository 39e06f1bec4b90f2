// page.js: the status page's behaviour: reads /api/*, fills the figures and lists, draws the
// chart, and sends the operator's actions with the admin token kept for this browser tab.
'use strict';

const TOKEN_KEY = 'pheedsync-admin-token';
const REFRESH_MS = 5000;
const SVG_NS = 'http://www.w3.org/2000/svg';
const REFUSED = ['forged', 'stale', 'malformed', 'busy', 'failed'];
const TAKEN = ['accepted', 'duplicates', 'ignored'];

const $ = (id) => document.getElementById(id);
let serverHasToken = false;
let refreshing = false;
let again = false; // a refresh was asked for while one ran
let actions = 0; // bumped by each action: lists read before it are stale

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

async function api(path, method) {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = 'Bearer ' + token();
  let res;
  try {
    res = await fetch(path, { method: method || 'GET', headers, cache: 'no-store' });
  } catch (e) {
    return { status: 0, body: { ok: false, error: 'pheedsync does not answer' } };
  }
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = { ok: false, error: 'HTTP ' + res.status };
  }
  return { status: res.status, body };
}

// ------------------------------------------------------------------ small helpers

function text(id, value) {
  const el = $(id);
  if (el) el.textContent = value === undefined || value === null ? '–' : String(value);
  return el;
}

function num(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
}

function ago(iso) {
  if (!iso) return '–';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

function duration(seconds) {
  if (typeof seconds !== 'number') return '–';
  if (seconds < 1) return 'none';
  if (seconds < 120) return Math.round(seconds) + ' s';
  if (seconds < 7200) return Math.round(seconds / 60) + ' min';
  return (seconds / 3600).toFixed(1) + ' h';
}

function el(tag, attrs, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v;
    else if (k === 'className') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children || []) e.appendChild(c);
  return e;
}

function notice(message, kind) {
  const n = $('notice');
  n.textContent = message;
  n.dataset.kind = kind || 'info';
  n.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { n.hidden = true; }, 6000);
}

function sum(obj, keys) {
  return keys.reduce((t, k) => t + (obj && typeof obj[k] === 'number' ? obj[k] : 0), 0);
}

// ------------------------------------------------------------------ the token

function showTokenForm(message) {
  $('token-form').hidden = false;
  text('token-msg', message || '');
  $('token-input').focus();
}

function setupToken() {
  $('token-button').addEventListener('click', () => {
    const f = $('token-form');
    if (f.hidden) showTokenForm(token() ? 'A token is kept for this tab.' : '');
    else f.hidden = true;
  });
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token-input').value.trim();
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    $('token-input').value = '';
    $('token-form').hidden = true;
    refresh();
  });
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    text('token-msg', 'Forgotten.');
    refresh();
  });
}

// ------------------------------------------------------------------ health

function authText(auth) {
  return { ok: 'connected', needs_reauth: 'needs re-authorization',
    not_connected: 'not connected', unknown: 'unknown' }[auth] || auth;
}

function breakerState(breaker) {
  return breaker === 'open' ? 'bad' : breaker === 'half_open' ? 'warn' : 'ok';
}

function renderService(name, s) {
  const card = $('card-' + name);
  if (!s) {
    card.classList.add('off');
    text(name + '-auth', 'not configured');
    return;
  }
  card.classList.remove('off');
  text(name + '-account', s.account || '');
  const a = text(name + '-auth', authText(s.auth));
  a.dataset.state = s.auth === 'ok' ? 'ok' : 'bad';
  if (s.reason) a.title = s.reason;
  const b = text(name + '-breaker', s.breaker ? s.breaker.replace('_', '-') : 'none');
  b.dataset.state = breakerState(s.breaker);
  text(name + '-calls', num(s.api && s.api.calls));
  text(name + '-failures', num(s.api && s.api.failures));
  renderBudget($(name + '-budget'), s.budget);
}

function budgetBar(label, left, max) {
  const share = max > 0 ? Math.max(0, Math.min(1, left / max)) : 0;
  const bar = el('div', { className: 'bar' }, [el('span')]);
  bar.firstChild.style.width = (share * 100).toFixed(1) + '%';
  bar.dataset.level = share < 0.1 ? 'bad' : share < 0.3 ? 'warn' : 'ok';
  return el('div', { className: 'budget-row' }, [
    el('span', { className: 'budget-label', text: label }), bar,
    el('span', { className: 'budget-figure', text: num(left) + ' / ' + num(max) }),
  ]);
}

function renderBudget(box, b) {
  box.replaceChildren();
  if (!b) {
    box.appendChild(el('p', { className: 'muted', text: 'Budget: no call made yet.' }));
    return;
  }
  if (b.interval_max > 0) {
    const secs = Math.round(b.interval_ms / 1000);
    box.appendChild(budgetBar('per ' + secs + ' s', b.interval_left, b.interval_max));
  }
  if (b.daily_limit > 0 && typeof b.daily_left === 'number') {
    box.appendChild(budgetBar('today', b.daily_left, b.daily_limit));
  }
  if (!box.firstChild) box.appendChild(el('p', { className: 'muted', text: 'Budget: no limit.' }));
}

// ------------------------------------------------------------------ links

// Every link with several of them (the first one's services are the top-level ones); none
// with one link, whose cards above say it all.
function linkList(s) {
  if (!Array.isArray(s.links) || s.links.length === 0) return [];
  const first = s.link || {};
  return [{ name: first.name || 'default', events: first.events, services: s.services || {} },
    ...s.links];
}

// One service of a link: its account, connection, breaker, budget, and what to run when it
// needs connecting again.
function linkService(kind, label, svc, events) {
  const box = el('div', { className: 'link-service', 'data-service': kind });
  if (!svc) {
    box.classList.add('off');
    box.appendChild(el('div', { className: 'link-head', text: label + ': not configured' }));
    return box;
  }
  const auth = el('span', { className: 'link-auth', text: authText(svc.auth) });
  auth.dataset.state = svc.auth === 'ok' ? 'ok' : 'bad';
  if (svc.reason) auth.title = svc.reason;
  box.appendChild(el('div', { className: 'link-head' }, [
    el('span', { className: 'link-label', text: label }),
    el('span', { className: 'link-account', text: svc.account || '–' }), auth,
  ]));
  if (events) box.appendChild(el('div', { className: 'link-events', text: 'events: ' + events }));
  if (svc.api) {
    box.appendChild(el('div', { className: 'link-calls',
      text: num(svc.api.calls) + ' calls, ' + num(svc.api.failures) + ' failed, ' +
        num(svc.api.rate_limited) + ' rate limited' }));
  }
  if (svc.breaker === 'open' || svc.breaker === 'half_open') {
    const b = el('div', { className: 'link-breaker',
      text: 'circuit breaker ' + svc.breaker.replace('_', '-') });
    b.dataset.state = breakerState(svc.breaker);
    box.appendChild(b);
  }
  const budget = el('div', { className: 'budget' });
  renderBudget(budget, svc.budget);
  box.appendChild(budget);
  if (svc.fix) {
    box.appendChild(el('p', { className: 'link-fix' }, [
      el('span', { text: 'To connect it again, run ' }), el('code', { text: svc.fix }),
    ]));
  }
  return box;
}

function linkCard(l) {
  const sv = l.services || {};
  const events = Array.isArray(l.events) && l.events.length ? l.events.join(', ') : '';
  const card = el('article', { className: 'link-card', 'data-link': l.name }, [
    el('h3', { className: 'link-name', text: l.name }),
    linkService('ghl', 'HighLevel location', sv.ghl),
    linkService('pheedloop', 'PheedLoop organization', sv.pheedloop, events),
  ]);
  const ok = [sv.ghl, sv.pheedloop].every((x) => !x || (x.auth === 'ok' && x.breaker !== 'open'));
  card.dataset.state = ok ? 'ok' : 'bad';
  return card;
}

function renderLinks(s) {
  const links = linkList(s);
  $('links-panel').hidden = links.length === 0;
  $('links').replaceChildren(...links.map(linkCard));
}

function renderStatus(s) {
  serverHasToken = !!s.admin_token;
  text('version', s.version ? 'v' + s.version : '');
  const r = text('ready', s.ready ? 'Ready' : 'Not ready');
  r.dataset.state = s.ready ? 'ok' : 'bad';
  text('updated', 'updated ' + new Date().toLocaleTimeString());
  const list = $('problem-list');
  list.replaceChildren(...(s.problems || []).map((p) => el('li', { text: p })));
  $('problems').hidden = !(s.problems && s.problems.length);

  const st = s.store || {};
  text('fig-store', st.ok ? 'ok' : st.error || 'unreachable').dataset.state = st.ok ? 'ok' : 'bad';
  text('fig-links', num(st.links));
  text('fig-pending', st.ok ? num(st.inbox_pending + st.inbox_claimed + st.outbox_pending +
    st.outbox_running) : '–');
  text('fig-lag', st.ok ? duration(st.lag_seconds) : '–');
  const dead = text('fig-dead', num(st.dead_letters));
  dead.dataset.state = st.dead_letters > 0 ? 'bad' : 'ok';
  const held = text('fig-held', num(st.held_pending));
  held.dataset.state = st.held_pending > 0 ? 'warn' : 'ok';

  const services = s.services || {};
  renderService('ghl', services.ghl);
  renderService('pheedloop', services.pheedloop);
  renderLinks(s);

  const d = s.daemon || {};
  const hooks = d.webhooks || {};
  text('fig-hooks-ok', num(sum(hooks.ghl, TAKEN) + sum(hooks.pheedloop, TAKEN)));
  text('fig-hooks-refused', num(sum(hooks.ghl, REFUSED) + sum(hooks.pheedloop, REFUSED)));
  text('fig-polls', num(d.polls));
  text('fig-reconciles', num(d.reconciles));
  const al = text('fig-alerts', num(s.alerts_active));
  al.dataset.state = s.alerts_active > 0 ? 'bad' : 'ok';
}

// ------------------------------------------------------------------ the chart

function svg(tag, attrs) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function renderChart(series) {
  const box = $('chart');
  box.replaceChildren();
  // One user unit per CSS pixel, so that the text keeps its size whatever the width.
  const W = Math.max(320, Math.round(box.getBoundingClientRect().width) || 720);
  const H = 200, L = 40, R = 8, T = 10, B = 24;
  box.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  const applied = series.applied || [], failed = series.failed || [];
  const apiCalls = series.api_calls || [], hooks = series.webhooks || [];
  const n = applied.length || 60;
  const top = Math.max(2, ...applied.map((v, i) => v + (failed[i] || 0)), ...apiCalls, ...hooks);
  const scale = niceCeil(top);
  const x = (i) => L + ((W - L - R) * i) / n;
  const y = (v) => T + (H - T - B) * (1 - v / scale);
  for (const f of [0, 0.5, 1]) {
    box.appendChild(svg('line', { x1: L, x2: W - R, y1: y(scale * f), y2: y(scale * f),
      class: 'grid' }));
    const t = svg('text', { x: L - 6, y: y(scale * f) + 4, class: 'axis', 'text-anchor': 'end' });
    t.textContent = String(Math.round(scale * f));
    box.appendChild(t);
  }
  const bw = Math.max(1, (W - L - R) / n - 2);
  applied.forEach((v, i) => {
    const f = failed[i] || 0;
    if (v > 0) box.appendChild(svg('rect', { x: x(i) + 1, y: y(v + f), width: bw,
      height: y(f) - y(v + f), class: 'applied' }));
    if (f > 0) box.appendChild(svg('rect', { x: x(i) + 1, y: y(f), width: bw,
      height: y(0) - y(f), class: 'failed' }));
  });
  for (const [data, cls] of [[apiCalls, 'api'], [hooks, 'hooks']]) {
    if (!data.some((v) => v > 0)) continue;
    const pts = data.map((v, i) => (x(i) + bw / 2 + 1).toFixed(1) + ',' + y(v).toFixed(1));
    box.appendChild(svg('polyline', { points: pts.join(' '), class: 'line ' + cls }));
  }
  [[0, '-60 min'], [n / 2, '-30 min'], [n - 1, 'now']].forEach(([i, label]) => {
    const t = svg('text', { x: x(i) + bw / 2, y: H - 6, class: 'axis', 'text-anchor': 'middle' });
    t.textContent = label;
    box.appendChild(t);
  });
}

// The axis top: a round number whose half is a whole number too (v >= 2).
function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 4, 6, 8, 10]) if (v <= m * p && (m * p) % 2 === 0) return m * p;
  return 10 * p;
}

// ------------------------------------------------------------------ lists and actions

function listLocked(prefix, res) {
  const empty = $(prefix + '-empty');
  $(prefix + '-table').hidden = true;
  empty.hidden = false;
  if (res.status === 401) {
    empty.textContent = token() ? 'The admin token was refused: enter it again to see this list.'
      : 'Enter the admin token to see this list.';
    empty.classList.add('locked');
    return true;
  }
  empty.textContent = (res.body && res.body.error) || 'Could not load this list.';
  return true;
}

function fillTable(prefix, items, row, emptyText) {
  const empty = $(prefix + '-empty');
  const table = $(prefix + '-table');
  empty.classList.remove('locked');
  empty.textContent = emptyText;
  empty.hidden = items.length > 0;
  table.hidden = items.length === 0;
  table.tBodies[0].replaceChildren(...items.map(row));
  const count = $(prefix + '-count');
  if (count) count.textContent = items.length ? String(items.length) : '';
}

function actionButton(label, cls, handler) {
  const b = el('button', { type: 'button', className: cls, text: label });
  b.addEventListener('click', () => handler(b));
  return b;
}

async function act(button, path, done, confirmText) {
  if (confirmText && !window.confirm(confirmText)) return;
  if (serverHasToken && !token()) {
    showTokenForm('Enter the admin token to do this.');
    return;
  }
  button.disabled = true;
  actions++;
  const res = await api(path, 'POST');
  actions++; // also lists read while the action was on its way
  button.disabled = false;
  if (res.status === 200 && res.body.ok) {
    const row = button.closest('tr');
    if (row) row.remove();
    notice(done, 'ok');
    refresh();
    return;
  }
  if (res.status === 401) showTokenForm('The admin token was refused.');
  notice((res.body && res.body.error) || 'HTTP ' + res.status, 'bad');
}

function deadRow(d) {
  const id = String(d.id);
  return el('tr', { 'data-id': id }, [
    el('td', { text: id }),
    el('td', { text: d.kind, title: d.service + ' ' + d.account }),
    el('td', { className: 'mono', text: d.record_key }),
    el('td', { className: 'error', text: d.error_class + ': ' + d.message }),
    el('td', { text: String(d.attempts) }),
    el('td', { text: ago(d.dead_at), title: d.dead_at || '' }),
    el('td', { className: 'actions' }, [
      actionButton('Replay', 'replay', (b) => act(b, '/api/dlq/' + id + '/replay',
        'Dead letter ' + id + ' is back in the queue.')),
      actionButton('Drop', 'drop ghost', (b) => act(b, '/api/dlq/' + id + '/drop',
        'Dead letter ' + id + ' dropped.', 'Drop dead letter ' + id + ' for good?')),
    ]),
  ]);
}

function heldRow(h) {
  const id = String(h.id);
  return el('tr', { 'data-id': id }, [
    el('td', { text: id }),
    el('td', { text: h.side }),
    el('td', { className: 'mono', text: h.record_key }),
    el('td', { text: h.reason }),
    el('td', { text: ago(h.created_at), title: h.created_at || '' }),
    el('td', { className: 'actions' }, [
      actionButton('Approve', 'approve', (b) => act(b, '/api/held/' + id + '/approve',
        'Delete ' + id + ' approved.', 'Approve delete ' + id + ' (' + h.record_key + ')?')),
      actionButton('Reject', 'reject ghost', (b) => act(b, '/api/held/' + id + '/reject',
        'Delete ' + id + ' rejected: the record stays.')),
    ]),
  ]);
}

function activityRow(a) {
  const fields = Array.isArray(a.fields) ? a.fields.join(', ') : '';
  return el('tr', {}, [
    el('td', { text: ago(a.at), title: a.at || '' }),
    el('td', { className: 'mono', text: a.person }),
    el('td', { text: a.direction.replaceAll('_', ' ') }),
    el('td', { text: fields }),
    el('td', { text: a.reason }),
  ]);
}

// ------------------------------------------------------------------ refresh

async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  const seen = actions;
  try {
    const [status, series, dlq, held, activity] = await Promise.all([
      api('/api/status'), api('/api/series'), api('/api/dlq'), api('/api/held'),
      api('/api/activity'),
    ]);
    if (status.status === 200) renderStatus(status.body);
    else {
      const r = text('ready', 'Unreachable');
      r.dataset.state = 'bad';
    }
    if (series.status === 200) renderChart(series.body);
    if (seen !== actions) return; // an action ran meanwhile: these lists may be stale
    if (dlq.status === 200) fillTable('dlq', dlq.body.items, deadRow, 'No dead letters.');
    else listLocked('dlq', dlq);
    if (held.status === 200) {
      fillTable('held', held.body.items, heldRow, 'No deletes wait for approval.');
    } else listLocked('held', held);
    if (activity.status === 200) fillTable('activity', activity.body.items, activityRow, 'Nothing yet.');
    else listLocked('activity', activity);
    if ([dlq, held, activity].some((r) => r.status === 401) && $('token-form').hidden) {
      showTokenForm(token() ? 'The admin token was refused.' : 'This server asks for its admin token.');
    }
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

document.addEventListener('DOMContentLoaded', () => {
  setupToken();
  refresh();
  setInterval(refresh, REFRESH_MS);
});

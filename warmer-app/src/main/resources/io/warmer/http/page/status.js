// The status page: reads api/status every two seconds and shows it. Strings from the server enter the DOM only as
// text (textContent, createElement): a family name or a logged message can hold anything.
'use strict';

const REFRESH_MS = 2000;
/** A request that takes longer counts as a lost connection: a hung server must not freeze the page silently. */
const TIMEOUT_MS = 5000;
const SVG = 'http://www.w3.org/2000/svg';
const integer = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
const decimal = new Intl.NumberFormat('en-US', {maximumFractionDigits: 1});

let lastSuccess = null;
let failures = 0;
let targets = {minCoverage: 1};
let valuesJudged = true;

function $(id) {
  return document.getElementById(id);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function percent(share) {
  return (100 * share).toFixed(2) + '%';
}

function rate(perSecond) {
  return perSecond < 10 ? decimal.format(perSecond) : integer.format(perSecond);
}

function duration(seconds) {
  const s = Math.floor(seconds);
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor(s % 86400 / 3600) + ' h';
}

function clock(date) {
  return date.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

/** Shows a count, keeping the raw value in data-value for scripts and tests; null shows as a dash. */
function setCount(node, value, format = integer.format) {
  node.textContent = value == null ? '–' : format(value);
  node.dataset.value = value == null ? '' : String(value);
}

// ---- header ------------------------------------------------------------------------------------------------------

function showHeader(status) {
  $('app-id').textContent = status.applicationId;
  const badge = $('ready');
  badge.textContent = status.ready ? 'READY' : 'NOT READY';
  badge.className = 'badge ' + (status.ready ? 'ready' : 'not-ready');
  document.title = (status.ready ? 'READY' : 'NOT READY') + ' · ' + status.applicationId + ' · Warmer';
  $('ready-why').replaceChildren(...readyReasons(status));

  $('capture').textContent = status.capture;
  $('uptime').textContent = duration(status.uptimeSeconds);
  $('last-check').textContent = status.lastCheck == null ? 'not yet'
      : duration(Math.max(0, (Date.parse(status.time) - Date.parse(status.lastCheck)) / 1000)) + ' ago';
  const t = status.targets;
  $('targets').textContent = 'coverage ≥ ' + percent(t.minCoverage) + ', lag ≤ ' + integer.format(t.maxLag)
      + ' (' + integer.format(t.sample) + ' rows sampled)';

  $('health').replaceChildren(...status.health.parts.map(part => {
    const item = el('li', part.healthy ? 'healthy' : 'unhealthy');
    item.dataset.part = part.name;
    item.append(el('span', 'part-name', part.name), el('span', 'part-state', part.state));
    if (part.detail) item.append(el('span', 'part-detail', '· ' + part.detail));
    return item;
  }));

  const checkError = $('check-error');
  checkError.hidden = status.checkError == null;
  checkError.textContent = status.checkError == null ? ''
      : 'The last readiness check failed; lag and coverage are from the check before: ' + status.checkError;

  const unjudged = $('unjudged');
  unjudged.hidden = status.unjudged == null;
  unjudged.textContent = status.unjudged == null ? '' : 'Readiness does not judge everything: ' + status.unjudged;
}

/** Why the service is not ready, one line per waiting family, from the families' own words. */
function readyReasons(status) {
  if (status.ready) return [el('li', null, 'every family is within the targets')];
  if (status.lastCheck == null) return [el('li', null, 'waiting for the first check')];
  const waiting = status.families.filter(f => !f.ready);
  if (waiting.length === 0) return [el('li', null, 'waiting for the projected hit rate')];
  return waiting.map(f => {
    const item = el('li');
    item.append(el('span', 'family-name', f.name),
        document.createTextNode(' waits for ' + (f.waitingFor ?? 'the next check')));
    return item;
  });
}

// ---- families ----------------------------------------------------------------------------------------------------

/** The card of one family, built once; {@link showFamily} fills it in at every refresh. */
function familyCard(name) {
  const card = el('article', 'family');
  card.dataset.family = name;

  const header = el('header');
  header.append(el('h2', 'name', name), el('span', 'stage'), el('code', 'key'), el('span', 'table'));

  const track = el('div', 'coverage-track');
  track.append(el('div', 'coverage-bar'), el('div', 'coverage-target'));
  const text = el('div', 'coverage-text');
  text.append(el('span', 'coverage-value'), el('span', 'coverage-detail'));
  const coverage = el('div', 'coverage');
  coverage.append(track, text);

  const numbers = el('dl', 'numbers');
  for (const [label, className] of [['lag', 'lag'], ['writes/s', 'rate'], ['written', 'written'],
      ['deleted', 'deleted'], ['fenced', 'fenced'], ['dead-lettered', 'dead-lettered']]) {
    const cell = el('div');
    cell.append(el('dt', null, label), el('dd', className));
    numbers.append(cell);
  }

  const chart = el('figure', 'chart');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 300 56');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const top = document.createElementNS(SVG, 'line'); // the axis maximum, which the label above names
  for (const [name, value] of [['x1', 0], ['y1', 2], ['x2', 300], ['y2', 2], ['class', 'gridline']]) {
    top.setAttribute(name, value);
  }
  const area = document.createElementNS(SVG, 'path');
  area.setAttribute('class', 'area');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('class', 'line');
  svg.append(top, area, line);
  chart.append(el('span', 'chart-max'), svg, el('figcaption'));

  const body = el('div', 'family-body');
  body.append(numbers, chart);
  card.append(header, coverage, el('p', 'waiting'), body);
  return card;
}

function showFamilies(families) {
  const section = $('families');
  const cards = new Map([...section.children].map(card => [card.dataset.family, card]));
  section.replaceChildren(...families.map(f => {
    const card = cards.get(f.name) ?? familyCard(f.name);
    showFamily(card, f);
    return card;
  }));
}

function showFamily(card, f) {
  const q = selector => card.querySelector(selector);
  card.classList.toggle('is-ready', f.ready);

  const stage = q('.stage');
  stage.textContent = f.stage;
  stage.className = 'stage stage-' + f.stage;
  q('.key').textContent = f.keys.length > 1 ? f.keys[0] + ' (+' + (f.keys.length - 1) + ')' : f.keys[0];
  q('.key').title = f.keys.join('\n');
  q('.table').textContent = f.table;

  const bar = q('.coverage-bar');
  bar.style.width = f.coverage == null ? '0%' : (100 * f.coverage) + '%';
  setCount(q('.coverage-value'), f.coverage, percent);
  q('.coverage-detail').textContent = f.coverage == null ? (valuesJudged ? 'not checked yet' : 'not measured: no database')
      : integer.format(f.checked) + ' checked · ' + integer.format(f.missing) + ' missing'
        + (f.stale > 0 ? ' · ' + integer.format(f.stale) + ' stale' : '')
        + (f.inFlight > 0 ? ' · ' + integer.format(f.inFlight) + ' in flight' : '');
  q('.coverage-target').style.left = 'calc(' + (100 * targets.minCoverage) + '% - 1px)';

  const waiting = q('.waiting');
  waiting.hidden = f.ready || f.waitingFor == null;
  waiting.textContent = f.waitingFor ?? '';

  setCount(q('.lag'), f.lag);
  q('.lag').title = f.lag == null ? 'the capture has not created the change topics yet' : 'change records not yet in the cache';
  setCount(q('.rate'), f.writesPerSecond, rate);
  setCount(q('.written'), f.written);
  setCount(q('.deleted'), f.deleted);
  setCount(q('.fenced'), f.fenced);
  setCount(q('.dead-lettered'), f.deadLettered);
  q('.dead-lettered').classList.toggle('attention', f.deadLettered > 0);

  drawChart(card.querySelector('.chart'), f.history);
}

/** Writes per second over time as an area under a line; the y axis goes from 0 to a round maximum, labelled. */
function drawChart(chart, history) {
  const [area, line] = chart.querySelectorAll('path, polyline');
  const caption = chart.querySelector('figcaption');
  const maxLabel = chart.querySelector('.chart-max');
  if (history.length < 2) {
    area.setAttribute('d', '');
    line.setAttribute('points', '');
    maxLabel.textContent = '';
    caption.textContent = 'writes/s: collecting…';
    return;
  }
  const first = history[0].time;
  const span = Math.max(1, history[history.length - 1].time - first);
  const max = roundUp(Math.max(...history.map(p => p.writesPerSecond)));
  const points = history.map(p => [300 * (p.time - first) / span, 56 - 54 * p.writesPerSecond / max]
      .map(v => v.toFixed(1)).join(','));
  line.setAttribute('points', points.join(' '));
  area.setAttribute('d', 'M0,56 L' + points.join(' L') + ' L300,56 Z');
  maxLabel.textContent = integer.format(max) + '/s';
  maxLabel.dataset.value = String(max);
  caption.textContent = 'writes/s over the last ' + duration(span / 1000);
}

/** The next 1, 2 or 5 times a power of ten: an axis maximum that reads well. */
function roundUp(value) {
  if (value <= 1) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

// ---- recent errors -----------------------------------------------------------------------------------------------

function showErrors(errors) {
  if (errors.length === 0) {
    $('errors').replaceChildren(el('li', 'none', 'none'));
    return;
  }
  $('errors').replaceChildren(...errors.map(e => {
    const item = el('li', 'level-' + e.level);
    const logger = el('span', 'logger', e.logger.substring(e.logger.lastIndexOf('.') + 1));
    logger.title = e.logger;
    item.append(el('time', 'when', clock(new Date(e.time))), el('span', 'level', e.level), logger,
        el('span', 'message', e.message));
    return item;
  }));
}

// ---- refreshing --------------------------------------------------------------------------------------------------

function show(status) {
  targets = status.targets;
  valuesJudged = status.unjudged == null;
  showHeader(status);
  showFamilies(status.families);
  showErrors(status.recentErrors);
}

function connectionLost(reason) {
  failures++;
  document.body.classList.add('offline');
  const badge = $('ready');
  badge.textContent = 'UNKNOWN';
  badge.className = 'badge unknown';
  document.title = 'connection lost · Warmer';
  const banner = $('connection');
  banner.hidden = false;
  banner.textContent = 'Connection lost, retrying every ' + REFRESH_MS / 1000 + ' s (' + failures
      + (failures === 1 ? ' attempt' : ' attempts') + ', ' + reason + '). '
      + (lastSuccess == null ? 'No status received yet.' : 'The figures below are from ' + clock(lastSuccess) + '.');
}

function connectionRestored() {
  failures = 0;
  document.body.classList.remove('offline');
  $('connection').hidden = true;
}

/** The next status, or null when the server cannot be reached; one request at a time, never a pile of them. */
async function fetchStatus() {
  try {
    const response = await fetch('api/status', {cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS)});
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return await response.json();
  } catch (e) {
    connectionLost(e.name === 'TimeoutError' ? 'no answer in ' + TIMEOUT_MS / 1000 + ' s' : e.message);
    return null;
  }
}

async function refresh() {
  const status = await fetchStatus();
  if (status != null) {
    lastSuccess = new Date();
    connectionRestored();
    show(status); // a failure here is the page's own bug: it shows in the console, and the next refresh tries again
  }
}

async function refreshForever() {
  try {
    await refresh();
  } finally {
    setTimeout(refreshForever, REFRESH_MS);
  }
}

$('refresh-every').textContent = REFRESH_MS / 1000 + ' s';
refreshForever();

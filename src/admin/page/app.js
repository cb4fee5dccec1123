/* global document, crypto, setTimeout, clearTimeout */
/**
 * The staff page: sign in with a token, compose a broadcast (a tip or own text, the filter
 * with a live audience count, LINE and Slack previews), send now or schedule, and follow
 * the progress of running broadcasts. Everything goes through the JSON API; no framework.
 */
import { api, ApiError, forgetToken, savedToken, saveToken } from './api.js';
import { applyTexts, currentLanguage, formatDate, formatNumber, loadTexts, setLanguage, setTimeZone, t } from './i18n.js';
import { renderEmpty, renderLine, renderSlack } from './preview.js';
import { isoToWallTime, wallTimeToIso } from './zoned-time.js';
import { showViews } from './views.js';

const MAX_TEXT = 2000;
const POLL_ACTIVE_MS = 1500;
const POLL_IDLE_MS = 15000;
const ACTIVE = new Set(['scheduled', 'freezing', 'sending']);

const $ = (id) => document.getElementById(id);
const state = {
  me: null,
  tips: [],
  audience: null,
  preview: null,
  previewLocale: 'ja',
  idempotencyKey: newKey(),
  broadcasts: [],
  confirmingCancel: null,
  pollTimer: null,
  notice: null,
  countSeq: 0,
  previewSeq: 0,
};

/** A UUID even where crypto.randomUUID is missing (plain http on an intranet). */
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A status line; kept as a key so it follows a language switch. */
function notice(key, vars = {}) {
  state.notice = key ? { key, vars } : null;
  renderNotice();
}

function renderNotice() {
  $('notice').textContent = state.notice ? t(state.notice.key, state.notice.vars) : '';
  show('notice', !!state.notice);
}

// ---------------------------------------------------------------------------- sign in

async function signIn(token, { silent = false } = {}) {
  show('signin-error', false);
  try {
    state.me = await api('GET', '/me', { token });
  } catch (error) {
    if (silent) return showSignIn();
    const key = error instanceof ApiError && error.status === 429 ? 'signin.rateLimited' : error instanceof ApiError ? 'signin.failed' : 'error.network';
    $('signin-error').textContent = t(key);
    show('signin-error', true);
    return;
  }
  saveToken(token);
  $('token').value = '';
  show('signin', false);
  show('workspace', true);
  show('sign-out', true);
  showViews(true);
  $('whoami').textContent = t('app.signedInAs', { staff: state.me.staff });
  setTimeZone(state.me.timeZone);
  renderZone();
  buildFilters();
  await loadTips();
  refreshAudience();
  refreshPreview();
  await refreshList();
}

function showSignIn(message) {
  state.me = null;
  clearTimeout(state.pollTimer);
  show('workspace', false);
  showViews(false);
  show('sign-out', false);
  show('signin', true);
  $('whoami').textContent = '';
  if (message) {
    $('signin-error').textContent = message;
    show('signin-error', true);
  }
  $('token').focus();
}

/** Any call that comes back 401 means the token was withdrawn: back to sign in. */
function handleError(error) {
  if (error instanceof ApiError && error.status === 401) {
    forgetToken();
    showSignIn(t('error.session'));
    return true;
  }
  return false;
}

function errorText(error) {
  return error instanceof ApiError ? error.message : t('error.network');
}

// ---------------------------------------------------------------------------- compose

function checkboxes(containerId, name, values, labelKey, checked) {
  const container = $(containerId);
  container.replaceChildren(
    ...values.map((value) =>
      el('label', {}, el('input', { type: 'checkbox', name, value, checked: checked(value) }), ' ', el('span', { 'data-t': `${labelKey}.${value}`, text: t(`${labelKey}.${value}`) })),
    ),
  );
}

function buildFilters() {
  checkboxes('channels', 'channel', state.me.channels, 'channel', () => true);
  checkboxes('locales', 'locale', state.me.locales, 'locale', () => true);
  checkboxes('verdicts', 'verdict', state.me.verdicts, 'verdict', () => false);
}

async function loadTips() {
  try {
    state.tips = (await api('GET', '/tips')).tips;
  } catch (error) {
    if (!handleError(error)) notice('error.network');
  }
  renderTips();
}

function renderTips() {
  const select = $('tip');
  const selected = select.value;
  const language = currentLanguage();
  select.replaceChildren(...state.tips.map((tip) => el('option', { value: tip.id, text: tip.title[language] })));
  if (selected) select.value = selected;
}

const checkedValues = (name) => [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

function readFilter() {
  const filter = { channels: checkedValues('channel'), locales: checkedValues('locale') };
  const verdicts = checkedValues('verdict');
  if (verdicts.length) filter.verdicts = verdicts;
  const meeting = $('meeting').value;
  if (meeting) filter.hasMeeting = meeting === 'yes';
  const within = Number($('within').value);
  if ($('within').value && Number.isInteger(within) && within >= 1) filter.meetingWithinDays = within;
  return filter;
}

function readSource() {
  if (document.querySelector('input[name="source"]:checked').value === 'tip') return $('tip').value ? { tipId: $('tip').value } : null;
  const ja = $('text-ja').value.trim();
  const en = $('text-en').value.trim();
  return ja && en ? { text: { ja, en } } : null;
}

function filterProblem(filter) {
  if (filter.channels.length === 0) return t('audience.noChannel');
  if (filter.locales.length === 0) return t('audience.noLocale');
  return null;
}

async function refreshAudience() {
  const filter = readFilter();
  const problem = filterProblem(filter);
  const seq = ++state.countSeq;
  state.audience = null;
  $('audience-excluded').textContent = '';
  show('audience-table', false);
  if (problem) {
    $('audience-total').textContent = problem;
    return;
  }
  $('audience-total').textContent = t('audience.counting');
  try {
    const counts = await api('POST', '/audience/preview', { body: filter });
    if (seq !== state.countSeq) return;
    state.audience = counts;
    renderAudience();
  } catch (error) {
    if (seq !== state.countSeq || handleError(error)) return;
    $('audience-total').textContent = t('audience.error', { message: errorText(error) });
  }
}

function renderAudience() {
  const counts = state.audience;
  if (!counts) return;
  $('audience-total').textContent = counts.total ? t('audience.total', { count: formatNumber(counts.total) }) : t('audience.none');
  const channels = state.me.channels;
  const locales = state.me.locales;
  const table = $('audience-table');
  table.tHead.replaceChildren(el('tr', {}, el('th'), ...locales.map((l) => el('th', { text: t(`locale.${l}`) }))));
  table.tBodies[0].replaceChildren(
    ...channels.map((c) => el('tr', {}, el('th', { text: t(`channel.${c}`) }), ...locales.map((l) => el('td', { text: formatNumber(counts.byChannel[c][l]) })))),
  );
  show('audience-table', true);
  const { optedOut, blocked, unreachable } = counts.excluded;
  $('audience-excluded').textContent = t('audience.excluded', { optedOut: formatNumber(optedOut), blocked: formatNumber(blocked), unreachable: formatNumber(unreachable) });
}

async function refreshPreview() {
  const source = readSource();
  const seq = ++state.previewSeq;
  if (!source) {
    state.preview = null;
    renderPreview();
    return;
  }
  try {
    const preview = await api('POST', '/messages/preview', { body: source });
    if (seq !== state.previewSeq) return;
    state.preview = preview;
    renderPreview();
  } catch (error) {
    if (seq === state.previewSeq && !handleError(error)) renderEmpty($('preview-line'), errorText(error));
  }
}

function renderPreview() {
  for (const tab of document.querySelectorAll('[data-preview-locale]')) tab.setAttribute('aria-selected', String(tab.dataset.previewLocale === state.previewLocale));
  if (!state.preview) {
    renderEmpty($('preview-line'), t('preview.empty'));
    renderEmpty($('preview-slack'), t('preview.empty'));
    return;
  }
  const preview = state.preview[state.previewLocale];
  renderLine($('preview-line'), preview.line);
  renderSlack($('preview-slack'), preview.slack);
}

function updateCounters() {
  for (const id of ['text-ja', 'text-en']) {
    const length = $(id).value.length;
    const counter = document.querySelector(`[data-count="${id}"]`);
    counter.textContent = t('compose.chars', { count: length, max: MAX_TEXT });
    counter.classList.toggle('error', length > MAX_TEXT);
  }
}

/** Whatever changes in the form makes it a different broadcast, with a key of its own. */
function composeChanged() {
  state.idempotencyKey = newKey();
  notice(null);
  hideConfirm();
  show('compose-error', false);
}

function composeError(text) {
  $('compose-error').textContent = text;
  show('compose-error', true);
}

/** The time typed is the deployment's wall clock (labelled next to the field), not the browser's. */
function sendAtIso() {
  if (document.querySelector('input[name="when"]:checked').value === 'now') return undefined;
  const value = $('send-at').value;
  return value ? wallTimeToIso(value, state.me.timeZone) : null;
}

function renderZone() {
  $('at-zone').textContent = t('when.zone', { zone: state.me.timeZone });
}

function askToSend(event) {
  event.preventDefault();
  show('compose-error', false);
  const source = readSource();
  if (!source) return composeError(document.querySelector('input[name="source"]:checked').value === 'text' ? t('send.needText') : t('preview.empty'));
  const problem = filterProblem(readFilter());
  if (problem) return composeError(problem);
  const sendAt = sendAtIso();
  if (sendAt === null) return composeError(t('send.needTime'));
  $('confirm-text').textContent = sendAt
    ? t('send.confirmLater', { at: formatDate(sendAt) })
    : t('send.confirm', { count: formatNumber(state.audience?.total ?? 0) });
  show('confirm', true);
  show('send', false);
  $('confirm-yes').focus();
}

function hideConfirm() {
  show('confirm', false);
  show('send', true);
}

async function send() {
  const source = readSource();
  const sendAt = sendAtIso();
  const body = { ...source, filter: readFilter(), ...(sendAt ? { sendAt } : {}) };
  $('confirm-yes').disabled = true;
  try {
    await api('POST', '/broadcasts', { body, headers: { 'idempotency-key': state.idempotencyKey } });
    state.idempotencyKey = newKey();
    hideConfirm();
    notice('send.done');
    await refreshList();
  } catch (error) {
    // The same key is kept: sending again cannot create a second broadcast.
    if (!handleError(error)) composeError(t('send.failed', { message: errorText(error) }));
    hideConfirm();
  } finally {
    $('confirm-yes').disabled = false;
  }
}

// ---------------------------------------------------------------------------- broadcasts

async function refreshList() {
  clearTimeout(state.pollTimer);
  if (!state.me) return;
  try {
    state.broadcasts = (await api('GET', '/broadcasts?limit=30')).broadcasts;
    renderList();
  } catch (error) {
    if (handleError(error)) return;
    notice('error.network');
  }
  const busy = state.broadcasts.some((b) => ACTIVE.has(b.status));
  state.pollTimer = setTimeout(refreshList, busy ? POLL_ACTIVE_MS : POLL_IDLE_MS);
}

function progressBar(b) {
  const total = b.total ?? 0;
  const part = (n) => (total ? `${((n / total) * 100).toFixed(2)}%` : '0%');
  const percent = Math.floor(b.progress * 100);
  const bar = el('div', { class: 'progress', role: 'progressbar', 'data-id': b.id });
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', '100');
  bar.setAttribute('aria-valuenow', String(percent));
  const sent = el('span', { class: 'sent' });
  sent.style.width = part(b.sent);
  const failed = el('span', { class: 'failed' });
  failed.style.width = part(b.failed);
  const skipped = el('span', { class: 'skipped' });
  skipped.style.width = part(b.skipped);
  bar.append(sent, failed, skipped);
  return bar;
}

function broadcastItem(b) {
  const language = currentLanguage();
  const item = el('li', { class: `broadcast ${b.status}`, 'data-id': b.id });
  item.append(
    el('div', { class: 'row' }, el('strong', { class: 'headline', text: b.headline[language], title: b.headline[language] }), el('span', { class: 'spacer' }), el('span', { class: `badge ${b.status}`, text: t(`status.${b.status}`) })),
    el('p', { class: 'muted small', text: `${formatDate(b.createdAt)} · ${t('list.by', { staff: b.staff })} · ${t('list.sendAt', { at: formatDate(b.sendAt) })}` }),
  );
  if (b.total === null) item.append(el('p', { class: 'small', text: t('list.waiting') }));
  else {
    item.append(progressBar(b));
    const numbers = [t('list.progress', { sent: formatNumber(b.sent), total: formatNumber(b.total), percent: Math.floor(b.progress * 100) })];
    if (b.failed) numbers.push(t('list.failed', { count: formatNumber(b.failed) }));
    if (b.skipped) numbers.push(t('list.skipped', { count: formatNumber(b.skipped) }));
    item.append(el('p', { class: 'small progress-text', text: numbers.join(' · ') }));
  }
  if (b.status === 'cancelled' && b.cancelledBy) item.append(el('p', { class: 'muted small', text: t('list.cancelledBy', { staff: b.cancelledBy }) }));
  if (ACTIVE.has(b.status)) {
    if (state.confirmingCancel === b.id) {
      item.append(
        el(
          'div',
          { class: 'confirm' },
          el('span', { text: t('list.cancelConfirm') }),
          el('button', { type: 'button', class: 'danger', text: t('list.cancelYes'), onclick: () => cancel(b.id) }),
          el('button', { type: 'button', text: t('list.cancelNo'), onclick: () => ((state.confirmingCancel = null), renderList()) }),
        ),
      );
    } else {
      item.append(el('button', { type: 'button', class: 'cancel', text: t('list.cancel'), onclick: () => ((state.confirmingCancel = b.id), renderList()) }));
    }
  }
  return item;
}

function renderList() {
  show('list-empty', state.broadcasts.length === 0);
  $('broadcasts').replaceChildren(...state.broadcasts.map(broadcastItem));
}

async function cancel(id) {
  state.confirmingCancel = null;
  try {
    await api('POST', `/broadcasts/${encodeURIComponent(id)}/cancel`);
  } catch (error) {
    if (!handleError(error)) notice('list.cancelFailed', { message: errorText(error) });
  }
  await refreshList();
}

// ---------------------------------------------------------------------------- wiring

function rerender() {
  $('language').textContent = t('app.language');
  renderNotice();
  if (!state.me) return;
  $('whoami').textContent = t('app.signedInAs', { staff: state.me.staff });
  renderZone();
  renderTips();
  updateCounters();
  if (state.audience) renderAudience();
  renderPreview();
  renderList();
}

/** The next full hour but one, on the deployment's clock. */
function defaultSendAt() {
  return `${isoToWallTime(Date.now() + 60 * 60 * 1000, state.me.timeZone).slice(0, 14)}00`;
}

async function start() {
  await loadTexts();
  setLanguage(currentLanguage());
  $('language').textContent = t('app.language');
  $('language').addEventListener('click', () => {
    setLanguage(currentLanguage() === 'ja' ? 'en' : 'ja');
    rerender();
  });
  $('sign-out').addEventListener('click', () => {
    forgetToken();
    showSignIn();
  });
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (token) signIn(token);
  });

  const countLater = debounce(refreshAudience, 250);
  const previewLater = debounce(refreshPreview, 300);
  const form = $('compose');
  form.addEventListener('change', (event) => {
    const target = event.target;
    composeChanged();
    if (target.name === 'source') {
      const own = target.value === 'text';
      show('tip-box', !own);
      show('text-box', own);
      updateCounters();
      refreshPreview();
    } else if (target.name === 'tip') refreshPreview();
    else if (target.name === 'when') {
      const later = target.value === 'later';
      show('at-box', later);
      if (later && !$('send-at').value) $('send-at').value = defaultSendAt();
    } else if (['channel', 'locale', 'verdict', 'meeting', 'within'].includes(target.name)) countLater();
  });
  form.addEventListener('input', (event) => {
    composeChanged();
    if (event.target.name === 'within') countLater();
    if (event.target.name === 'text-ja' || event.target.name === 'text-en') {
      updateCounters();
      previewLater();
    }
  });
  form.addEventListener('submit', askToSend);
  $('confirm-yes').addEventListener('click', send);
  $('confirm-no').addEventListener('click', hideConfirm);
  $('refresh').addEventListener('click', refreshList);
  for (const tab of document.querySelectorAll('[data-preview-locale]')) {
    tab.addEventListener('click', () => {
      state.previewLocale = tab.dataset.previewLocale;
      renderPreview();
    });
  }
  applyTexts(document);
  const token = savedToken();
  if (token) await signIn(token, { silent: true });
  else showSignIn();
}

start();

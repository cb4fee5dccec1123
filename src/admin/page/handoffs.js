/* global document, fetch, setTimeout, clearTimeout */
/**
 * The staff page's advisor inbox (the 相談 view): open, taken and overdue conversations, one
 * thread with a reply box, take and back-to-the-bot. It polls while its view is open and
 * uses the same token and API helper as the rest of the page.
 */
import { api, ApiError } from './api.js';
import { currentLanguage, formatDate } from './i18n.js';

const POLL_MS = 5000;
const $ = (id) => document.getElementById(id);
const state = { texts: { ja: {}, en: {} }, me: null, list: [], filter: 'active', open: null, detail: null, confirmingEnd: false, timer: null, sending: false, draftKey: 0 };

function t(key, vars = {}) {
  const template = state.texts[currentLanguage()][key] ?? state.texts.ja[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key.startsWith('aria-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

function notice(text) {
  $('inbox-error').textContent = text ?? '';
  $('inbox-error').hidden = !text;
}

function errorText(error) {
  return error instanceof ApiError ? error.message : t('error.network');
}

function statusText(h) {
  return h.status === 'taken' ? t('status.taken', { staff: h.takenBy }) : t(`status.${h.status}`);
}

function badges(h) {
  return [
    el('span', { class: `badge handoff-${h.status}`, text: statusText(h) }),
    ...(h.overdue ? [el('span', { class: 'badge handoff-overdue', text: t('badge.overdue') })] : []),
    ...(h.blocked ? [el('span', { class: 'badge handoff-blocked', text: t('badge.blocked') })] : []),
  ];
}

// ---------------------------------------------------------------------------- list

async function refresh() {
  clearTimeout(state.timer);
  if ($('inbox').hidden) return;
  try {
    state.me ??= (await api('GET', '/me')).staff;
    state.list = (await api('GET', '/handoffs?limit=50')).handoffs;
    if (state.open) state.detail = await api('GET', `/handoffs/${encodeURIComponent(state.open)}`);
    notice(null);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    notice(t('error.action', { message: errorText(error) }));
  }
  render();
  state.timer = setTimeout(refresh, POLL_MS);
}

function shown() {
  return state.filter === 'all' ? state.list : state.list.filter((h) => h.status !== 'ended');
}

function renderList() {
  const items = shown();
  $('handoffs-empty').hidden = items.length > 0;
  $('handoffs').replaceChildren(
    ...items.map((h) =>
      el(
        'li',
        { class: `handoff${h.id === state.open ? ' selected' : ''}`, 'data-id': h.id },
        el(
          'button',
          { type: 'button', class: 'handoff-open', onclick: () => openDetail(h.id) },
          el('strong', { class: 'headline', text: `${h.displayName ?? t('inbox.unknownName')} · ${h.channel === 'line' ? 'LINE' : 'Slack'}` }),
          el('span', { class: 'muted small', text: ` ${formatDate(h.createdAt)}` }),
        ),
        el('div', { class: 'row' }, ...badges(h)),
      ),
    ),
  );
  for (const tab of document.querySelectorAll('[data-inbox-filter]')) tab.setAttribute('aria-selected', String(tab.dataset.inboxFilter === state.filter));
}

// ---------------------------------------------------------------------------- one thread

async function openDetail(id) {
  if (state.open !== id) $('reply-text').value = '';
  state.open = id;
  state.confirmingEnd = false;
  await refresh();
  $('reply-text')?.focus();
}

function author(m) {
  if (m.from === 'user') return t('from.user');
  if (m.from === 'system') return t('from.system');
  return t(m.via === 'slack' ? 'from.staffSlack' : 'from.staffPage', { staff: m.staff });
}

function messageItem(m) {
  const item = el('li', { class: `message from-${m.from}`, 'data-id': m.id }, el('p', { class: 'muted small', text: `${author(m)} · ${formatDate(m.at)}` }), el('p', { class: 'text', text: m.text }));
  if (m.delivery) item.append(el('p', { class: `small delivery ${m.delivery}`, 'data-delivery': m.delivery, text: [t(`delivery.${m.delivery}`), m.detail && m.delivery !== 'sent' ? m.detail : ''].filter(Boolean).join(' — ') }));
  return item;
}

function renderDetail() {
  const d = state.detail;
  const box = $('handoff-detail');
  box.hidden = !d;
  if (!d) return;
  const me = state.me;
  const ended = d.status === 'ended';
  const times = [t('detail.requested', { at: formatDate(d.createdAt) })];
  if (d.dueAt && !ended) times.push(t('detail.due', { due: formatDate(d.dueAt) }));
  if (ended) times.push(t('detail.ended', { at: formatDate(d.endedAt), by: d.endedBy === 'user' ? t('detail.endedByUser') : d.endedBy }));
  const summary = [
    ...(d.summary.answers.length ? d.summary.answers.map((a) => el('li', { text: `${a.question}: ${a.answer}` })) : [el('li', { text: t('detail.noAnswers') })]),
    ...(d.summary.verdict ? [el('li', { text: t('detail.verdict', { verdict: d.summary.verdict }) })] : []),
  ];
  $('detail-head').replaceChildren(
    el('div', { class: 'row' }, el('h3', { id: 'detail-name', text: `${d.displayName ?? t('inbox.unknownName')} · ${d.channel === 'line' ? 'LINE' : 'Slack'}` }), el('span', { class: 'spacer' }), el('button', { type: 'button', class: 'link', text: t('detail.close'), onclick: closeDetail })),
    el('div', { class: 'row', id: 'detail-status' }, ...badges(d)),
    el('p', { class: 'muted small', text: times.join(' · ') }),
    ...(d.takenBy && d.takenBy !== me && !ended ? [el('p', { class: 'small taken-by-other', text: t('detail.takenByOther', { staff: d.takenBy }) })] : []),
    el('h4', { text: t('detail.diagnosis') }),
    el('ul', { class: 'small summary' }, ...summary),
    ...(d.summary.recent.length ? [el('h4', { text: t('detail.recent') }), el('ul', { class: 'small' }, ...d.summary.recent.map((r) => el('li', { text: r })))] : []),
    el('h4', { text: t('detail.thread') }),
  );
  const thread = $('thread');
  const atBottom = thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 4;
  thread.replaceChildren(...(d.messages.length ? d.messages.map(messageItem) : [el('li', { class: 'muted small', text: t('detail.noMessages') })]));
  if (atBottom) thread.scrollTop = thread.scrollHeight;

  const actions = $('detail-actions');
  actions.replaceChildren();
  if (!ended && state.confirmingEnd) {
    actions.append(
      el('div', { class: 'confirm' }, el('span', { text: t('detail.endConfirm') }), el('button', { type: 'button', id: 'end-yes', class: 'danger', text: t('detail.endYes'), onclick: () => act('end') }), el('button', { type: 'button', text: t('detail.endNo'), onclick: () => ((state.confirmingEnd = false), render()) })),
    );
  } else if (!ended) {
    if (d.takenBy !== me) actions.append(el('button', { type: 'button', id: 'take', class: 'primary', text: t('detail.take'), onclick: () => act('take') }));
    actions.append(el('button', { type: 'button', id: 'end', text: t('detail.end'), onclick: () => ((state.confirmingEnd = true), render()) }));
  }
  // The reply box is never redrawn by a poll, so typing is not interrupted.
  $('reply-form').hidden = ended;
  $('reply-ended').hidden = !ended;
  $('reply-label').textContent = t('reply.label');
  $('reply-send').textContent = t('reply.send');
  $('reply-ended').textContent = t('reply.ended');
  updateCount();
}

function closeDetail() {
  state.open = null;
  state.detail = null;
  render();
}

function updateCount() {
  const text = $('reply-text');
  if (text) $('reply-count').textContent = t('reply.chars', { count: text.value.length });
}

async function act(action) {
  state.confirmingEnd = false;
  try {
    state.detail = await api('POST', `/handoffs/${encodeURIComponent(state.open)}/${action}`);
    notice(null);
  } catch (error) {
    notice(t('error.action', { message: errorText(error) }));
  }
  await refresh();
}

async function send(event) {
  event.preventDefault();
  const text = $('reply-text').value.trim();
  if (!text || state.sending) return;
  state.sending = true;
  $('reply-send').disabled = true;
  try {
    // One key per typed reply (a new one once the text changes): sending again after a lost answer cannot send it twice.
    await api('POST', `/handoffs/${encodeURIComponent(state.open)}/messages`, { body: { text }, headers: { 'idempotency-key': `${state.open}:${state.draftKey}` } });
    $('reply-text').value = '';
    state.draftKey = Date.now();
    notice(null);
  } catch (error) {
    notice(t('error.action', { message: errorText(error) }));
  } finally {
    state.sending = false;
    $('reply-send').disabled = false;
  }
  await refresh();
}

function render() {
  $('inbox-tab').textContent = t('inbox.tab');
  $('inbox-heading').textContent = t('inbox.heading');
  $('inbox-refresh').textContent = t('inbox.refresh');
  $('handoffs-empty').textContent = t('inbox.empty');
  for (const tab of document.querySelectorAll('[data-inbox-filter]')) tab.textContent = t(`inbox.filter.${tab.dataset.inboxFilter}`);
  renderList();
  renderDetail();
}

// ---------------------------------------------------------------------------- wiring

function build() {
  const section = $('inbox');
  section.replaceChildren(
    el('div', { class: 'row' }, el('h2', { id: 'inbox-heading' }), el('span', { class: 'spacer' }), el('button', { type: 'button', id: 'inbox-refresh', class: 'link', onclick: refresh })),
    el('div', { class: 'tabs', role: 'tablist' }, ...['active', 'all'].map((f) => el('button', { type: 'button', role: 'tab', 'data-inbox-filter': f, onclick: () => ((state.filter = f), render()) }))),
    el('p', { id: 'inbox-error', class: 'error', role: 'alert', hidden: true }),
    el('p', { id: 'handoffs-empty', class: 'muted', hidden: true }),
    el(
      'div',
      { class: 'inbox' },
      el('ol', { id: 'handoffs', class: 'handoffs' }),
      el(
        'div',
        { id: 'handoff-detail', class: 'handoff-detail', hidden: true },
        el('div', { id: 'detail-head' }),
        el('ol', { id: 'thread', class: 'thread' }),
        el('div', { id: 'detail-actions', class: 'row actions' }),
        el('p', { id: 'reply-ended', class: 'muted', hidden: true }),
        el(
          'form',
          { id: 'reply-form' },
          el('label', { id: 'reply-label', htmlFor: 'reply-text' }),
          el('textarea', { id: 'reply-text', name: 'reply-text', rows: 4 }),
          el('div', { class: 'row' }, el('span', { class: 'muted small', id: 'reply-count' }), el('span', { class: 'spacer' }), el('button', { type: 'submit', id: 'reply-send', class: 'primary' })),
        ),
      ),
    ),
  );
  $('reply-form').addEventListener('submit', send);
  section.addEventListener('input', (event) => {
    if (event.target.id !== 'reply-text') return;
    state.draftKey = Date.now();
    updateCount();
  });
}

async function start() {
  state.texts = await (await fetch('/admin/handoffs-texts.json')).json();
  state.draftKey = Date.now();
  build();
  render();
  // views.js shows one view at a time and says which; the inbox polls only while shown.
  document.addEventListener('admin:view', (event) => {
    if (event.detail === 'inbox') refresh();
    else clearTimeout(state.timer);
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    state.me = null;
    state.open = null;
    state.detail = null;
  });
  // The language switch redraws everything in the new language.
  $('language').addEventListener('click', () => setTimeout(render, 0));
}

start();

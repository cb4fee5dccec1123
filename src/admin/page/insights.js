/* global document, MutationObserver */
/**
 * The insights view: for the last 7, 30 or 90 days, users, the diagnosis funnel, verdicts
 * and meeting modes, what became of each verdict, reminders, broadcasts and handoffs, each
 * as a chart with a table and a CSV of the same numbers (GET /api/admin/insights).
 */
import { api, ApiError } from './api.js';
import { currentLanguage, formatNumber, t } from './i18n.js';
import { drawPanel } from './panels.js';

const $ = (id) => document.getElementById(id);
const state = { days: 30, report: null, charts: [], view: new Map(), seq: 0 };

/** A text for a key, or `fallback` when texts.json has none (a question added to the flow later). */
function tOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

const named = (prefix, keys) => keys.map((key) => ({ key, label: t(`${prefix}.${key}`) }));
const USER_EVENTS = ['new', 'returned', 'blocked', 'optedOut', 'optedIn'];
const OUTCOMES = ['offer', 'waiting', 'rejected', 'no_answer'];
const REMINDER_COUNTS = ['planned', 'sent', 'quietHours', 'tooLate', 'blocked', 'failed'];

function panels(report) {
  const verdicts = Object.keys(report.verdicts);
  const modes = [...new Set(verdicts.flatMap((v) => Object.keys(report.meetingModes[v] ?? {})))];
  const percent = (share) => `${Math.round(share * 100)}%`;
  const shareNotes = ['offer_meeting', 'closing_meeting'].map((v) => {
    const o = report.outcomes[v];
    return o.offerShare === null ? t('insights.outcomes.shareNone', { verdict: t(`verdict.${v}`) }) : t('insights.outcomes.share', { verdict: t(`verdict.${v}`), share: percent(o.offerShare) });
  });
  const language = currentLanguage();
  const h = report.handoffs;
  return [
    {
      id: 'users', file: 'users', title: t('insights.users.title'), category: t('insights.users.group'), stacked: false,
      columns: named('insights.users', USER_EVENTS),
      rows: report.users.groups.map((g) => ({ key: `${g.channel}-${g.locale}`, label: `${t(`channel.${g.channel}`)} · ${t(`locale.${g.locale}`)}`, values: g })),
    },
    {
      id: 'daily', file: 'daily', title: t('insights.daily.title'), category: t('insights.daily.date'), type: 'line',
      columns: named('insights.daily', ['new', 'started', 'results', 'blocked', 'optedOut']),
      rows: report.daily.map((d) => ({ key: d.date, label: d.date, values: d })),
    },
    {
      id: 'funnel', file: 'funnel', title: t('insights.funnel.title'), category: t('insights.funnel.question'),
      notes: [t('insights.funnel.invitations', { read: display(report.invitations.read), notInvite: display(report.invitations.notInvite) })],
      columns: [...named('insights.funnel', ['reached', 'answered']), { key: 'dropOff', label: t('insights.funnel.dropOff'), tableOnly: true }],
      rows: report.funnel.map((f) => ({ key: f.state, label: f.state === 'result' ? t('insights.funnel.result') : tOr(`insights.question.${f.state}`, f.state), values: f })),
    },
    {
      id: 'verdicts', file: 'verdicts', title: t('insights.verdicts.title'), category: t('insights.verdicts.verdict'), stacked: true,
      columns: [...modes.map((m) => ({ key: m, label: tOr(`insights.mode.${m}`, m) })), { key: 'total', label: t('insights.verdicts.total'), tableOnly: true }],
      rows: verdicts.map((v) => ({ key: v, label: t(`verdict.${v}`), values: { ...report.meetingModes[v], total: report.verdicts[v] } })),
    },
    {
      id: 'outcomes', file: 'outcomes', title: t('insights.outcomes.title'), category: t('insights.verdicts.verdict'), stacked: true,
      notes: shareNotes,
      columns: [{ key: 'asked', label: t('insights.outcomes.asked'), tableOnly: true }, ...named('insights.outcomes', OUTCOMES), { key: 'share', label: t('insights.outcomes.offerShare'), tableOnly: true }],
      rows: verdicts.map((v) => {
        const o = report.outcomes[v];
        return { key: v, label: t(`verdict.${v}`), values: { ...o, share: o.offerShare === null ? '' : percent(o.offerShare) } };
      }),
    },
    {
      id: 'reminders', file: 'reminders', title: t('insights.reminders.title'), category: t('insights.reminders.kind'),
      columns: named('insights.reminders', REMINDER_COUNTS),
      rows: [
        ...report.reminders.byKind.map((r) => ({ key: r.kind, label: tOr(`insights.reminderKind.${r.kind}`, r.kind), values: r })),
        { key: 'total', label: t('insights.reminders.total'), values: report.reminders, tableOnly: true },
      ],
    },
    {
      id: 'broadcasts', file: 'broadcasts', title: t('insights.broadcasts.title'), category: t('insights.broadcasts.name'),
      notes: report.broadcasts.length ? [] : [t('insights.broadcasts.none')],
      columns: named('insights.broadcasts', ['recipients', 'sent', 'failed', 'skipped', 'optOuts']),
      rows: report.broadcasts.map((b) => ({ key: b.id, label: b.headline?.[language] ?? b.id, values: b })),
    },
    {
      id: 'handoffs', file: 'handoffs', title: t('insights.handoffs.title'), category: t('insights.handoffs.item'), horizontal: true,
      notes: [t('insights.handoffs.median', { value: h.medianMinutesToFirstAnswer === null ? t('insights.handoffs.noMedian') : t('insights.handoffs.minutes', { minutes: formatNumber(h.medianMinutesToFirstAnswer) }) })],
      columns: [{ key: 'value', label: t('insights.handoffs.value') }],
      rows: ['requests', 'answered', 'overdue'].map((k) => ({ key: k, label: t(`insights.handoffs.${k}`), values: { value: h[k] } })),
    },
  ];
}

const display = (value) => (typeof value === 'number' ? formatNumber(value) : value);

async function render() {
  $('insights-panels').dataset.ready = 'false';
  for (const chart of state.charts) chart.destroy();
  state.charts = [];
  const host = $('insights-panels');
  host.replaceChildren();
  const report = state.report;
  if (!report) return;
  $('insights-range').textContent = t('insights.range', { from: report.from, to: report.to, timeZone: report.timeZone });
  const drawn = [];
  for (const panel of panels(report)) drawn.push(drawPanel(host, panel, state.view));
  state.charts = (await Promise.all(drawn)).filter(Boolean);
  host.dataset.ready = 'true';
}

async function load() {
  const seq = ++state.seq;
  $('insights-status').textContent = t('insights.loading');
  $('insights-panels').dataset.ready = 'false';
  try {
    const report = await api('GET', `/insights?days=${state.days}`);
    if (seq !== state.seq) return;
    state.report = report;
    $('insights-status').textContent = '';
    await render();
  } catch (error) {
    if (seq !== state.seq) return;
    // A withdrawn token: the page's sign-out shows the sign-in form again.
    if (error instanceof ApiError && error.status === 401) return $('sign-out').click();
    $('insights-status').textContent = t('insights.error', { message: error instanceof ApiError ? error.message : t('error.network') });
  }
}

document.addEventListener('admin:view', (event) => {
  if (event.detail === 'insights') load();
});
$('insights-days').addEventListener('change', (event) => {
  state.days = Number(event.target.value);
  load();
});
$('insights-refresh').addEventListener('click', load);
// The language button changes <html lang>: draw the panels again in the new language.
new MutationObserver(() => {
  if (state.report && !$('insights').hidden) render();
}).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });

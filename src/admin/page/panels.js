/* global document, window, Blob, URL, setTimeout */
/**
 * One insights panel: a chart (Chart.js, loaded from our own server the first time it is
 * needed), the same numbers as a table, and a CSV download of that table. "< 5" stays
 * "< 5" in the table and the CSV and is left out of the chart.
 */
import { formatNumber, t } from './i18n.js';

const SMALL = '< 5';
const COLORS = ['#1f6f5c', '#3b82c4', '#c9a227', '#b3261e', '#7b5ea7', '#616e7c', '#e07b39'];
let chartLibrary;

/** Chart.js's UMD bundle defines window.Chart; a script element is what the CSP allows. */
export function loadCharts() {
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/admin/vendor/chart.js';
    script.onload = () => resolve(window.Chart);
    script.onerror = () => reject(new Error('chart library not loaded'));
    document.head.append(script);
  });
  return chartLibrary;
}

const display = (value) => (value === SMALL ? SMALL : typeof value === 'number' ? formatNumber(value) : String(value ?? ''));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function table(panel) {
  const head = el('tr', {}, el('th', { scope: 'col', text: panel.category }), ...panel.columns.map((c) => el('th', { scope: 'col', text: c.label })));
  const rows = panel.rows.map((row) =>
    el('tr', { 'data-row': row.key }, el('th', { scope: 'row', text: row.label }), ...panel.columns.map((c) => el('td', { 'data-col': c.key, text: display(row.values[c.key]) }))),
  );
  return el('table', { class: 'numbers' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

/** RFC 4180 quoting; a byte order mark so spreadsheet apps read Japanese correctly. */
export function csvOf(panel) {
  const quote = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [[panel.category, ...panel.columns.map((c) => c.label)], ...panel.rows.map((r) => [r.label, ...panel.columns.map((c) => String(r.values[c.key] ?? ''))])];
  return `\uFEFF${lines.map((line) => line.map(quote).join(',')).join('\r\n')}\r\n`;
}

function download(panel) {
  const url = URL.createObjectURL(new Blob([csvOf(panel)], { type: 'text/csv;charset=utf-8' }));
  const link = el('a', { href: url, download: `${panel.file}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function chartConfig(panel) {
  const numeric = (v) => (typeof v === 'number' ? v : null);
  const rows = panel.rows.filter((r) => !r.tableOnly);
  return {
    type: panel.type ?? 'bar',
    data: {
      labels: rows.map((r) => r.label),
      datasets: panel.columns
        .filter((c) => !c.tableOnly)
        .map((c, i) => ({ label: c.label, data: rows.map((r) => numeric(r.values[c.key])), backgroundColor: COLORS[i % COLORS.length], borderColor: COLORS[i % COLORS.length] })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: panel.horizontal ? 'y' : 'x',
      scales: {
        x: { stacked: !!panel.stacked, ...(panel.horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : {}) },
        y: { stacked: !!panel.stacked, ...(panel.horizontal ? {} : { beginAtZero: true, ticks: { precision: 0 } }) },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
}

/**
 * Draws a panel into `host`. `panel`: { id, file, title, category, columns: [{ key, label,
 * tableOnly? }], rows: [{ key, label, values, tableOnly? }], type?, stacked?, horizontal?,
 * notes? }.
 * `view` remembers chart or table per panel across redraws. Returns the Chart to destroy.
 */
export async function drawPanel(host, panel, view) {
  const showTable = view.get(panel.id) === 'table';
  const toggle = el('button', { type: 'button', class: 'link', 'data-action': 'toggle', text: t(showTable ? 'insights.showChart' : 'insights.showTable') });
  const csv = el('button', { type: 'button', class: 'link', 'data-action': 'csv', text: t('insights.csv') });
  const canvas = el('canvas', { role: 'img', 'aria-label': panel.title });
  const box = el('div', { class: 'chart-box' }, canvas);
  const numbers = table(panel);
  box.hidden = showTable;
  numbers.hidden = !showTable;
  const section = el(
    'section',
    { class: 'card panel', 'data-panel': panel.id },
    el('div', { class: 'row' }, el('h3', { text: panel.title }), el('span', { class: 'spacer' }), toggle, csv),
    ...(panel.notes ?? []).map((note) => el('p', { class: 'muted small note', text: note })),
    box,
    numbers,
  );
  toggle.addEventListener('click', () => {
    const nowTable = numbers.hidden;
    view.set(panel.id, nowTable ? 'table' : 'chart');
    numbers.hidden = !nowTable;
    box.hidden = nowTable;
    toggle.textContent = t(nowTable ? 'insights.showChart' : 'insights.showTable');
  });
  csv.addEventListener('click', () => download(panel));
  host.append(section);
  if (panel.rows.length === 0) {
    box.hidden = true;
    return undefined;
  }
  const Chart = await loadCharts();
  return new Chart(canvas, chartConfig(panel));
}

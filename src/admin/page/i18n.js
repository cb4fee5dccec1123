/* global document, localStorage, fetch */
/**
 * Staff UI texts, Japanese by default, English on request (remembered in this browser).
 * Elements with `data-t="key"` get the text of that key; code calls `t(key, vars)`.
 */
const STORAGE_KEY = 'mendan-admin-language';
let texts = { ja: {}, en: {} };
let language = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'ja';

export async function loadTexts() {
  const response = await fetch('/admin/texts.json');
  texts = await response.json();
}

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  language = next === 'en' ? 'en' : 'ja';
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  applyTexts(document);
}

export function t(key, vars = {}) {
  const template = texts[language][key] ?? texts.ja[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function applyTexts(root) {
  for (const element of root.querySelectorAll('[data-t]')) element.textContent = t(element.dataset.t);
  document.title = t('app.title');
}

/** Numbers and dates the way staff read them in the chosen language. */
export function formatNumber(n) {
  return new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-US').format(n);
}

/** The deployment's time zone (from /api/admin/me): dates are shown on its clock, labelled. */
let timeZone;
export function setTimeZone(zone) {
  timeZone = zone;
}

export function formatDate(iso) {
  return new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-US', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

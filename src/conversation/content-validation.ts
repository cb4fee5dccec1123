/**
 * Cross-checks a parsed flow, the tips list and the locale catalogs. Each problem is a
 * line naming the file and the path inside it, so whoever edits content can fix it
 * without reading code.
 */
import { answerPaths, pathAnswers } from './answer-paths.ts';
import { DATE_TOKEN, leaves } from './conditions.ts';
import { diagnose, headlineKeys, MIN_REASONS } from './diagnosis.ts';
import { ADVICE_SECTIONS, type Condition, type Flow, type RuleItem, type Tips } from './flow-schema.ts';
import { placeholders, type Catalog } from './i18n.ts';
import { REMINDER_KINDS } from './reminder-plan.ts';
import { REMINDER_TEXT_KEYS } from './reminder-texts.ts';
import { FOLLOWUP_OUTCOMES } from './session.ts';
import { normalizeText } from './normalize.ts';
import { LOCALES, VERDICTS } from './types.ts';

/** Keys the engine uses by name, besides those the flow and tips reference. */
export const SYSTEM_KEYS = [
  ...[
    'welcome',
    'welcome_back',
    'restart',
    'help',
    'back_at_start',
    'language_changed',
    'opted_out',
    'opted_in',
    'no_result_yet',
    'stale_button',
    'flow_updated',
    'flow_restarted',
    'fallback.empty',
    'fallback.too_long',
    'fallback.unsupported',
    'delete.confirm',
    'delete.yes',
    'delete.no',
    'delete.done',
    'delete.cancelled',
    'tips.prompt',
    'tips.back',
    'reminders.none',
    'reminders.header',
    'reminders.item',
    'reminders.how_to_change',
    'reminders.cancelled',
    'stopped_all',
    'settings.prompt',
    'settings.language',
    'settings.optOut',
    'settings.optIn',
    'settings.cancelReminders',
    'settings.askDelete',
    'settings.back',
    'date.past',
    'date.too_far',
    'date.missing_time',
    'date.invalid',
    'date.confirmed',
  ].map((k) => `system.${k}`),
  ...REMINDER_TEXT_KEYS,
  ...['reply', 'eve.title', 'before.text', 'followup.prompt']
    .concat(REMINDER_KINDS.map((k) => `kind.${k}`))
    .concat(FOLLOWUP_OUTCOMES.flatMap((o) => [`followup.${o}`, `followup.choice.${o}`]))
    .map((k) => `reminder.${k}`),
  ...['reasons', 'asked', 'answer', 'cautions', 'checklist', 'meeting', 'meeting_at', 'meeting_not_set'].map(
    (k) => `result.${k}`,
  ),
];

export interface ContentFiles {
  flow: string;
  tips: string;
  /** Where each locale key was defined, for messages. */
  keyFiles: Record<string, ReadonlyMap<string, string>>;
}

/** Locale keys other subsystems (channels, reminders, broadcasts) add; they must exist too. */
export type ExtraKeys = readonly string[];

export function validateContent(
  flow: Flow,
  tips: Tips,
  catalog: Catalog,
  files: ContentFiles,
  extraKeys: ExtraKeys = [],
): string[] {
  const errors: string[] = [];
  const at = (path: string, message: string) => errors.push(`${files.flow}: ${path}: ${message}`);
  const referenced = new Map<string, string>(); // key -> where it is referenced
  const use = (key: string, where: string) => referenced.set(key, where);

  const questions = new Map(
    Object.entries(flow.states).flatMap(([id, st]) => (st.type === 'result' ? [] : [[id, st] as const])),
  );

  // States and transitions.
  if (!flow.states[flow.start]) at('start', `unknown state "${flow.start}"`);
  const reachable = new Set<string>();
  const queue = [flow.start];
  while (queue.length) {
    const id = queue.pop()!;
    if (reachable.has(id) || !flow.states[id]) continue;
    reachable.add(id);
    const st = flow.states[id]!;
    if (st.next) queue.push(st.next);
    if (st.type !== 'result') for (const c of st.choices) if (c.next) queue.push(c.next);
  }
  const resultStates = Object.entries(flow.states).filter(([, st]) => st.type === 'result');
  if (resultStates.length !== 1) at('states', `needs exactly one state of type "result" (found ${resultStates.length})`);

  for (const [id, st] of Object.entries(flow.states)) {
    const path = `states.${id}`;
    if (!reachable.has(id)) at(path, 'is never reached from start');
    if (st.next && !flow.states[st.next]) at(`${path}.next`, `unknown state "${st.next}"`);
    if (st.type === 'result') continue;
    use(st.prompt, `${path}.prompt`);
    const seen = new Map<string, string>();
    st.choices.forEach((c, i) => {
      const cpath = `${path}.choices.${i}`;
      use(c.label, `${cpath}.label`);
      if (c.say) use(c.say, `${cpath}.say`);
      if (c.next && !flow.states[c.next]) at(`${cpath}.next`, `unknown state "${c.next}"`);
      if (!c.next && !c.action && !st.next) at(cpath, 'has no next state and no action, and the state has no next');
      if (c.action && c.action !== 'replyPending' && (c.next || c.say)) {
        at(cpath, `action "${c.action}" takes over navigation; remove next/say`);
      }
      for (const word of [c.value, ...c.synonyms]) {
        const norm = normalizeText(word);
        const other = seen.get(norm);
        if (other !== undefined && other !== c.value) at(`${cpath}.synonyms`, `"${word}" also selects "${other}"`);
        seen.set(norm, c.value);
      }
    });
    if (st.skipIf) checkCondition(st.skipIf, `${path}.skipIf`);
  }

  // Commands: keywords must be unique and must not shadow an answer.
  const commandWords = new Map<string, number>();
  flow.commands.forEach((cmd, i) =>
    cmd.keywords.forEach((k, j) => {
      const norm = normalizeText(k);
      if (commandWords.has(norm)) at(`commands.${i}.keywords.${j}`, `"${k}" is already used by commands.${commandWords.get(norm)}`);
      commandWords.set(norm, i);
    }),
  );
  for (const [id, st] of questions) {
    st.choices.forEach((c, i) =>
      c.synonyms.forEach((syn, j) => {
        if (commandWords.has(normalizeText(syn))) {
          at(`states.${id}.choices.${i}.synonyms.${j}`, `"${syn}" is a command keyword, so it would never select this choice`);
        }
      }),
    );
  }

  // Diagnosis rules.
  for (const list of ['verdicts', 'stages'] as const) {
    const rules = flow.diagnosis[list];
    if (rules.at(-1)?.when) at(`diagnosis.${list}.${rules.length - 1}`, 'the last rule must have no "when" (the default)');
    rules.forEach((r, i) => checkCondition(r.when, `diagnosis.${list}.${i}.when`));
  }
  for (const [name, items] of ruleLists(flow)) {
    items.forEach((item, i) => {
      use(item.text, `diagnosis.${name}.${i}.text`);
      checkCondition(item.when, `diagnosis.${name}.${i}.when`);
      // Result texts may quote answers only: {question_id} becomes the chosen label.
      for (const locale of LOCALES) {
        for (const name of placeholders(catalog[locale].get(item.text) ?? '')) {
          if (!questions.has(name)) {
            errors.push(`locales/${locale}: key "${item.text}" quotes {${name}}, which is not a question of ${files.flow}`);
          }
        }
      }
    });
  }
  for (const v of VERDICTS) use(`verdict.${v}.title`, 'verdicts');
  // Cards can be built once both rule lists end in a default (reported above otherwise).
  if (!flow.diagnosis.verdicts.at(-1)?.when && !flow.diagnosis.stages.at(-1)?.when) errors.push(...checkCards(flow, files.flow, use));

  // Tips.
  tips.forEach((tip, i) => {
    use(`tips.${tip.id}.title`, `${files.tips}: tips.${i}`);
    use(`tips.${tip.id}.body`, `${files.tips}: tips.${i}`);
    tip.keywords.forEach((k, j) => {
      if (commandWords.has(normalizeText(k))) {
        errors.push(`${files.tips}: tips.${i}.keywords.${j}: "${k}" is a command keyword`);
      }
    });
  });
  for (const key of [...SYSTEM_KEYS, ...extraKeys]) use(key, 'code');

  // Locales: every referenced key in every language, nothing unreferenced, same placeholders.
  for (const locale of LOCALES) {
    const messages = catalog[locale];
    for (const [key, where] of referenced) {
      if (!messages.has(key)) errors.push(`locales/${locale}: missing key "${key}" (used by ${where})`);
    }
    for (const key of messages.keys()) {
      if (!referenced.has(key)) {
        errors.push(`${files.keyFiles[locale]?.get(key) ?? `locales/${locale}`}: key "${key}" is not used by any flow or code`);
      }
    }
  }
  const [first, ...others] = LOCALES;
  for (const key of referenced.keys()) {
    const base = catalog[first].get(key);
    if (base === undefined) continue;
    for (const locale of others) {
      const text = catalog[locale].get(key);
      if (text !== undefined && placeholders(text).join() !== placeholders(base).join()) {
        errors.push(`locales/${locale}: key "${key}" has placeholders {${placeholders(text)}} but ${first} has {${placeholders(base)}}`);
      }
    }
  }
  return errors;

  function checkCondition(condition: Condition | undefined, path: string): void {
    for (const leaf of leaves(condition)) {
      const question = questions.get(leaf.answer);
      if (!question) {
        at(path, `"${leaf.answer}" is not a question`);
        continue;
      }
      const values = new Set(question.choices.map((c) => c.value));
      if (question.type === 'datetime') values.add(DATE_TOKEN);
      for (const value of leaf.is) {
        if (!values.has(value)) at(path, `"${value}" is not an answer to ${leaf.answer} (${[...values].join(', ')})`);
      }
    }
  }
}

/** The card rule lists, each with its path under `diagnosis`. */
function ruleLists(flow: Flow): (readonly [string, RuleItem[]])[] {
  return [['reasons', flow.diagnosis.reasons], ...ADVICE_SECTIONS.map((s) => [`advice.${s}`, flow.diagnosis.advice[s]] as const)];
}

/**
 * Walks every answer path to its card: the headline texts of each (verdict, stage) a user
 * can reach are required, every rule must show on some card, and every card needs enough reasons.
 */
function checkCards(flow: Flow, file: string, use: (key: string, where: string) => void): string[] {
  const errors: string[] = [];
  const shown = new Set<string>();
  const thin = new Map<string, string>(); // verdict/stage -> an example path with too few reasons
  for (const path of answerPaths(flow)) {
    const answers = pathAnswers(path);
    const d = diagnose(flow, answers);
    const { likelihood, summary } = headlineKeys(d);
    use(likelihood, `verdict ${d.verdict} at stage ${d.stage}`);
    use(summary, `verdict ${d.verdict} at stage ${d.stage}`);
    for (const key of [...d.reasons, ...Object.values(d.advice).flat()]) shown.add(key);
    if (d.reasons.length < MIN_REASONS) thin.set(`${d.verdict} at stage ${d.stage}`, JSON.stringify(answers));
  }
  for (const [name, items] of ruleLists(flow)) {
    items.forEach((item, i) => {
      if (!shown.has(item.text)) errors.push(`${file}: diagnosis.${name}.${i}: "${item.text}" is never shown: no answer path gives it a card`);
    });
  }
  for (const [card, answers] of thin) errors.push(`${file}: diagnosis.reasons: fewer than ${MIN_REASONS} reasons for ${card}, e.g. ${answers}`);
  return errors;
}

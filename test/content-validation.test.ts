/**
 * Content validation: broken variants of the real flow / locales must be reported with the
 * file and the path inside it, and the real content must validate cleanly.
 * Variants are built from the real content (structuredClone + one change), so they keep
 * following the real flow as it is edited; parse errors use files in test/fixtures/content.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { APP_LOCALE_KEYS, loadAppContent } from '../src/app-content.ts';
import {
  ContentError,
  DEFAULT_CONTENT_PATHS,
  loadContent,
  PROJECT_ROOT,
  type ContentPaths,
} from '../src/conversation/content.ts';
import { SYSTEM_KEYS, validateContent, type ContentFiles } from '../src/conversation/content-validation.ts';
import type { Flow, Tips } from '../src/conversation/flow-schema.ts';
import { flattenMessages, placeholders, type Catalog } from '../src/conversation/i18n.ts';
import { LOCALES, type Locale } from '../src/conversation/types.ts';
import { content } from './support/conversation.ts';

// ---------------------------------------------------------------------------- helpers

const FLOW_FILE = 'flows/diagnosis.yaml';
const TIPS_FILE = 'flows/tips.yaml';
const FIXTURES = path.join(PROJECT_ROOT, 'test/fixtures/content');

/** Where each real locale key is defined, read from the locale folders like the loader does. */
function realKeyFiles(): Record<Locale, Map<string, string>> {
  const result = {} as Record<Locale, Map<string, string>>;
  for (const locale of LOCALES) {
    const origins = new Map<string, string>();
    const dir = path.join(DEFAULT_CONTENT_PATHS.localesDir, locale);
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const { entries } = flattenMessages(parseYaml(readFileSync(path.join(dir, name), 'utf8')));
      for (const [key] of entries) origins.set(key, `locales/${locale}/${name}`);
    }
    result[locale] = origins;
  }
  return result;
}

interface Variant {
  flow: Flow;
  tips: Tips;
  catalog: Record<Locale, Map<string, string>>;
  keyFiles: Record<Locale, Map<string, string>>;
}

/** A deep copy of the real content to break in one place. */
function variant(): Variant {
  const real = content();
  return {
    flow: structuredClone(real.flow),
    tips: structuredClone(real.tips),
    catalog: { ja: new Map(real.catalog.ja), en: new Map(real.catalog.en) },
    keyFiles: realKeyFiles(),
  };
}

function validate(v: Variant, extraKeys: readonly string[] = APP_LOCALE_KEYS): string[] {
  const files: ContentFiles = { flow: FLOW_FILE, tips: TIPS_FILE, keyFiles: v.keyFiles };
  return validateContent(v.flow, v.tips, v.catalog as Catalog, files, extraKeys);
}

/** Asserts that one problem starts with `prefix`; shows all problems when none does. */
function expectProblem(errors: string[], prefix: string): string {
  const problem = errors.find((e) => e.startsWith(prefix));
  expect(problem, `no problem starting with\n  ${prefix}\nin\n  ${errors.join('\n  ')}`).toBeDefined();
  return problem!;
}

function choiceIndex(flow: Flow, id: string, value: string): number {
  const index = question(flow, id).choices.findIndex((c) => c.value === value);
  if (index < 0) throw new Error(`${id} has no choice ${value}`);
  return index;
}

function question(flow: Flow, id: string) {
  const state = flow.states[id];
  if (!state || state.type === 'result') throw new Error(`${id} is not a question of the real flow`);
  return state;
}

function loadProblems(paths: Partial<ContentPaths>): string[] {
  try {
    loadContent({ ...DEFAULT_CONTENT_PATHS, ...paths }, APP_LOCALE_KEYS);
  } catch (error) {
    expect(error).toBeInstanceOf(ContentError);
    return (error as ContentError).problems;
  }
  throw new Error('expected loadContent to fail');
}

const tmp = mkdtempSync(path.join(tmpdir(), 'mendan-content-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------- the real content

describe('the real content', () => {
  it('loads (with the app locale keys) and validates cleanly', () => {
    expect(() => loadAppContent()).not.toThrow();
    expect(validate(variant())).toEqual([]);
  });

  it('ja and en define exactly the same keys', () => {
    const { catalog } = content();
    const ja = [...catalog.ja.keys()].sort();
    const en = [...catalog.en.keys()].sort();
    expect(ja.filter((k) => !catalog.en.has(k))).toEqual([]);
    expect(en.filter((k) => !catalog.ja.has(k))).toEqual([]);
    expect(ja).toEqual(en);
  });

  it('ja and en use the same placeholders in every text, and no text is empty', () => {
    const { catalog } = content();
    for (const [key, ja] of catalog.ja) {
      const en = catalog.en.get(key) ?? '';
      expect(placeholders(en), key).toEqual(placeholders(ja));
      expect(ja.trim(), key).not.toBe('');
      expect(en.trim(), key).not.toBe('');
    }
  });

  it('every system key the engine uses exists in both languages', () => {
    const { catalog } = content();
    for (const key of SYSTEM_KEYS) for (const locale of LOCALES) expect(catalog[locale].has(key), `${locale} ${key}`).toBe(true);
  });

  it('reason texts only quote questions of the flow', () => {
    const { flow, catalog } = content();
    const questions = new Set(Object.entries(flow.states).flatMap(([id, st]) => (st.type === 'result' ? [] : [id])));
    for (const item of flow.diagnosis.reasons) {
      for (const name of placeholders(catalog.ja.get(item.text) ?? '')) {
        expect(questions.has(name), `${item.text} quotes {${name}}`).toBe(true);
      }
    }
  });
});

// ---------------------------------------------------------------------------- broken flows

describe('broken flow: states and transitions', () => {
  it('an unknown target state in states.X.next', () => {
    const v = variant();
    question(v.flow, 'contact_from').next = 'nowhere';
    const errors = validate(v);
    expect(errors).toContain(`${FLOW_FILE}: states.contact_from.next: unknown state "nowhere"`);
  });

  it('an unknown target state in a choice next', () => {
    const v = variant();
    question(v.flow, 'offer_notified').choices[0]!.next = 'limbo';
    expect(validate(v)).toContain(`${FLOW_FILE}: states.offer_notified.choices.0.next: unknown state "limbo"`);
  });

  it('an unknown start state', () => {
    const v = variant();
    v.flow.start = 'beginning';
    expect(validate(v)).toContain(`${FLOW_FILE}: start: unknown state "beginning"`);
  });

  it('a state nobody reaches', () => {
    const v = variant();
    v.flow.states.orphan = {
      type: 'choice',
      prompt: 'q.purpose.prompt',
      choices: [{ value: 'x', label: 'q.purpose.none', synonyms: [] }],
      next: 'menu',
    };
    expect(validate(v)).toContain(`${FLOW_FILE}: states.orphan: is never reached from start`);
  });

  it('the last verdict rule must be the default', () => {
    const v = variant();
    v.flow.diagnosis.verdicts.at(-1)!.when = { answer: 'offer_notified', is: ['no'] };
    const last = v.flow.diagnosis.verdicts.length - 1;
    expect(validate(v)).toContain(`${FLOW_FILE}: diagnosis.verdicts.${last}: the last rule must have no "when" (the default)`);
  });
});

describe('broken flow: conditions', () => {
  it('a verdict rule naming an unknown question', () => {
    const v = variant();
    v.flow.diagnosis.verdicts[1]!.when = { answer: 'purpse', is: ['status_feedback'] };
    expect(validate(v)).toContain(`${FLOW_FILE}: diagnosis.verdicts.1.when: "purpse" is not a question`);
  });

  it('a skipIf naming an unknown value (inside not/any)', () => {
    const v = variant();
    question(v.flow, 'purpose').skipIf = { not: { any: [{ answer: 'offer_notified', is: ['no', 'definitely'] }] } };
    const problem = expectProblem(validate(v), `${FLOW_FILE}: states.purpose.skipIf: "definitely" is not an answer to offer_notified`);
    // The message lists what the question does accept.
    expect(problem).toContain('yes, no, unsure');
  });

  it('a reason condition naming an unknown value', () => {
    const v = variant();
    v.flow.diagnosis.reasons[0]!.when = { answer: 'contact_from', is: ['ceo'] };
    expectProblem(validate(v), `${FLOW_FILE}: diagnosis.reasons.0.when: "ceo" is not an answer to contact_from`);
  });

  it('an advice condition naming a result state is not a question', () => {
    const v = variant();
    v.flow.diagnosis.advice.cautions[0]!.when = { answer: 'result', is: ['x'] };
    expect(validate(v)).toContain(`${FLOW_FILE}: diagnosis.advice.cautions.0.when: "result" is not a question`);
  });

  it('the date token is a valid answer for the datetime question, but not for a choice question', () => {
    const ok = variant();
    ok.flow.diagnosis.advice.cautions[0]!.when = { answer: 'meeting_date', is: ['date'] };
    expect(validate(ok)).toEqual([]);
    const bad = variant();
    bad.flow.diagnosis.advice.cautions[0]!.when = { answer: 'meeting_mode', is: ['date'] };
    expectProblem(validate(bad), `${FLOW_FILE}: diagnosis.advice.cautions.0.when: "date" is not an answer to meeting_mode`);
  });
});

describe('broken flow: keywords', () => {
  it('a command keyword used as a choice synonym', () => {
    const v = variant();
    const i = choiceIndex(v.flow, 'first_choice', 'no');
    const no = question(v.flow, 'first_choice').choices[i]!;
    no.synonyms.push('戻る');
    const j = no.synonyms.length - 1;
    expectProblem(validate(v), `${FLOW_FILE}: states.first_choice.choices.${i}.synonyms.${j}: "戻る" is a command keyword`);
  });

  it('the collision is found across width and case', () => {
    const v = variant();
    question(v.flow, 'meeting_mode').choices[0]!.synonyms = ['ＨＥＬＰ'];
    expectProblem(validate(v), `${FLOW_FILE}: states.meeting_mode.choices.0.synonyms.0: "ＨＥＬＰ" is a command keyword`);
  });

  it('one synonym selecting two choices', () => {
    const v = variant();
    const i = choiceIndex(v.flow, 'first_choice', 'undecided');
    question(v.flow, 'first_choice').choices[i]!.synonyms.push('はい'); // already a synonym of "yes"
    expectProblem(validate(v), `${FLOW_FILE}: states.first_choice.choices.${i}.synonyms: "はい" also selects "yes"`);
  });

  it('the same keyword on two commands', () => {
    const v = variant();
    const restart = v.flow.commands.findIndex((c) => c.keywords.includes('最初から'));
    const back = v.flow.commands.findIndex((c) => c.action === 'back');
    expect(restart).toBeLessThan(back);
    v.flow.commands[back]!.keywords.push('最初から');
    const j = v.flow.commands[back]!.keywords.length - 1;
    expect(validate(v)).toContain(`${FLOW_FILE}: commands.${back}.keywords.${j}: "最初から" is already used by commands.${restart}`);
  });

  it('a tip keyword that is a command keyword names the tips file', () => {
    const v = variant();
    v.tips[0]!.keywords.push('help');
    const j = v.tips[0]!.keywords.length - 1;
    expect(validate(v)).toContain(`${TIPS_FILE}: tips.0.keywords.${j}: "help" is a command keyword`);
  });
});

// ---------------------------------------------------------------------------- card applicability

describe('broken flow: what a card line is for', () => {
  /** Writes the real flow with one change and returns the load problems. */
  function loadChanged(change: (flow: { diagnosis: { advice: { cautions: Record<string, unknown>[] } } }) => void): { problems: string[]; rel: string } {
    const flow = parseYaml(readFileSync(DEFAULT_CONTENT_PATHS.flowFile, 'utf8')) as Parameters<typeof change>[0];
    change(flow);
    const file = path.join(tmp, `changed-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify(flow));
    return { problems: loadProblems({ flowFile: file }), rel: path.relative(PROJECT_ROOT, file) };
  }

  it.each(['verdicts', 'stages', 'why'])('a rule without "%s" stops the boot, naming the rule', (field) => {
    const { problems, rel } = loadChanged((flow) => {
      delete flow.diagnosis.advice.cautions[0]![field];
    });
    expectProblem(problems, `${rel}: diagnosis.advice.cautions.0.${field}: `);
  });

  it('an empty list of stages is refused too', () => {
    const { problems, rel } = loadChanged((flow) => {
      flow.diagnosis.advice.cautions[0]!.stages = [];
    });
    expectProblem(problems, `${rel}: diagnosis.advice.cautions.0.stages: `);
  });

  it('a "why" that cites no GUIDE fact is refused', () => {
    const { problems, rel } = loadChanged((flow) => {
      flow.diagnosis.advice.cautions[0]!.why = 'seems right to me';
    });
    expect(expectProblem(problems, `${rel}: diagnosis.advice.cautions.0.why: `)).toContain('GUIDE');
  });

  it('a rule no answer path shows is reported', () => {
    const v = variant();
    const i = v.flow.diagnosis.advice.answer.findIndex((a) => a.text === 'advice.answer.negotiate_here');
    v.flow.diagnosis.advice.answer[i]!.verdicts = ['closing_meeting'];
    v.flow.diagnosis.advice.answer[i]!.stages = ['after_offer'];
    expect(validate(v)).toContain(
      `${FLOW_FILE}: diagnosis.advice.answer.${i}: "advice.answer.negotiate_here" is never shown: no answer path gives it a card`,
    );
  });

  it('a card left with one reason is reported with an example', () => {
    const v = variant();
    v.flow.diagnosis.reasons = v.flow.diagnosis.reasons.filter((r) => r.text !== 'reason.contact_after_offer');
    v.keyFiles.ja.delete('reason.contact_after_offer');
    v.catalog.ja.delete('reason.contact_after_offer');
    v.catalog.en.delete('reason.contact_after_offer');
    const problem = expectProblem(validate(v), `${FLOW_FILE}: diagnosis.reasons: fewer than 2 reasons for offer_meeting at stage after_offer`);
    expect(problem).toContain('"offer_notified":"yes"');
  });

  it('the last stage rule must be the default', () => {
    const v = variant();
    v.flow.diagnosis.stages.at(-1)!.when = { answer: 'offer_notified', is: ['no'] };
    const last = v.flow.diagnosis.stages.length - 1;
    expect(validate(v)).toContain(`${FLOW_FILE}: diagnosis.stages.${last}: the last rule must have no "when" (the default)`);
  });

  it('a stage a user can reach needs its headline texts', () => {
    const v = variant();
    // Conditions stop being their own stage: conditions cards now are before_offer offer meetings.
    v.flow.diagnosis.stages = v.flow.diagnosis.stages.filter((s) => s.stage !== 'conditions_before_offer');
    expectProblem(validate(v), 'locales/ja: missing key "verdict.offer_meeting.before_offer.likelihood" (used by verdict offer_meeting at stage before_offer)');
  });
});

// ---------------------------------------------------------------------------- broken locales

describe('broken locales', () => {
  it('a key missing in one language names that language and where the key is used', () => {
    const v = variant();
    v.catalog.en.delete('q.purpose.intent');
    const errors = validate(v);
    expect(errors).toContain('locales/en: missing key "q.purpose.intent" (used by states.purpose.choices.1.label)');
    expect(errors.filter((e) => e.startsWith('locales/ja'))).toEqual([]);
  });

  it('a missing verdict text and a missing system text', () => {
    const v = variant();
    v.catalog.ja.delete('verdict.recruiter_meeting.before_offer.summary');
    v.catalog.ja.delete('system.stale_button');
    const errors = validate(v);
    expectProblem(errors, 'locales/ja: missing key "verdict.recruiter_meeting.before_offer.summary" (used by verdict recruiter_meeting at stage before_offer)');
    expectProblem(errors, 'locales/ja: missing key "system.stale_button" (used by code)');
  });

  it('a missing tip body names the tips file entry', () => {
    const v = variant();
    const id = v.tips[3]!.id;
    v.catalog.en.delete(`tips.${id}.body`);
    expect(validate(v)).toContain(`locales/en: missing key "tips.${id}.body" (used by ${TIPS_FILE}: tips.3)`);
  });

  it('an unreferenced key names the file that defines it', () => {
    const v = variant();
    v.catalog.ja.set('q.purpose.obsolete', '昔の選択肢');
    v.keyFiles.ja.set('q.purpose.obsolete', 'locales/ja/diagnosis.yaml');
    expect(validate(v)).toContain('locales/ja/diagnosis.yaml: key "q.purpose.obsolete" is not used by any flow or code');
  });

  it('removing a choice from the flow leaves its label unreferenced in both languages', () => {
    const v = variant();
    const contact = question(v.flow, 'contact_from');
    contact.choices = contact.choices.filter((c) => c.value !== 'agency');
    const errors = validate(v);
    expect(errors).toContain(`${v.keyFiles.ja.get('q.contact_from.agency')}: key "q.contact_from.agency" is not used by any flow or code`);
    expect(errors).toContain(`${v.keyFiles.en.get('q.contact_from.agency')}: key "q.contact_from.agency" is not used by any flow or code`);
    expect(v.keyFiles.ja.get('q.contact_from.agency')).toMatch(/^locales\/ja\/.+\.yaml$/);
  });

  it('mismatched placeholders between ja and en', () => {
    const v = variant();
    const ja = v.catalog.ja.get('reason.contact_company')!;
    expect(placeholders(ja)).toEqual(['contact_from']);
    v.catalog.en.set('reason.contact_company', 'The contact came from "{contact}".');
    expect(validate(v)).toContain('locales/en: key "reason.contact_company" has placeholders {contact} but ja has {contact_from}');
  });

  it('a placeholder dropped in one language', () => {
    const v = variant();
    v.catalog.en.set('system.date.too_far', 'That is too far ahead.');
    expectProblem(validate(v), 'locales/en: key "system.date.too_far" has placeholders {} but ja has {days}');
  });

  it('keys that other subsystems declare (extraKeys) must exist', () => {
    const errors = validate(variant(), [...APP_LOCALE_KEYS, 'line.richmenu.label']);
    expect(errors).toContain('locales/ja: missing key "line.richmenu.label" (used by code)');
    expect(errors).toContain('locales/en: missing key "line.richmenu.label" (used by code)');
  });

  // A typo such as {contact} in both languages would show the raw placeholder on the card.
  it('a reason quoting a question the flow does not have is reported', () => {
    const v = variant();
    v.catalog.ja.set('reason.contact_company', '連絡は「{contact}」から。');
    v.catalog.en.set('reason.contact_company', 'The contact came from "{contact}".');
    const errors = validate(v);
    expect(errors.some((e) => e.includes('reason.contact_company') && e.includes('contact'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------- files on disk

describe('loading from disk names the file', () => {
  it('an unknown action is a zod error with the file and the path', () => {
    const file = path.join(FIXTURES, 'unknown-action.flow.yaml');
    const problems = loadProblems({ flowFile: file });
    const problem = expectProblem(problems, 'test/fixtures/content/unknown-action.flow.yaml: states.ready.choices.0.action: ');
    expect(problem).toContain('restart'); // lists the valid actions
  });

  it('an unknown action in a command of the real flow (zod path commands.N.action)', () => {
    const flow = parseYaml(readFileSync(DEFAULT_CONTENT_PATHS.flowFile, 'utf8')) as { commands: { action: string }[] };
    flow.commands[2]!.action = 'selfDestruct';
    const file = path.join(tmp, 'unknown-command-action.yaml');
    writeFileSync(file, stringify(flow));
    const problems = loadProblems({ flowFile: file });
    const rel = path.relative(PROJECT_ROOT, file);
    expectProblem(problems, `${rel}: commands.2.action: `);
  });

  it('a YAML syntax error in the flow names the file and the line', () => {
    const problems = loadProblems({ flowFile: path.join(FIXTURES, 'syntax-error.flow.yaml') });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^test\/fixtures\/content\/syntax-error\.flow\.yaml: .*line \d+/);
  });

  it('a YAML syntax error in a locale file names that file', () => {
    const problems = loadProblems({ localesDir: path.join(FIXTURES, 'locales-broken') });
    expect(problems.some((p) => /^test\/fixtures\/content\/locales-broken\/ja\/system\.yaml: .*line \d+/.test(p))).toBe(true);
    expect(problems.some((p) => p.startsWith('test/fixtures/content/locales-broken/en/'))).toBe(false);
  });

  it('a validation error found while loading names the flow file it came from', () => {
    const flow = parseYaml(readFileSync(DEFAULT_CONTENT_PATHS.flowFile, 'utf8')) as { states: Record<string, { next?: string }> };
    flow.states.contact_from!.next = 'nowhere';
    const file = path.join(tmp, 'unknown-next.yaml');
    writeFileSync(file, stringify(flow));
    const problems = loadProblems({ flowFile: file });
    expect(problems).toContain(`${path.relative(PROJECT_ROOT, file)}: states.contact_from.next: unknown state "nowhere"`);
  });

  it('the ContentError message lists every problem', () => {
    try {
      loadContent({
        ...DEFAULT_CONTENT_PATHS,
        flowFile: path.join(FIXTURES, 'syntax-error.flow.yaml'),
        tipsFile: path.join(FIXTURES, 'unknown-action.flow.yaml'),
      });
      expect.unreachable('loadContent should have thrown');
    } catch (error) {
      const { message, problems } = error as ContentError;
      expect(problems.length).toBeGreaterThanOrEqual(2);
      for (const problem of problems) expect(message).toContain(problem);
      expectProblem(problems, 'test/fixtures/content/unknown-action.flow.yaml: ');
    }
  });
});

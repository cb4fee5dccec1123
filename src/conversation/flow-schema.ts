/** The shape of `flows/*.yaml`, checked with zod when the bot starts. */
import { z } from 'zod';
import { LOCALES, VERDICTS } from './types.ts';

export type Condition =
  | { answer: string; is: string[] }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ answer: z.string(), is: z.array(z.string()).min(1) }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

/** Every action a flow may name. Anything else stops the boot. */
export const ACTIONS = [
  'restart',
  'back',
  'help',
  'language',
  'optOut',
  'optIn',
  'askDelete',
  'showTips',
  'showReminders',
  'cancelReminders',
  'stopAll',
  'settings',
  'menu',
  'showResult',
  'advisor',
  'replyPending',
] as const;
export type Action = (typeof ACTIONS)[number];

const stateId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'state ids are lower_snake_case');

const choiceSchema = z.strictObject({
  value: z.string().min(1),
  label: z.string(),
  synonyms: z.array(z.string()).default([]),
  /** Overrides the state's `next` for this choice. */
  next: stateId.optional(),
  /** Runs an action instead of (or, with `say`, besides) moving on. */
  action: z.enum(ACTIONS).optional(),
  /** A message shown after this choice is made. */
  say: z.string().optional(),
});

const questionBase = {
  prompt: z.string(),
  skipIf: conditionSchema.optional(),
  next: stateId.optional(),
};

const stateSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('choice'), ...questionBase, choices: z.array(choiceSchema).min(1) }),
  z.strictObject({ type: z.literal('datetime'), ...questionBase, choices: z.array(choiceSchema).default([]) }),
  z.strictObject({ type: z.literal('result'), next: stateId }),
]);

/**
 * Where the candidate stands with the offer. A card line true before an offer can be false
 * after one (and the reverse), so every rule names the stages it is for.
 * - before_offer: no offer stated, and the meeting is not about conditions;
 * - conditions_before_offer: the stated purpose is conditions, but no offer has been stated
 *   (most likely an offer meeting, yet still selection until the 内定 is said);
 * - after_offer: an offer (内定) was notified.
 */
export const STAGES = ['before_offer', 'conditions_before_offer', 'after_offer'] as const;
export type Stage = (typeof STAGES)[number];

/** A reviewer's pointer to the GUIDE fact a text rests on: "GUIDE 4: ..." or "GUIDE moments: ...". */
const guideNote = z
  .string()
  .regex(/^GUIDE (\d|verdicts|moments|wording)\b.{10,}/, 'cite the GUIDE fact ("GUIDE 4: ...") and say what it supports');

/** A card line. Applicability is explicit: verdicts and stages are required, never implied. */
const ruleItem = z.strictObject({
  text: z.string(),
  verdicts: z.array(z.enum(VERDICTS)).min(1),
  stages: z.array(z.enum(STAGES)).min(1),
  when: conditionSchema.optional(),
  why: guideNote,
});

export const ADVICE_SECTIONS = ['asked', 'answer', 'cautions', 'checklist'] as const;

export const flowSchema = z.strictObject({
  id: stateId,
  version: z.number().int().positive(),
  start: stateId,
  states: z.record(stateId, stateSchema),
  commands: z.array(
    z.strictObject({
      action: z.enum(ACTIONS),
      locale: z.enum(LOCALES).optional(),
      keywords: z.array(z.string().min(1)).min(1),
    }),
  ),
  diagnosis: z.strictObject({
    verdicts: z.array(z.strictObject({ verdict: z.enum(VERDICTS), when: conditionSchema.optional() })).min(1),
    /** First matching rule wins, like verdicts; the last has no `when`. */
    stages: z.array(z.strictObject({ stage: z.enum(STAGES), when: conditionSchema.optional() })).min(1),
    reasons: z.array(ruleItem),
    advice: z.strictObject({
      asked: z.array(ruleItem),
      answer: z.array(ruleItem),
      cautions: z.array(ruleItem),
      checklist: z.array(ruleItem),
    }),
  }),
});

export const tipsSchema = z.strictObject({
  tips: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z][a-z0-9_]*$/),
        keywords: z.array(z.string().min(1)).min(1),
      }),
    )
    .min(1),
});

export type Flow = z.infer<typeof flowSchema>;
export type FlowState = Flow['states'][string];
export type QuestionState = Extract<FlowState, { type: 'choice' | 'datetime' }>;
export type FlowChoice = QuestionState['choices'][number];
export type RuleItem = z.infer<typeof ruleItem>;
export type Tips = z.infer<typeof tipsSchema>['tips'];

/** Tips on demand: one button per tip in the content, each showing its card. */
import { normalizeText } from '../normalize.ts';
import { TIPS_STATE } from '../session.ts';
import { sayList, t, type Turn } from '../turn.ts';
import type { BuiltIn } from './types.ts';

export const tips: BuiltIn = {
  state: TIPS_STATE,
  prompt: 'system.tips.prompt',
  choices: (content) => [
    ...content.tips.map((tip) => ({ value: tip.id, label: `tips.${tip.id}.title`, tip: tip.id, then: 'again' as const })),
    { value: 'resume', label: 'system.tips.back', then: 'resume' },
  ],
};

/** A tip's card; also shown when a typed message contains one of its keywords. */
export function showTip(turn: Turn, id: string): void {
  if (!turn.ctx.content.tips.some((tip) => tip.id === id)) return;
  sayList(turn, t(turn, `tips.${id}.title`), t(turn, `tips.${id}.body`).split('\n').filter(Boolean));
}

export function matchTipKeyword(turn: Turn, text: string): string | undefined {
  return turn.ctx.content.tips.find((tip) => tip.keywords.some((k) => text.includes(normalizeText(k))))?.id;
}

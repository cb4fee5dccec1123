/**
 * The first thing someone writes, whatever it is, is acknowledged before the first
 * question: a greeting, news of an invitation, a question, a pasted invitation (read and
 * shown back), or a pasted mail that is no invitation (said kindly).
 */
import { offerInvitation, readPasted } from './invite-chat.ts';
import { goTo } from './navigation.ts';
import { say, type Turn } from './turn.ts';

export type FirstKind = 'question' | 'invite' | 'greeting' | 'other';

const QUESTION_ENDINGS = ['?', '？', 'ですか', 'ますか', 'でしょうか', 'って何'];
const INVITE_WORDS = ['面談', '連絡', '呼ばれ', 'お誘い', '誘われ', 'invite', 'invitation', 'meeting'];
const GREETINGS = ['こんにちは', 'こんばんは', 'おはよう', 'はじめまして', '初めまして', 'よろしく', 'hello', 'hi', 'hey', 'good morning', 'good evening'];

export function firstMessageKind(raw: string): FirstKind {
  const text = raw.slice(0, 200).normalize('NFKC').toLowerCase().trim();
  const bare = text.replace(/[。.!！\s]+$/u, '');
  if (QUESTION_ENDINGS.some((e) => bare.endsWith(e))) return 'question';
  if (INVITE_WORDS.some((w) => text.includes(w))) return 'invite';
  if (GREETINGS.some((g) => text.startsWith(g))) return 'greeting';
  return 'other';
}

/** A brand-new conversation opened by a text: acknowledge it, greet, then read it or ask the first question. */
export function startWithText(turn: Turn, raw: string): void {
  const pasted = readPasted(turn, raw);
  if (pasted?.kind !== 'invitation') acknowledge(turn, raw);
  say(turn, 'system.welcome');
  if (pasted?.kind === 'invitation') return offerInvitation(turn, pasted.invitation);
  if (pasted?.kind === 'notice') say(turn, 'reading.invite.notice');
  goTo(turn, turn.ctx.content.flow.start);
}

/** Once per conversation: the user's first words get a fitting answer. */
export function acknowledge(turn: Turn, raw: string): void {
  say(turn, `reading.first.${firstMessageKind(raw)}`);
  turn.s.acknowledged = true;
}

/** Nothing answered or acknowledged yet, still at the first question: the message is acknowledged, not refused. */
export function isFresh(turn: Turn): boolean {
  const s = turn.s;
  return !s.acknowledged && s.state === turn.ctx.content.flow.start && s.history.length === 0 && Object.keys(s.answers).length === 0;
}

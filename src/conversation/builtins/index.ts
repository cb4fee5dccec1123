/** Every built-in state by name. A new built-in is a file in this folder and one line here. */
import { confirmDelete } from './delete-confirm.ts';
import { INVITE_STATES } from '../invite-state.ts';
import { followup } from './followup.ts';
import { settings } from './settings.ts';
import { tips } from './tips.ts';
import type { BuiltIn } from './types.ts';

const BUILT_INS: ReadonlyMap<string, BuiltIn> = new Map([tips, settings, followup, confirmDelete].map((b) => [b.state, b]));

export function builtIn(state: string): BuiltIn | undefined {
  return BUILT_INS.get(state);
}

/** Also the states of a pasted invitation (src/conversation/invite-chat.ts), which are not tables. */
export function isBuiltIn(state: string): boolean {
  return BUILT_INS.has(state) || INVITE_STATES.includes(state);
}

export type { BuiltIn } from './types.ts';

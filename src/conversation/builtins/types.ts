/**
 * A built-in state: a question every flow has besides its own (tips, settings, the
 * follow-up after a meeting, the delete confirmation). It is entered by interrupting the
 * flow and returns to where the user was; its answers are never recorded as flow answers.
 * Each one is a table: a prompt and choices saying what a choice does, read by the engine.
 */
import type { Content } from '../content.ts';
import type { Action } from '../flow-schema.ts';
import type { Session } from '../session.ts';
import type { SideEffect } from '../types.ts';

/** What the engine does after a built-in choice (and its `say` or `tip`). */
export type Then =
  /** Back to the state the built-in interrupted. */
  | 'resume'
  /** Ask this built-in again. */
  | 'again'
  /** Delete everything: the turn ends with no session. */
  | 'delete'
  /** Run a command, as if its keyword had been typed. */
  | { run: Action };

export interface BuiltInChoice {
  value: string;
  /** Catalog key of the button label. */
  label: string;
  /** Typed words that pick this choice besides its number and label, in any language. */
  words?: readonly string[];
  /** Catalog key of a line said when chosen. */
  say?: string;
  /** Id of a tip card shown when chosen. */
  tip?: string;
  /** An effect raised when chosen. */
  raise?: SideEffect;
  then: Then;
}

export interface BuiltIn {
  state: string;
  /** Catalog key of the question. */
  prompt: string;
  /** The choices offered now; only these can be chosen. */
  choices(content: Content, session: Session): BuiltInChoice[];
}

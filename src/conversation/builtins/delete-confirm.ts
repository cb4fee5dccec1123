/** "Delete all my data?" asked once more, answerable by yes/no words in either language. */
import { CONFIRM_DELETE_STATE } from '../session.ts';
import type { BuiltIn, BuiltInChoice } from './types.ts';

const CHOICES: readonly BuiltInChoice[] = [
  {
    value: 'yes',
    label: 'system.delete.yes',
    words: ['はい', 'yes', 'y', 'ok', 'delete'],
    say: 'system.delete.done',
    then: 'delete',
  },
  {
    value: 'no',
    label: 'system.delete.no',
    words: ['いいえ', 'no', 'n', 'やめる', 'cancel', 'キャンセル'],
    say: 'system.delete.cancelled',
    then: 'resume',
  },
];

export const confirmDelete: BuiltIn = {
  state: CONFIRM_DELETE_STATE,
  prompt: 'system.delete.confirm',
  choices: () => [...CHOICES],
};

/**
 * Names on the buttons and pickers we send, shared by the renderer and the parser. The
 * question's state travels in the block id, so a tap on an old question is recognisable.
 */
export const ACTION_PREFIX = 'mendan:';
export const CHOICE_ACTION_PREFIX = 'mendan:choice:';
export const DATETIME_ACTION = 'mendan:datetime';
export const HOME_START_ACTION = 'mendan:home:start';
export const HOME_COMMAND_PREFIX = 'mendan:home:';

/** What the App Home buttons ask for, besides starting the diagnosis. */
export const HOME_COMMANDS = ['showTips', 'showReminders', 'optOut', 'optIn', 'language:ja', 'language:en', 'advisor'] as const;
export type HomeCommand = (typeof HOME_COMMANDS)[number];

const QUESTION_BLOCK = /^mendan:q:\d+:(.+)$/;

/** `part` numbers the action blocks of one question (Slack allows 25 elements per block). */
export function questionBlockId(state: string, part: number): string {
  return `mendan:q:${part}:${state}`;
}

export function stateOfBlockId(blockId: string): string | undefined {
  return QUESTION_BLOCK.exec(blockId)?.[1];
}

export function homeCommandActionId(command: HomeCommand): string {
  return `${HOME_COMMAND_PREFIX}${command}`;
}

export function isHomeCommand(value: string): value is HomeCommand {
  return (HOME_COMMANDS as readonly string[]).includes(value);
}

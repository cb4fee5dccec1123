/** Renders neutral messages as terminal text, and reads typed input back as neutral input. */
import type { Choice, Inbound, Outbound } from '../../conversation/types.ts';

export function renderForTerminal(message: Outbound): string {
  switch (message.kind) {
    case 'text':
      return message.text;
    case 'choices':
    case 'dateInput':
      return [message.text, ...numbered(message.choices)].join('\n');
    case 'card':
      return [
        `━━ ${message.title} ━━`,
        ...(message.summary ? [message.summary] : []),
        ...message.sections.flatMap((s) => [...(s.heading ? ['', `【${s.heading}】`] : ['']), ...s.lines.map((l) => `  ・${l}`)]),
      ].join('\n');
  }
}

function numbered(choices: Choice[]): string[] {
  return choices.map((c, i) => `  ${i + 1}) ${c.label}`);
}

/** A number for one of the last shown choices is a button tap; anything else is typed text. */
export function readTerminalInput(line: string, lastQuestion: Outbound | undefined): Inbound {
  const trimmed = line.normalize('NFKC').trim();
  if (lastQuestion && (lastQuestion.kind === 'choices' || lastQuestion.kind === 'dateInput') && /^\d{1,2}$/.test(trimmed)) {
    const choice = lastQuestion.choices[Number(trimmed) - 1];
    if (choice) return { kind: 'choice', value: choice.value, state: lastQuestion.state };
  }
  return { kind: 'text', text: line };
}

/** Inputs built to make a careless reader backtrack or loop: shared by the linearity test and `npm run bench -- --only long-text`. */
export const ADVERSARIAL_TEXTS: Record<string, string> = {
  'closing brackets': ')'.repeat(40_000),
  'dates and ranges': '12月3日(水)14:00〜15:00 '.repeat(300),
  digits: '1'.repeat(5_000),
  'slashes and colons': '1/2:'.repeat(1_500),
  'weekdays in brackets': '(水)'.repeat(2_000),
  'role words': 'hr 人事 部長 '.repeat(600),
  'meeting words': '面談'.repeat(3_000),
  'offer hints': 'ぜひ'.repeat(3_000),
  'blank lines': ' \n'.repeat(3_000),
  'deadline words': '来週の水曜 午後1時 までに返信 by dec 3 '.repeat(200),
};

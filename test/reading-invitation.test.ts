import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/cli/eval-reading.ts';
import type { Flow } from '../src/conversation/flow-schema.ts';
import { readInvitation } from '../src/reading/invitation.ts';
import { invitationToJson } from '../src/reading/json.ts';
import { content } from './support/conversation.ts';

const TOKYO = 'Asia/Tokyo';

function read(text: string, receivedAt = '2026-11-26T10:00:00+09:00', flow: Flow = content().flow) {
  return invitationToJson(readInvitation(text, { receivedAt: new Date(receivedAt), timeZone: TOKYO, flow }));
}

describe('the corpus (test/fixtures/invitations)', () => {
  it.each(['dev', 'heldout', 'fresh'] as const)('%s split meets the goals (every field 90 percent, slots 85 percent exactly right, no non-invite taken for one)', (split) => {
    const report = evaluate(split);
    expect(report.goalsMet, report.lines.join('\n')).toBe(true);
  });
});

describe('slots: the forms invitations use', () => {
  it.each([
    ['12月3日（木）14:00〜15:00', ['2026-12-03T14:00:00+09:00']],
    ['１２月３日（木）１４：００〜', ['2026-12-03T14:00:00+09:00']],
    ['日時：12月3日（木）午後１時より', ['2026-12-03T13:00:00+09:00']],
    ['12月3日（木）10時半〜11時半', ['2026-12-03T10:30:00+09:00']],
    ['12/5 10:00~11:00', ['2026-12-05T10:00:00+09:00']],
    ['来週水曜の15時', ['2026-12-02T15:00:00+09:00']],
    ['明後日の昼12時', ['2026-11-28T12:00:00+09:00']],
    ['Thursday, December 3 at 2:30 PM JST', ['2026-12-03T14:30:00+09:00']],
    ['候補日\n・12月7日（月）10:00〜11:00\n・12月8日（火）15:00〜16:00', ['2026-12-07T10:00:00+09:00', '2026-12-08T15:00:00+09:00']],
    ['12月3日（木）14:00〜15:00 / 16:00〜17:00', ['2026-12-03T14:00:00+09:00', '2026-12-03T16:00:00+09:00']],
  ])('面談のご案内 %j', (when, slots) => {
    expect(read(`人事部より面談のご案内です。\n${when}`).slots).toEqual(slots);
  });

  it('a January date in a December mail is next year', () => {
    expect(read('人事部です。面談の日程：1月8日（金）11:00〜', '2026-12-18T11:30:00+09:00').slots).toEqual(['2027-01-08T11:00:00+09:00']);
  });

  it('a date shortly before the mail is something past, not a slot', () => {
    const got = read('先日11月20日（金）14:00の最終面接ではありがとうございました。面談の日時は12月3日（木）15:00です。');
    expect(got.slots).toEqual(['2026-12-03T15:00:00+09:00']);
  });

  it('points out a weekday that does not match the date, and keeps the date as written', () => {
    const got = read('面談のご案内：12月3日（水）14:00〜');
    expect(got.slots).toEqual(['2026-12-03T14:00:00+09:00']);
    expect(got.weekday_mismatch).toEqual(['2026-12-03T14:00:00+09:00']);
  });

  it('slots follow the user zone', () => {
    const got = invitationToJson(
      readInvitation('Meeting invite: December 3 at 2:00 PM', { receivedAt: new Date('2026-11-26T10:00:00Z'), timeZone: 'Europe/London', flow: content().flow }),
    );
    expect(got.slots).toEqual(['2026-12-03T14:00:00+00:00']);
  });
});

describe('reply deadline', () => {
  it.each([
    ['12月3日（木）までにご返信ください。', '2026-12-03'],
    ['恐れ入りますが、12月1日（火）中にご都合をお知らせください。', '2026-12-01'],
    ['Please let us know by December 2.', '2026-12-02'],
    ['11月30日（月）正午までにご返信いただけますと幸いです。', '2026-11-30'],
  ])('%s', (line, deadline) => {
    const got = read(`人事部から面談のご案内です。日時：12月10日（木）14:00〜\n${line}`);
    expect(got.reply_deadline).toBe(deadline);
    expect(got.slots).toEqual(['2026-12-10T14:00:00+09:00']);
  });

  it('a date the company will write by is not a deadline for the candidate', () => {
    expect(read('面談の日程は追ってご連絡します。URLは12月2日までにお送りします。').reply_deadline).toBeNull();
  });
});

describe('what is not an invitation', () => {
  it.each([
    ['a polite rejection', '最終面接の結果、誠に残念ながら今回は見送らせていただくこととなりました。今後のご活躍をお祈り申し上げます。'],
    ['a results notice', '選考結果につきましては、12月4日（金）までにメールにてご連絡いたします。'],
    ['an event notice', '会社説明会のご案内です。日時：12月5日（土）13:00〜 本社セミナールームにて。'],
    ['an English rejection', 'Unfortunately, we have decided not to move forward with your application.'],
  ])('%s', (_kind, text) => {
    expect(read(text)).toEqual({
      is_invite: false, offer_notified: null, contact_from: null, purpose: null, meeting_mode: null,
      slots: [], weekday_mismatch: [], reply_deadline: null, verdict: null,
    });
  });
});

describe('fields and verdict', () => {
  it('reads the example of the issue', () => {
    const got = read('人事部の佐藤です。入社のご意思を確認させていただきたく、面談の場を設けたく存じます。\n日時：12月11日（金）16:00〜17:00\nオンライン（Zoom）');
    expect(got).toMatchObject({ is_invite: true, offer_notified: 'no', contact_from: 'hr', purpose: 'intent', meeting_mode: 'online', verdict: 'closing_meeting' });
  });

  it('an agency relaying the company request is the agency', () => {
    expect(read('エージェントの森です。A社様の人事部より、他社の選考状況を伺う面談のご依頼がありました。').contact_from).toBe('agency');
  });

  it('gives no verdict when the rules need what the text does not say (who sent it)', () => {
    const got = read('面談の連絡が来ました。12月10日（木）14:00〜15:00です。');
    expect(got.contact_from).toBeNull();
    expect(got.verdict).toBeNull();
  });

  it('takes the verdict from the flow rules, not a copy of them', () => {
    const flow = structuredClone(content().flow);
    // A flow where an intent check counts as feedback: the reader must follow it.
    flow.diagnosis.verdicts.unshift({ verdict: 'feedback_or_status', when: { answer: 'purpose', is: ['intent'] } });
    const text = '人事部です。ご入社の意向確認の面談をお願いします。12月10日（木）14:00〜';
    expect(read(text).verdict).toBe('closing_meeting');
    expect(read(text, undefined, flow).verdict).toBe('feedback_or_status');
  });

  it('keeps nothing of the text', () => {
    const got = readInvitation('人事部の佐藤花子です。面談の日時：12月10日（木）14:00〜 〒105-0001 東京都港区', {
      receivedAt: new Date('2026-11-26T10:00:00+09:00'), timeZone: TOKYO, flow: content().flow,
    });
    expect(JSON.stringify(got)).not.toMatch(/佐藤|港区|105/);
  });
});

describe('npm run read-invite -- --jsonl', () => {
  it('answers one JSON object per line, null for what the text does not say', () => {
    const input = [
      { text: '人事部から面談のご案内。12月3日（木）14:00〜、本社にて。', received_at: '2026-11-26T12:40:00+09:00' },
      { text: 'Unfortunately we will not move forward.', received_at: '2026-06-08T12:40:00+09:00' },
    ].map((l) => JSON.stringify(l)).join('\n');
    const out = execFileSync(process.execPath, ['src/cli/read-invite.ts', '--jsonl'], { input, encoding: 'utf8' });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      is_invite: true, offer_notified: 'no', contact_from: 'hr', purpose: 'none', meeting_mode: 'in_person',
      slots: ['2026-12-03T14:00:00+09:00'], reply_deadline: null, verdict: 'closing_meeting',
    });
    expect(lines[1]).toMatchObject({ is_invite: false, slots: [], verdict: null });
  });
});

import { describe, expect, it } from 'vitest';
import { foldAnswer, matchAnswer, type ChoiceWords } from '../src/reading/answers.ts';
import { content } from './support/conversation.ts';

/** The words of a question's choices the way the engine gathers them: value, synonyms, every label. */
function choicesOf(question: string): ChoiceWords[] {
  const { flow, catalog } = content();
  const state = flow.states[question];
  if (!state || state.type === 'result') throw new Error(`no question ${question}`);
  return state.choices.map((c) => ({
    value: c.value,
    words: [c.value, ...c.synonyms, ...Object.values(catalog).map((cat) => cat.get(c.label) ?? '')],
  }));
}

describe('answers typed in one own words (issue #13)', () => {
  it.each([
    ['offer_notified', 'I got an offer', 'yes'],
    ['offer_notified', '内定をもらいました', 'yes'],
    ['offer_notified', 'まだ出ていません', 'no'],
    ['offer_notified', 'not yet', 'no'],
    ['offer_notified', "I haven't got an offer", 'no'],
    ['offer_notified', 'わからないです', 'unsure'],
    ['contact_from', '人事の方から連絡がありました', 'hr'],
    ['contact_from', '人事部', 'hr'],
    ['contact_from', '人事部長です', 'hr'],
    ['contact_from', 'from HR', 'hr'],
    ['contact_from', 'エージェント経由です', 'agency'],
    ['contact_from', 'リクルーターの先輩', 'recruiter'],
    ['purpose', '条件面談って書いてありました', 'conditions'],
    ['purpose', 'they want to talk about the terms', 'conditions'],
    ['purpose', '他社の選考状況を聞きたいって', 'other_companies'],
    ['purpose', '選考状況の共有', 'status_feedback'],
    ['first_choice', '第二志望くらい', 'no'],
    ['first_choice', '第一志望ではないです', 'no'],
    ['first_choice', 'not my first choice', 'no'],
    ['first_choice', '迷ってます', 'undecided'],
    ['other_status', '受けてないです', 'none'],
    ['other_status', '他社から内定もらってます', 'offer_elsewhere'],
    ['other_status', 'ほかにも選考中です', 'in_selection'],
    ['meeting_date', 'まだ返事してない', 'not_replied'],
    ['meeting_date', '返信まだです', 'not_replied'],
    ['meeting_mode', 'Teamsで', 'online'],
    ['meeting_mode', 'ＺＯＯＭです', 'online'],
    ['meeting_mode', '会社に行きます', 'in_person'],
  ])('%s: %j is %s', (question, text, value) => {
    expect(matchAnswer(text, choicesOf(question))).toBe(value);
  });

  it.each([
    ['offer_notified', '面談って内定ってことですか？'],
    ['contact_from', 'よろしくお願いします'],
    ['meeting_mode', 'y'.repeat(300)],
    ['purpose', ''],
  ])('%s: %j answers nothing', (question, text) => {
    expect(matchAnswer(text, choicesOf(question))).toBeUndefined();
  });

  it('a single letter answers only as the whole message', () => {
    expect(matchAnswer('y', choicesOf('offer_notified'))).toBe('yes');
    expect(matchAnswer('any', choicesOf('offer_notified'))).toBeUndefined();
  });

  it('two choices found equally is no answer (the bot asks again)', () => {
    expect(matchAnswer('オンラインか対面', choicesOf('meeting_mode'))).toBeUndefined();
  });

  it('folds width, case, katakana and negative endings', () => {
    expect(foldAnswer('ＴＥＡＭＳ')).toBe('teams');
    expect(foldAnswer('リクルーター')).toBe('りくるーたー');
    expect(foldAnswer('受けてません')).toBe('受けていない');
  });
});

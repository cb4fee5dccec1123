/**
 * The words invitations use, after width and case folding (see docs for where they come
 * from: the domain guide's "How invitations are worded"). Latin keywords match whole
 * words only. Order inside a list does not matter; the longest keyword at a position wins
 * where that matters (人事部長 is HR, not a department head).
 */

/** Words that ask for or announce a meeting. */
export const MEETING = [
  '面談', 'お話し', 'お話を', 'お話できれば', '話しません', '話そう', '話せない', '話したい', 'お会い', '会えない', '会いません',
  'お時間をいただ', 'お時間を頂戴', '時間をいただ', '機会をいただ', '機会を頂戴', '場を設け', 'お越しください', 'お越しいただくこと',
  '来てほしい', '来てください', '来ませんか', '見に来', 'ご来社ください', 'ご来社いただ', 'ランチ', 'お茶', 'お食事', 'meeting', 'meet you', 'meet with you', 'chat', 'call', 'conversation', 'talk', 'lunch', 'coffee',
];
/** Words that make a meeting word a request or an arrangement, not a topic. */
export const ARRANGEMENT = [
  '日時', '日程', '候補', 'ご都合', '実施', 'したい', 'したく', 'いただけ', 'いただきたく', 'できれば', 'ませんか', 'ないか', '案内',
  '予定', '打診', '依頼', '連絡', 'ことになり', 'ことになった', 'お待ちして', 'でしょうか', 'いかが', 'させていただければ', 'ほしい',
  'would like', "we'd like", 'could you', 'are you available', 'are you free', 'how about', 'work for you', 'schedule',
  'would you', 'does', 'could do', 'invite', 'set up',
];
/** A rejection; a sentence with one is not an invitation. */
export const REJECTION = [
  '見送', '残念ながら', '残念では', 'ご縁がなかった', 'ご期待に沿えず', 'ご期待に沿えない', '不採用', 'お祈り',
  'unfortunately', 'not to move forward', 'not be moving forward', 'regret to', 'other candidates',
];
/** A mail that only says when results will come. */
export const RESULTS_NOTICE = ['結果につきましては', '結果は', '結果を', 'ご連絡いたします', 'results will', 'the outcome', 'share the outcome'];
/** Mail that is not about one candidate's meeting. */
export const NOT_PERSONAL = ['メールマガジン', '配信停止', '説明会', '座談会', 'セミナー', '休業', 'newsletter', 'unsubscribe'];

/** An offer stated ("内定をお出しすることが決定", an offer letter enclosed). */
export const OFFER_STATED = [
  '内定をお出し', '内定を出', '内定のご連絡', '内定の連絡', '内々定のご連絡', '内定です', '内定が出', '内定が決', '内定となり', '内定通知書',
  '労働条件通知書', 'オファーレター', '採用させていただく', '採用が決定', '採用決定', '採用することが決', '採用となり',
  'pleased to offer', 'extend you an offer', 'offer you the position', 'like to offer you', 'offer letter', 'been selected for',
];
/** An offer stated is undone by what follows it within a few characters ("内定のご連絡の前に"). */
export const OFFER_NOT_YET = ['前に', 'の前', 'ではな', 'ではありません', 'はまだ'];
/** Hints of an offer that do not state one. */
export const OFFER_HINTED = ['前向き', '一緒に働きたい', '高く評価', '良い評価', 'very impressed', 'strong candidate', 'love to move forward', 'like to move forward'];
/** ぜひ counts as a hint only when about joining ("ぜひ弊社にご入社いただきたい"). */
export const OFFER_HINT_AFTER_ZEHI = ['入社', '一緒', '一員', '迎え', '働'];

export type Contact = 'hr' | 'recruiter' | 'department' | 'executive' | 'agency';

export const AGENCY = ['エージェント', 'キャリアアドバイザー', '紹介会社', '人材紹介', 'consultant', 'recruitment agency', 'agent'];
export const ROLES: readonly [string, Contact][] = [
  ['人事部長', 'hr'], ['人事課長', 'hr'], ['人事', 'hr'], ['採用担当', 'hr'], ['採用チーム', 'hr'], ['採用グループ', 'hr'], ['採用課', 'hr'],
  ['talent acquisition', 'hr'], ['talent', 'hr'], ['hr', 'hr'], ['human resources', 'hr'], ['people team', 'hr'], ['recruiting', 'hr'], ['recruiter', 'hr'],
  ['hiring team', 'hr'],
  ['リクルーター', 'recruiter'], ['先輩', 'recruiter'],
  ['代表取締役', 'executive'], ['取締役', 'executive'], ['社長', 'executive'], ['役員', 'executive'], ['常務', 'executive'], ['専務', 'executive'],
  ['ceo', 'executive'], ['coo', 'executive'], ['cto', 'executive'], ['vp of', 'executive'], ['vice president', 'executive'],
  ['本部長', 'department'], ['部長', 'department'], ['課長', 'department'], ['マネージャー', 'department'], ['配属予定', 'department'],
  ['配属部署', 'department'], ['現場', 'department'], ['hiring manager', 'department'], ['engineering manager', 'department'],
  ['team lead', 'department'],
];
/** After a role: it is who writes ("人事部の佐藤です") or who sent it ("人事から連絡"). */
export const SELF_INTRODUCTION = ['です', 'と申します', 'でございます', 'をしています', 'として'];
export const SENT_FROM = ['から', 'より', 'の方から'];

export type Purpose = 'conditions' | 'intent' | 'other_companies' | 'status_feedback';
/** First listed, first chosen when a mail names several purposes. */
export const PURPOSES: readonly [Purpose, readonly string[]][] = [
  ['conditions', ['オファー面談', '条件面談', '処遇面談', '労働条件', '条件面', '条件のすり合わせ', '諸条件', '給与', '待遇', '雇用条件', '条件の説明', '条件を説明',
    'terms', 'compensation', 'salary', 'start date']],
  ['status_feedback', ['選考状況のご共有', '選考状況の共有', '選考結果について', '選考結果をお伝え', 'フィードバック', '今後の選考について',
    'feedback', 'update on the status', 'where things stand', 'status of your application']],
  ['intent', ['意思確認', '意思を確認', 'ご意思', '意向', '志望度', '入社意思', 'お気持ち', '第一志望かどうか', '実現したいこと',
    'interest in', 'feeling about', 'thinking about the role', 'intention']],
  ['other_companies', ['他社', '就職活動の状況', '転職活動の状況', '活動状況', 'other companies', 'other processes', 'other offers']],
];
/** "in terms of" is not about terms of employment. */
export const PURPOSE_FALSE_FRIENDS = ['in terms of'];

export const ONLINE = [
  'zoom', 'teams', 'google meet', 'meet link', 'webex', 'オンライン', 'web会議', 'web面談', 'ビデオ通話', 'video call', 'video',
  'お電話で', '電話面談', '電話でお話', 'phone call', 'by phone', 'call',
];
export const IN_PERSON = [
  '本社', 'オフィス', 'office', 'ご来社', '来社', '受付', 'お越しください', 'お越しいただくこと', '会議室', '役員室', 'カフェ', 'ランチ',
  'お店', '会社近く', '会社の近く', 'in person', 'onsite', 'on-site', '来てほしい',
];

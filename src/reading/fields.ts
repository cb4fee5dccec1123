/**
 * What an invitation says besides its dates: whether it invites at all, whether it states
 * an offer, who sends it, what for, and online or in person. Keyword rules over the
 * prepared text; each returns null where the text does not say.
 */
import {
  AGENCY,
  ARRANGEMENT,
  IN_PERSON,
  MEETING,
  NOT_PERSONAL,
  OFFER_HINT_AFTER_ZEHI,
  OFFER_HINTED,
  OFFER_NOT_YET,
  OFFER_STATED,
  ONLINE,
  PURPOSE_FALSE_FRIENDS,
  PURPOSES,
  REJECTION,
  RESULTS_NOTICE,
  ROLES,
  SELF_INTRODUCTION,
  SENT_FROM,
  type Contact,
  type Purpose,
} from './lexicon.ts';
import { containsAny, occurrences, type Prepared } from './text.ts';

/** Sentences: split on line ends and 。!? so that "A社は見送り。B社は面談" is two. */
function sentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (i === text.length || ch === '\n' || ch === '。' || ch === '!' || ch === '?') {
      if (i > start) out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

/**
 * An invitation has a sentence with a meeting word and no rejection, and somewhere an
 * arrangement (a date, a request); a newsletter or an event notice is never one.
 */
export function readIsInvite(p: Prepared, hasSlot: boolean): boolean {
  const body = p.text.slice(0, p.signatureAt);
  if (containsAny(body, NOT_PERSONAL)) return false;
  const meetingSentence = sentences(body).some((s) => containsAny(s, MEETING) && !containsAny(s, REJECTION));
  if (!meetingSentence) return false;
  return hasSlot || containsAny(body, ARRANGEMENT);
}

/** A rejection, a results notice or a mass mail: pasted, it gets a kind word instead of a card. */
export function readIsNotice(p: Prepared): boolean {
  const body = p.text.slice(0, p.signatureAt);
  if (containsAny(body, REJECTION) || containsAny(body, NOT_PERSONAL)) return true;
  return containsAny(body, RESULTS_NOTICE);
}

export function readOffer(p: Prepared): 'yes' | 'no' | 'unsure' {
  const { text } = p;
  for (const phrase of OFFER_STATED) {
    for (const at of occurrences(text, phrase)) {
      const after = text.slice(at + phrase.length, at + phrase.length + 4);
      if (!OFFER_NOT_YET.some((w) => after.includes(w))) return 'yes';
    }
  }
  if (containsAny(text, OFFER_HINTED)) return 'unsure';
  for (const at of occurrences(text, 'ぜひ')) {
    if (containsAny(text.slice(at, at + 14), OFFER_HINT_AFTER_ZEHI)) return 'unsure';
  }
  return 'no';
}

/**
 * An agency relaying the request wins. Otherwise each role word scores: 3 when it is
 * who writes or sends ("人事部の佐藤です", "人事から連絡"), 2 in the signature, 1 when only
 * mentioned ("社長も同席"); the highest total is the sender.
 */
export function readContact(p: Prepared): Contact | null {
  const { text, signatureAt } = p;
  if (containsAny(text, AGENCY)) return 'agency';
  const scores = new Map<Contact, number>();
  // Longest words first, and each character counted once, so "人事部長" claims its place
  // before "部長" can.
  const claimed = new Uint8Array(text.length);
  const roles = [...ROLES].sort((a, b) => b[0].length - a[0].length);
  for (const [word, contact] of roles) {
    for (const at of occurrences(text, word)) {
      if (claimed[at] || claimed[at + word.length - 1]) continue;
      claimed.fill(1, at, at + word.length);
      const after = text.slice(at + word.length, at + word.length + 16);
      let score = 1;
      if (at >= signatureAt) score = 2;
      const intro = SELF_INTRODUCTION.some((w) => after.slice(0, 12).includes(w));
      const sent = SENT_FROM.some((w) => {
        const k = after.indexOf(w);
        return k >= 0 && k <= 4 && after[k + w.length] !== 'も';
      });
      if (intro || sent) score = 3;
      scores.set(contact, (scores.get(contact) ?? 0) + score);
    }
  }
  let best: Contact | null = null;
  let bestScore = 0;
  for (const [contact, score] of scores) {
    if (score > bestScore) {
      best = contact;
      bestScore = score;
    }
  }
  return best;
}

export function readPurpose(p: Prepared): Purpose | 'none' {
  let body = p.text.slice(0, p.signatureAt);
  for (const phrase of PURPOSE_FALSE_FRIENDS) body = body.replaceAll(phrase, ' ');
  for (const [purpose, words] of PURPOSES) {
    if (purpose === 'status_feedback') {
      // "他社様の選考状況" asks about other companies, not this one's status.
      const own = words.some((w) => occurrences(body, w).some((at) => !body.slice(Math.max(0, at - 6), at).includes('他社')));
      if (own) return purpose;
      continue;
    }
    if (containsAny(body, words)) return purpose;
  }
  return 'none';
}

export function readMode(p: Prepared): 'online' | 'in_person' | null {
  const body = p.text.slice(0, p.signatureAt);
  const online = containsAny(body, ONLINE);
  const inPerson = containsAny(body, IN_PERSON);
  // Both named: the candidate is offered a choice, or the text is unclear; ask.
  if (online === inPerson) return null;
  return online ? 'online' : 'in_person';
}

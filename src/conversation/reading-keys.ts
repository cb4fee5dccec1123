/** Locale keys used by reading what people send (locales/ja/reading.yaml and its English twin), for content validation. */
export const READING_LOCALE_KEYS: readonly string[] = [
  ...['question', 'invite', 'greeting', 'other'].map((k) => `reading.first.${k}`),
  ...['contact', 'purpose', 'offer.yes', 'offer.no', 'offer.unsure', 'slots', 'weekday_check', 'reply_by', 'separator', 'ask', 'nothing'].map(
    (k) => `reading.invite.card.${k}`,
  ),
  ...['contact_from', 'purpose', 'offer_notified', 'meeting_mode', 'meeting_date'].map((q) => `reading.invite.fix.${q}`),
  ...['confirm', 'fixed', 'which_slot', 'undecided', 'weekday_mismatch', 'notice'].map((k) => `reading.invite.${k}`),
  ...['choice', 'date', 'item', 'separator'].map((k) => `reading.expected.${k}`),
  'reading.tip_instead',
  'reading.date_weekday',
];

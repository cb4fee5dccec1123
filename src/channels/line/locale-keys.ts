/** Locale keys the LINE channel uses by name (validated at startup like the flow's). */
export const LINE_LOCALE_KEYS: readonly string[] = [
  'line.group_notice',
  'line.pick_datetime',
  // Referenced from flows/line-richmenu.yaml; test/line-richmenu.test.ts checks the two agree.
  'line.richmenu.chat_bar',
  ...['diagnose', 'tips', 'reminders', 'advisor', 'settings'].flatMap((area) => [`line.richmenu.${area}.label`, `line.richmenu.${area}.text`]),
];

/** Locale keys the LINE channel uses by name (validated at startup like the flow's). */
export const LINE_LOCALE_KEYS: readonly string[] = [];

/** Locale keys the Slack channel uses by name (validated at startup like the flow's). */
export const SLACK_LOCALE_KEYS: readonly string[] = [];

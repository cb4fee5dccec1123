/** Publishes a person's App Home from what the store knows about them. */
import type { Content } from '../../conversation/content.ts';
import type { Store } from '../../store/types.ts';
import type { SlackApi } from './api.ts';
import { homeView } from './home.ts';
import { translator } from './texts.ts';
import { slackUser, type SlackUsers } from './users.ts';

export class HomeTab {
  private readonly deps: { api: SlackApi; users: SlackUsers; store: Store; content: Content; clock: () => Date; advisor?: boolean };

  constructor(deps: { api: SlackApi; users: SlackUsers; store: Store; content: Content; clock: () => Date; advisor?: boolean }) {
    this.deps = deps;
  }

  async publish(userId: string): Promise<void> {
    const { api, users, store, content, clock } = this.deps;
    const { locale, timeZone, record } = await users.preferences(userId);
    // The reminder plan lives in the session; the user record only mirrors the meeting.
    const session = await store.sessions.get(slackUser(userId));
    const view = homeView(
      {
        locale,
        timeZone,
        ...(record?.verdict ? { verdict: record.verdict } : {}),
        ...(record?.meetingAt ? { meetingAt: record.meetingAt } : {}),
        optedOut: record?.optedOut ?? false,
        reminders: session?.value.reminders ?? [],
        tipIds: content.tips.map((tip) => tip.id),
        now: clock(),
        advisor: this.deps.advisor ?? false,
      },
      translator(content.catalog, locale),
    );
    await api.publishHome(userId, view);
  }
}

/** The fake LINE and Slack APIs (test/support/fake-platforms.ts) in a process of their own, counting calls only. */
import { startFakePlatforms } from '../../test/support/fake-platforms.ts';
import { announce } from './child.ts';

const fake = await startFakePlatforms({ record: false });
process.on('message', (message) => {
  if (message === 'counts') process.send?.({ counts: Object.fromEntries(fake.counts) });
});
announce(fake.lineBaseUrl, () => fake.close());

/** `npm run chat` as a person uses it: typed lines in, text out, a real process. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/conversation/content.ts';
import { freePort } from './support/redis-server.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('chat');
afterAll(() => deletePrefix(prefix));

function chat(lines: string[], args: string[] = [], env: Record<string, string> = {}): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'src/cli/chat.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ out, code }));
    // Feed one line at a time so each answer meets the question it belongs to.
    let i = 0;
    const feed = () => {
      if (i < lines.length) {
        child.stdin.write(`${lines[i++]}\n`);
        setTimeout(feed, 60);
      } else child.stdin.end();
    };
    setTimeout(feed, 300);
  });
}

describe('npm run chat', () => {
  it('runs a whole diagnosis in memory, in English, by numbers and words', async () => {
    const { out, code } = await chat(['2', 'recruiter', '5', '1', '3', '1', 'online'], ['--lang', 'en']);
    expect(code).toBe(0);
    expect(out).toContain('has the company already told you');
    expect(out).toContain('arranged by a recruiter');
    expect(out).toContain('What would you like to do next?');
  });

  it('keeps the conversation in Redis and resumes it after a restart', async () => {
    const env = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix };
    const first = await chat(['1', '2'], ['--user', 'resume-test'], env);
    expect(first.code).toBe(0);
    expect(first.out).toContain('その会社は、あなたにとって第一志望ですか？');
    const second = await chat([], ['--user', 'resume-test'], env);
    expect(second.out).toContain('おかえりなさい');
    expect(second.out).toContain('その会社は、あなたにとって第一志望ですか？');
    expect(second.out).not.toContain('まず確認させてください');
  });

  it('says that reminders are sent by a worker, not by the terminal chat', async () => {
    // A date three days ahead, written as a person would, in the default time zone.
    const day = new Date(Date.now() + 3 * 86_400_000).toLocaleDateString('en-US', { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric' });
    const { out, code } = await chat(['2', 'recruiter', '5', '1', '3', `${day} 14:00`, 'online', 'reminders'], ['--lang', 'en']);
    expect(code).toBe(0);
    const note = 'npm run chat sends no reminders: a running worker does';
    // Once when the date plans them, once under the list.
    expect(out.split(note)).toHaveLength(3);
    expect(out.indexOf(note, out.indexOf('Upcoming reminders:'))).toBeGreaterThan(0);
  });

  it('starts the next conversation in the chosen language after the data is deleted', async () => {
    const { out, code } = await chat(['English', 'delete my data', '1', 'hello']);
    expect(code).toBe(0);
    const afterDeletion = out.slice(out.indexOf('All your data has been deleted'));
    expect(afterDeletion).toContain('has the company already told you');
    expect(afterDeletion).not.toContain('その会社から');
  });

  it('with Redis down says so in one line, without a stack trace', async () => {
    const port = await freePort();
    const { out, code } = await chat([], ['--redis'], { REDIS_URL: `redis://:pw-not-shown@127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toEqual([
      `Redis did not answer at 127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}). Start redis-server, or leave out --redis and REDIS_URL to chat in memory.`,
    ]);
  });

  it('refuses an unknown language with a clear message', async () => {
    const { out, code } = await chat([], ['--lang', 'fr']);
    expect(code).toBe(1);
    expect(out).toContain('--lang must be one of ja, en');
  });
});

/**
 * Times on the staff page are the deployment's (DEFAULT_TIME_ZONE, from /api/admin/me), not
 * the browser's: an advisor abroad schedules "10:00" for the users in Japan. A
 * datetime-local input holds a wall time without a zone; these turn it into an instant in
 * the deployment's zone and back, with Intl only.
 */

/** The wall-clock fields of an instant in a time zone. */
function wallParts(ms, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(ms, timeZone) {
  const p = wallParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** "2026-12-03T10:00" read as a wall time in `timeZone` → ISO instant, or null. */
export function wallTimeToIso(value, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // The offset at the guess, then at the corrected instant: right across DST changes too.
  const first = asUtc - offsetAt(asUtc, timeZone);
  return new Date(asUtc - offsetAt(first, timeZone)).toISOString();
}

/** An instant as a datetime-local value ("2026-12-03T10:00") in `timeZone`. */
export function isoToWallTime(ms, timeZone) {
  const p = wallParts(ms, timeZone);
  const pad = (n) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

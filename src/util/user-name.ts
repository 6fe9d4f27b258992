import { readFileSync } from 'node:fs';

/** `nobody (uid 65534)`; just `uid N` when /etc/passwd does not name it. */
export function describeUid(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , id] = line.split(':');
      if (id === String(uid) && user) return `${user} (uid ${uid})`;
    }
  } catch {
    // no passwd file: the uid alone
  }
  return `uid ${uid}`;
}

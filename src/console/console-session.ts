/**
 * Browser sessions of the staff console and the 1177 simulator. Staff sign
 * in with the admin token (for now the only staff credential); the session
 * id travels in a `Secure; HttpOnly; SameSite=Strict` cookie, so no script
 * can read it and no other site's page can send it. Every form carries the
 * session's CSRF token as well (synchronizer token), which a cross-site page
 * cannot know.
 *
 * Sessions live in this process's memory: a restart signs everyone out,
 * which is acceptable for a staff tool and keeps tokens off the disk.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ConsoleSession {
  readonly id: string;
  /** Put in every form as `_csrf`; compared on every POST. */
  readonly csrfToken: string;
  readonly createdAtUtcMs: number;
  lastSeenUtcMs: number;
}

export interface ConsoleSessionOptions {
  /** Sign-out after this long without a request (ms); 30 minutes by default. */
  readonly idleMs?: number;
  /** Sign-out after this long in all (ms); 10 hours (a working day) by default. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/** The cookie that holds the session id. */
export const SESSION_COOKIE = 'tidbok_console';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares two secrets in constant time (through their hashes, so lengths do not leak). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export class ConsoleSessions {
  readonly #sessions = new Map<string, ConsoleSession>();
  readonly #idleMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: ConsoleSessionOptions = {}) {
    this.#idleMs = options.idleMs ?? 30 * 60_000;
    this.#maxAgeMs = options.maxAgeMs ?? 10 * 3600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Opens a session (after the token was checked). */
  open(): ConsoleSession {
    this.#sweep();
    const now = this.#now();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      csrfToken: randomBytes(32).toString('base64url'),
      createdAtUtcMs: now,
      lastSeenUtcMs: now,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, touched; undefined when unknown or expired. */
  find(id: string | undefined): ConsoleSession | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#now();
    if (
      now - session.lastSeenUtcMs > this.#idleMs ||
      now - session.createdAtUtcMs > this.#maxAgeMs
    ) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenUtcMs = now;
    return session;
  }

  close(id: string): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, s] of this.#sessions)
      if (now - s.lastSeenUtcMs > this.#idleMs || now - s.createdAtUtcMs > this.#maxAgeMs)
        this.#sessions.delete(id);
  }
}

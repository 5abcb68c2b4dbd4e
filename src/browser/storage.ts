import type * as z from 'zod';

/**
 * The one way the site keeps things in the browser (no account): JSON values in localStorage,
 * each under a key that names its format version, each validated on the way in. Storage that is
 * disabled, full or holding a value of an older or corrupt shape never breaks a page: reads fall
 * back, writes are dropped. Nothing here touches `window` until called, so the static build can
 * import it.
 */

/** `ssh-lab:<name>:v<version>`: a new format gets a new key, and an old value is simply not read. */
export function versionedKey(name: string, version: number): string {
  return `ssh-lab:${name}:v${version}`;
}

/** The key of every value the site stores: one table, so no two features collide. */
export const storageKeys = {
  /** The open session of a lab (`{ id, token }`). Unversioned since its first release; the end-to-end tests read it. */
  labSession: (labId: string) => `ssh-lab:session:${labId}`,
  /** Steps passed per lab. Unversioned since its first release; its schema drops values of another shape. */
  labProgress: 'ssh-lab:progress',
  interviewProgress: versionedKey('interview-progress', 1),
  /** A lab's open session played as a challenge: apart from the guided lab's, so a challenge starts on a fresh environment. */
  challengeSession: (labId: string) => versionedKey(`challenge-session:${labId}`, 1),
  /** Challenges under way: the session, when Start was pressed, hints revealed. */
  challengeAttempts: versionedKey('challenge-attempts', 1),
  /** The best result per solved challenge. */
  challengeResults: versionedKey('challenge-results', 1),
} as const;

/** The part of the Web Storage API used here: a fake of it is enough for tests. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Same-tab change notifications (the browser's `storage` event only reaches other tabs). */
const changeEvent = 'ssh-lab:storage';

function browserStorage(): KeyValueStorage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined; // storage disabled by the browser or its settings
  }
}

export interface StoredValue<T> {
  readonly key: string;
  /** The stored value, or the fallback. The same object while the stored text is unchanged (a stable snapshot for `useSyncExternalStore`). */
  read(): T;
  /** Stores a value (`undefined` removes it); false when the browser would not keep it. */
  write(value: T | undefined): boolean;
  /** Calls `listener` when this value changes in this tab or another; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export interface StoredValueOptions<T> {
  key: string;
  schema: z.ZodType<T>;
  fallback: T;
  /** Where to keep it; the browser's localStorage by default. */
  storage?: () => KeyValueStorage | undefined;
}

export function storedValue<T>({ key, schema, fallback, storage = browserStorage }: StoredValueOptions<T>): StoredValue<T> {
  let cache: { raw: string | null; value: T } | undefined;

  const read = (): T => {
    let raw: string | null;
    try {
      raw = storage()?.getItem(key) ?? null;
    } catch {
      return fallback;
    }
    if (cache && cache.raw === raw) return cache.value;
    let value = fallback;
    if (raw !== null) {
      try {
        const parsed = schema.safeParse(JSON.parse(raw));
        if (parsed.success) value = parsed.data;
      } catch {
        // Corrupt JSON: start afresh rather than break the page.
      }
    }
    cache = { raw, value };
    return value;
  };

  const write = (value: T | undefined): boolean => {
    cache = undefined;
    let kept = false;
    try {
      const store = storage();
      if (store) {
        if (value === undefined) store.removeItem(key);
        else store.setItem(key, JSON.stringify(value));
        kept = true;
      }
    } catch {
      // Private mode or full storage: the page still works, it just forgets.
    }
    if (typeof window !== 'undefined') window.dispatchEvent(new CustomEvent<string>(changeEvent, { detail: key }));
    return kept;
  };

  const subscribe = (listener: () => void): (() => void) => {
    if (typeof window === 'undefined') return () => undefined;
    const onLocal = (event: Event) => {
      if ((event as CustomEvent<string>).detail === key) listener();
    };
    const onOtherTab = (event: StorageEvent) => {
      if (event.key === null || event.key === key) {
        cache = undefined;
        listener();
      }
    };
    window.addEventListener(changeEvent, onLocal);
    window.addEventListener('storage', onOtherTab);
    return () => {
      window.removeEventListener(changeEvent, onLocal);
      window.removeEventListener('storage', onOtherTab);
    };
  };

  return { key, read, write, subscribe };
}

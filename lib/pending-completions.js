'use strict';
// Completions that the store could not record although the event's handlers
// had already returned (docs/stores.md, "When the store fails").
//
// Without this, one failed `complete` after a successful run leaves the record
// `processing`: the next delivery gets 409 until the lease runs out, then runs
// the handlers again. So the handler first retries the store call within the
// request (STORE_RETRY_DELAYS_MS); if the store still refuses, it keeps the
// fencing token here, answers 500, and
// - the next delivery of that event to this process finishes the completion
//   (answering `duplicate`) instead of claiming, so the handlers do not run again;
// - a background retry keeps trying until the lease would have run out, so the
//   completion lands even if Stripe's retry reaches another instance later.
// The store accepts a token whose lease ran out as long as no other claim took
// the event over, so a late completion is still a valid one.
//
// What is left (stated in docs/stores.md): if the store stays unreachable
// until the lease ends *and* this process exits or another instance takes the
// event over first, the handlers run again.

// In-request retries of a failing store call, then the background ones.
const STORE_RETRY_DELAYS_MS = [25, 100, 400];
const BACKGROUND_RETRY_MS = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `call` until it resolves, retrying after each delay; rejects with the last error. */
async function withStoreRetries(call, delays = STORE_RETRY_DELAYS_MS) {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= delays.length) throw err;
      await sleep(delays[i]);
    }
  }
}

class PendingCompletions {
  #entries = new Map(); // eventId -> { finish, deadline, timer }
  #onSettled;

  /** @param {(eventId: string, outcome: 'completed' | 'lost' | 'expired', err?: unknown) => void} onSettled */
  constructor(onSettled) {
    this.#onSettled = onSettled;
  }

  get size() {
    return this.#entries.size;
  }

  /**
   * Remembers an unfinished completion. `finish()` records it in the store and
   * resolves true (recorded) or false (the token lost the event to another claim).
   */
  add(eventId, finish, leaseMs) {
    this.#clear(eventId);
    const entry = { finish, deadline: Date.now() + leaseMs, timer: null };
    this.#entries.set(eventId, entry);
    this.#schedule(eventId, entry);
  }

  has(eventId) {
    return this.#entries.has(eventId);
  }

  /**
   * Tries the pending completion of `eventId` now (a new delivery of it arrived):
   * 'completed', 'lost' (another claim owns it: proceed as a new delivery), or
   * rejects with the store's error (the completion stays pending).
   */
  async settle(eventId) {
    const entry = this.#entries.get(eventId);
    if (!entry) return 'lost';
    const recorded = await entry.finish();
    if (this.#entries.get(eventId) === entry) this.#clear(eventId);
    return recorded ? 'completed' : 'lost';
  }

  /** Stops the background retries (the handler is closing); what is pending stays unrecorded. */
  clear() {
    for (const eventId of [...this.#entries.keys()]) this.#clear(eventId);
  }

  #clear(eventId) {
    const entry = this.#entries.get(eventId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.#entries.delete(eventId);
  }

  #schedule(eventId, entry) {
    entry.timer = setTimeout(async () => {
      entry.timer = null;
      if (this.#entries.get(eventId) !== entry) return;
      try {
        const recorded = await entry.finish();
        if (this.#entries.get(eventId) !== entry) return;
        this.#clear(eventId);
        this.#onSettled(eventId, recorded ? 'completed' : 'lost');
      } catch (err) {
        if (this.#entries.get(eventId) !== entry) return;
        if (Date.now() >= entry.deadline) {
          this.#clear(eventId);
          this.#onSettled(eventId, 'expired', err);
        } else {
          this.#schedule(eventId, entry);
        }
      }
    }, BACKGROUND_RETRY_MS);
    // A pending completion must not keep a process alive that has nothing else to do.
    if (typeof entry.timer === 'object' && typeof entry.timer.unref === 'function') entry.timer.unref();
  }
}

module.exports = { PendingCompletions, withStoreRetries, STORE_RETRY_DELAYS_MS };

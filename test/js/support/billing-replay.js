'use strict';
// Replaying event sequences through the billing projection: in one order, in
// every order (sharing prefixes), and in seeded random orders with duplicates.
const { applyEvent } = require('../../../lib/billing');

const NOW = 1_800_000_000_000; // every replay's clock: records from different orders compare equal

/** Fold events in the given order; the record, the state and each step's `changed`. */
function replay(events, options = {}) {
  let record = null;
  let state = null;
  const changes = [];
  for (const event of events) {
    const out = applyEvent(record, event, { now: NOW, ...options });
    record = out.record;
    state = out.state;
    changes.push(out.changed);
  }
  return { record, state, changes };
}

/**
 * Replay every order of `events`, sharing prefixes (a depth-first walk of the
 * tree of orders: each prefix is applied once), calling
 * `leaf(order, { record, state })` for each complete order.
 */
function replayEveryOrder(events, options, leaf) {
  const order = [];
  const used = new Array(events.length).fill(false);
  const walk = (record, state) => {
    if (order.length === events.length) {
      leaf(order.slice(), { record, state });
      return;
    }
    for (let i = 0; i < events.length; i += 1) {
      if (used[i]) continue;
      used[i] = true;
      order.push(events[i]);
      const out = applyEvent(record, events[i], { now: NOW, ...options });
      walk(out.record, out.state);
      order.pop();
      used[i] = false;
    }
  };
  walk(null, null);
}

/** A random order of `items` with about `duplicates` × length extra copies of random items (Fisher–Yates). */
function shuffledWithDuplicates(items, rng, duplicates = 0) {
  const a = items.slice();
  const extra = Math.round(items.length * duplicates * rng.next());
  for (let k = 0; k < extra; k += 1) a.push(rng.pick(items));
  for (let i = a.length - 1; i > 0; i -= 1) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The record as text: records are canonical (sorted maps), so equal states give equal text. */
const recordText = (record) => JSON.stringify(record);

/** A short description of an order, for failure messages. */
const describeOrder = (events) => events.map((e) => `${e.type}@${e.created}${e.id ? `#${e.id.slice(-4)}` : ''}`).join(', ');

module.exports = { NOW, replay, replayEveryOrder, shuffledWithDuplicates, recordText, describeOrder };

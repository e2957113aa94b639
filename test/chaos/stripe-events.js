'use strict';
// What the simulated Stripe sends and when it tries again, shared by the
// process-level crash test (stripe.js) and the Convex one (convex.js).

// Stripe's live-mode retry schedule, as delays after the first attempt:
// about 5 minutes, 30 minutes, 2, 4, 8, 16 hours, then daily to 72 hours.
const SCHEDULE_HOURS = [5 / 60, 0.5, 2, 4, 8, 16, 24, 48, 72];
const DAILY_HOURS = 24;

/** The wait before the next attempt, `attempt` attempts made so far (>= 1), one hour = hourMs, ±10 %. */
function retryDelayMs(attempt, hourMs) {
  const at = (i) => (i < SCHEDULE_HOURS.length ? SCHEDULE_HOURS[i] : SCHEDULE_HOURS.at(-1) + DAILY_HOURS * (i - SCHEDULE_HOURS.length + 1));
  const hours = at(attempt - 1) - (attempt >= 2 ? at(attempt - 2) : 0);
  return hours * hourMs * (0.9 + 0.2 * Math.random());
}

const TYPES = ['invoice.paid', 'customer.subscription.updated', 'checkout.session.completed', 'charge.succeeded'];

const eventId = (runTag, i) => `evt_chaos_${runTag}_${i}`;

/** The i-th event of a run, as the JSON text Stripe signs. */
function eventBody(runTag, i) {
  const type = TYPES[i % TYPES.length];
  return JSON.stringify({
    id: eventId(runTag, i),
    object: 'event',
    api_version: '2025-03-31.basil',
    created: 1_760_000_000 + i,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object: { id: `obj_chaos_${i % 97}`, object: type.split('.')[0], amount: 100 + i } },
  });
}

function shuffle(list) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * The deliveries of a run, in send order: every event once, shuffled; a share
 * `duplicateRate` of them twice, of which a share `concurrentShare` right
 * next to the first (so both start in the same tick; the first is given
 * `twin`) and the rest at a random later place. Each delivery is
 * { body, attempts: 0 }.
 */
function planDeliveries(runTag, events, { duplicateRate, concurrentShare }) {
  const groups = [];
  let duplicates = 0;
  let concurrent = 0;
  for (let i = 0; i < events; i++) {
    const body = eventBody(runTag, i);
    const group = [{ body, attempts: 0 }];
    if (Math.random() < duplicateRate) {
      const dup = { body, attempts: 0 };
      duplicates += 1;
      if (Math.random() < concurrentShare) {
        concurrent += 1;
        group[0].twin = dup;
        group.push(dup);
      } else {
        group.later = dup;
      }
    }
    groups.push(group);
  }
  shuffle(groups);
  const keyed = [];
  groups.forEach((group, at) => {
    for (const d of group) keyed.push({ d, key: at });
    if (group.later) keyed.push({ d: group.later, key: at + 0.5 + Math.random() * (groups.length - at) });
  });
  // A stable sort: twins (same key) stay adjacent.
  const order = keyed.sort((a, b) => a.key - b.key).map((k) => k.d);
  return { order, duplicates, concurrent };
}

module.exports = { retryDelayMs, eventBody, eventId, planDeliveries };

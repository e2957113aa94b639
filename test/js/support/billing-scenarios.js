'use strict';
// Billing lifecycles as deliveries to a webhook handler, for the tests that
// run the projection THROUGH the handler on every store
// (test/js/billing-handler.test.js). Each scenario is one customer of its own
// (ids rewritten with a tag, so many scenarios share one store), a list of
// delivery sequences (each delivered in order, the sequences at the same time)
// and the state the pure projection (lib/billing) reaches from the same events
// in chronological order: what every store must end with.
const { replay, shuffledWithDuplicates } = require('./billing-replay');
const { seededRandom } = require('./random');
const { T0, DAY, teller, renewalRecovered, trialConverts } = require('./billing-lifecycles');

/** The same events for another customer: its ids, its user, its event ids, tagged. */
function retag(events, tag) {
  return events.map((event) =>
    JSON.parse(
      JSON.stringify(event)
        .replaceAll('cus_TestLifecycle000001', `cus_${tag}`)
        .replaceAll('sub_TestLifecycle000001', `sub_${tag}`)
        .replaceAll('user_42', `user_${tag}`)
        .replaceAll('"evt_', `"evt_${tag}_`),
    ),
  );
}

/** Every permutation of `items` (small lists only). */
function permutations(items) {
  if (items.length <= 1) return [items.slice()];
  const out = [];
  items.forEach((item, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([item, ...rest]);
  });
  return out;
}

/** A state without the time it was computed at (the handler's clock is real). */
const comparable = (state) => (state === null ? null : { ...state, updatedAt: 0 });

function scenario(name, tag, events, sequences) {
  const tagged = retag(events, tag);
  const byId = new Map(tagged.map((e) => [e.id, e]));
  const pick = (e) => byId.get(`evt_${tag}_${e.id.slice(4)}`);
  return {
    name,
    customerId: `cus_${tag}`,
    userId: `user_${tag}`,
    sequences: sequences.map((seq) => seq.map(pick)),
    expected: comparable(replay(tagged).state),
  };
}

/** Same second: an update, the deletion and a late past_due of one subscription. */
function sameSecondCancel() {
  const { ev } = teller();
  const at = T0 + 5 * DAY;
  return [
    ev('customer.subscription.created', T0, { created: T0, status: 'active' }),
    ev('customer.subscription.updated', at, { created: T0, status: 'active', cancelAtPeriodEnd: true }),
    ev('customer.subscription.deleted', at, { created: T0, canceledAt: at }),
    ev('customer.subscription.updated', at, { created: T0, status: 'past_due' }),
  ];
}

/**
 * The scenarios, `scale` 'full' (every order of the short lifecycles) or
 * 'sample' (a seeded sample of them, for the slower backends).
 */
function billingScenarios({ scale = 'full', seed = 15 } = {}) {
  const rng = seededRandom(seed);
  const out = [];
  let n = 0;
  const tag = (label) => `${label}${String((n += 1)).padStart(4, '0')}`;

  const trial = trialConverts().events;
  const trialOrders = permutations(trial);
  const orders = scale === 'full' ? trialOrders : Array.from({ length: 12 }, () => rng.pick(trialOrders));
  for (const order of orders) out.push(scenario('trial converts (an order of 5 events)', tag('Trial'), trial, [order]));

  const cancel = sameSecondCancel();
  const cancelOrders = permutations(cancel);
  for (const order of scale === 'full' ? cancelOrders : cancelOrders.filter((_, i) => i % 4 === 0)) {
    out.push(scenario('same second: updated, deleted, a late past_due (an order)', tag('Cancel'), cancel, [order]));
  }

  const renewal = renewalRecovered().events;
  for (let i = 0; i < (scale === 'full' ? 24 : 8); i += 1) {
    out.push(scenario('renewal failed then recovered (random order, duplicates)', tag('Renew'), renewal, [shuffledWithDuplicates(renewal, rng, 0.5)]));
  }
  // Every event and a duplicate of each at the same time: concurrent deliveries
  // of one customer race on its document (compare-and-set conflicts) and on claims.
  for (let i = 0; i < (scale === 'full' ? 4 : 2); i += 1) {
    const all = shuffledWithDuplicates(renewal, rng, 0);
    out.push(scenario('renewal: every event and its duplicate at once', tag('Burst'), renewal, [...all.map((e) => [e]), ...all.map((e) => [e])]));
  }
  return out;
}

module.exports = { billingScenarios, retag, comparable, permutations, sameSecondCancel };

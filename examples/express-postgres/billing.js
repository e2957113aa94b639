// What each Stripe event changes. Every function takes `db`, the pg client of
// the transaction that also records the event as handled (webhooks.js), so a
// change, its activity row and the event's completion commit together.

// Subscription prices (their lookup keys) and the tier each one gives.
const TIERS = { premium_monthly: 'premium', team_monthly: 'team' };

/** Appends to the activity log. */
async function logActivity(db, userId, kind, detail, eventId) {
  await db.query('INSERT INTO activities (user_id, kind, detail, stripe_event_id) VALUES ($1, $2, $3, $4)', [userId, kind, detail, eventId]);
}

/**
 * checkout.session.completed: links the Stripe customer to our user
 * (client_reference_id, set when the app created the session); a paid one-time
 * checkout adds the credits the session was created for (metadata.credits).
 */
export async function checkoutCompleted(db, event) {
  const session = event.data.object;
  const userId = session.client_reference_id;
  if (!userId) throw new Error(`checkout session ${session.id} has no client_reference_id`);
  await db.query(
    `INSERT INTO accounts (user_id, stripe_customer_id) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET stripe_customer_id = coalesce(excluded.stripe_customer_id, accounts.stripe_customer_id)`,
    [userId, session.customer],
  );
  if (session.mode !== 'payment' || session.payment_status !== 'paid') return;
  const credits = Number(session.metadata?.credits);
  if (!Number.isSafeInteger(credits) || credits <= 0) throw new Error(`checkout session ${session.id} has no credits in its metadata`);
  await db.query('UPDATE accounts SET credits = credits + $2 WHERE user_id = $1', [userId, credits]);
  await logActivity(db, userId, 'credits_added', { credits, checkoutSessionId: session.id }, event.id);
}

/**
 * customer.subscription.created / updated / deleted: the subscription sets
 * the tier. Stripe does not deliver in order, so an event older than the one
 * the tier came from changes nothing.
 */
export async function subscriptionChanged(db, event) {
  const sub = event.data.object;
  const { rows } = await db.query('SELECT user_id, tier, tier_as_of FROM accounts WHERE stripe_customer_id = $1 FOR UPDATE', [sub.customer]);
  // Not linked yet (its checkout.session.completed is still on its way): fail, Stripe retries.
  if (rows.length === 0) throw new Error(`no account for Stripe customer ${sub.customer} yet`);
  const account = rows[0];
  if (account.tier_as_of !== null && Number(account.tier_as_of) > event.created) return;

  const entitled = sub.status === 'active' || sub.status === 'trialing';
  const lookupKey = sub.items.data[0]?.price.lookup_key;
  const tier = entitled ? TIERS[lookupKey] : 'free';
  if (tier === undefined) throw new Error(`subscription ${sub.id}: no tier for price ${lookupKey}`);
  await db.query(
    'UPDATE accounts SET tier = $2, subscription_id = $3, subscription_status = $4, tier_as_of = $5 WHERE user_id = $1',
    [account.user_id, tier, sub.id, sub.status, event.created],
  );
  if (tier !== account.tier) {
    await logActivity(db, account.user_id, 'tier_changed', { from: account.tier, to: tier, subscriptionId: sub.id, status: sub.status }, event.id);
  }
}

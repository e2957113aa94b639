// The membership page: who you are, your plan, and the buttons that go to Stripe.
import { currentUser } from '../lib/current-user';
import { membershipOf } from '../lib/membership';

export const dynamic = 'force-dynamic';

const date = (seconds) => (seconds ? new Date(seconds * 1000).toISOString().slice(0, 10) : '—');

export default async function Home() {
  const user = await currentUser();
  if (!user) {
    return (
      <form action="/api/sign-in" method="post">
        <h1>Sign in</h1>
        <input name="id" placeholder="user_123" required /> <input name="email" placeholder="you@example.com" />{' '}
        <button type="submit">Sign in</button>
      </form>
    );
  }
  const m = await membershipOf(user.id);
  return (
    <main>
      <h1>Hello {user.email ?? user.id}</h1>
      <p>
        Plan: <strong id="plan">{m.plan}</strong>
        {m.status ? ` (subscription ${m.status}, period ends ${date(m.currentPeriodEnd)})` : ''}
        {m.cancelAtPeriodEnd ? ' — cancels at the end of the period' : ''}
      </p>
      {m.plan === 'free' && (
        <form action="/api/stripe/checkout" method="post">
          <button type="submit">Go premium</button>
        </form>
      )}
      {m.customerId && (
        <form action="/api/stripe/portal" method="post">
          <button type="submit">Manage billing</button>
        </form>
      )}
      {m.hasAccess && !m.cancelAtPeriodEnd && (
        <form action="/api/stripe/cancel" method="post">
          <button type="submit">Cancel at period end</button>
        </form>
      )}
    </main>
  );
}

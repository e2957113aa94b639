// The Stripe API client. STRIPE_API_URL points it somewhere other than
// api.stripe.com (stripe-mock, or the test's local stand-in on 127.0.0.1).
import Stripe from 'stripe';

let client = null;
export function stripe() {
  if (client) return client;
  const options = {};
  if (process.env.STRIPE_API_URL) {
    const url = new URL(process.env.STRIPE_API_URL);
    Object.assign(options, { host: url.hostname, port: Number(url.port), protocol: url.protocol.replace(':', ''), telemetry: false });
  }
  client = new Stripe(process.env.STRIPE_SECRET_KEY, options);
  return client;
}

/** Where Stripe sends the user back: this app's own origin, as the browser reached it. */
export function appUrl(request, pathname) {
  return new URL(pathname, process.env.APP_URL || request.url).toString();
}

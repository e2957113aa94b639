// The users table follows Clerk: user.created, user.updated and user.deleted
// webhooks (Standard Webhooks, signed by Svix), through hookwise on the same
// store as Stripe's, so they are deduplicated by message id, retried,
// dead-lettered and shown on /admin/webhooks like Stripe's events. Each
// handler is also safe in any order: syncUser keeps the newest event per user.
import { createWebhookHandler } from 'hookwise';
import { syncUser } from './db';
import { store } from './store';

function primaryEmail(user) {
  return user.email_addresses?.find((e) => e.id === user.primary_email_address_id)?.email_address ?? null;
}

const fullName = (user) => [user.first_name, user.last_name].filter(Boolean).join(' ') || null;

// Clerk's event `timestamp` (ms) orders the events of one user.
const at = (event) => event.timestamp ?? event.data.updated_at ?? 0;
const upsert = async (event) => syncUser({ id: event.data.id, email: primaryEmail(event.data), name: fullName(event.data), at: at(event) });

const handlers = {
  'user.created': upsert,
  'user.updated': upsert,
  'user.deleted': async (event) => syncUser({ id: event.data.id, deleted: true, at: at(event) }),
};

/** The event types this handler takes (the log page's replay picks the handler by type). */
export const clerkEventTypes = Object.keys(handlers);

export const clerkWebhooks = createWebhookHandler({
  scheme: 'standard',
  secret: process.env.CLERK_WEBHOOK_SECRET, // whsec_... (Clerk Dashboard > Webhooks > Signing Secret)
  store,
  maxAttempts: 3,
  on: handlers,
});

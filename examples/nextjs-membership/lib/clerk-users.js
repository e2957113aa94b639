// The users table follows Clerk: user.created, user.updated and user.deleted
// webhooks (Standard Webhooks, signed by Svix). Each handler is safe to run
// again and in any order (lib/db.js syncUser keeps the newest).

function primaryEmail(user) {
  return user.email_addresses?.find((e) => e.id === user.primary_email_address_id)?.email_address ?? null;
}

const fullName = (user) => [user.first_name, user.last_name].filter(Boolean).join(' ') || null;

/** Handlers by Clerk event type; `sync` is lib/db.js's syncUser. */
export function clerkUserHandlers(sync) {
  // Clerk's event `timestamp` (ms) orders the events of one user.
  const at = (event) => event.timestamp ?? event.data.updated_at ?? 0;
  const upsert = async (event) => sync({ id: event.data.id, email: primaryEmail(event.data), name: fullName(event.data), at: at(event) });
  return {
    'user.created': upsert,
    'user.updated': upsert,
    'user.deleted': async (event) => sync({ id: event.data.id, deleted: true, at: at(event) }),
  };
}

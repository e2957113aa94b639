// POST /api/webhooks/clerk: Clerk's user events keep the users table in sync
// (lib/clerk-users.js), verified, deduplicated and logged by hookwise.
import { clerkWebhooks } from '../../../../lib/clerk-users';

export const runtime = 'nodejs';

export const POST = clerkWebhooks.fetch;

// hookwise's store, shared by the Stripe and the Clerk handler: one event log
// (.data/events.db), with payloads kept so that a dead letter can be replayed.
import path from 'node:path';
import { SqliteStore } from 'hookwise';
import { dataDir } from './db';

export const store = new SqliteStore({ path: path.join(dataDir, 'events.db'), keepPayloads: true });

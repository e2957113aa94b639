// npm start — DATABASE_URL, STRIPE_WEBHOOK_SECRET and PORT (default 3000) from the environment.
import express from 'express';
import pg from 'pg';
import { migrate } from './db.js';
import { stripeWebhooks } from './webhooks.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
pool.on('error', (err) => console.error('postgres:', err.message));
await migrate(pool);
const webhooks = stripeWebhooks(pool);

const app = express();
// The raw body: the signature covers the exact bytes Stripe sent.
app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), webhooks.node);

app.get('/accounts/:userId', async (req, res) => {
  const { rows: [account] } = await pool.query('SELECT user_id, tier, credits, subscription_status FROM accounts WHERE user_id = $1', [req.params.userId]);
  if (!account) return res.status(404).json({ error: 'not_found' });
  const { rows: activities } = await pool.query('SELECT kind, detail, created_at FROM activities WHERE user_id = $1 ORDER BY id', [req.params.userId]);
  res.json({ ...account, activities });
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => console.log(`listening on http://localhost:${port}`));

process.on('SIGTERM', () => {
  server.close(async () => {
    await webhooks.close();
    await pool.end();
  });
});

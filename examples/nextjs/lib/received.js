// A stand-in for your own database: every event a handler ran for, one JSON
// line each, so GET /api/events can show what happened.
import fs from 'node:fs';
import path from 'node:path';

const file = path.join(process.cwd(), '.hookwise', 'received.jsonl');

export function recordReceived(route, event, ctx) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify({ route, id: event.id, type: event.type, attempt: ctx.attempt }) + '\n');
}

export function listReceived() {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
}

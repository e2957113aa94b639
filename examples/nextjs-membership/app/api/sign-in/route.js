// POST /api/sign-in (form: id, email): the demo's sign-in, standing in for your
// auth provider's. Creates the user the way the Clerk sync does.
import { upsertUser } from '../../../lib/db';

export const runtime = 'nodejs';

export async function POST(request) {
  const form = await request.formData();
  const id = String(form.get('id') ?? '').trim();
  if (!/^user_\w{1,64}$/.test(id)) return Response.json({ error: 'id must look like user_...' }, { status: 400 });
  upsertUser({ id, email: String(form.get('email') ?? '') || null });
  return new Response(null, {
    status: 303,
    headers: { location: '/', 'set-cookie': `uid=${id}; Path=/; HttpOnly; SameSite=Lax` },
  });
}

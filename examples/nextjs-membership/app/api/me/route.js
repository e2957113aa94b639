// GET /api/me: the signed-in user and their membership, as JSON.
import { currentUser } from '../../../lib/current-user';
import { membershipOf } from '../../../lib/membership';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET() {
  const user = await currentUser();
  if (!user) return Response.json({ user: null }, { status: 401 });
  return Response.json({ user: { id: user.id, email: user.email }, membership: await membershipOf(user.id) });
}

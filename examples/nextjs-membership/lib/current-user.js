// Who is signed in. A stand-in for your auth provider (with Clerk: `auth()`
// from @clerk/nextjs/server): the `uid` cookie that POST /api/sign-in sets.
import { cookies } from 'next/headers';
import { getUser } from './db';

export async function currentUser() {
  const id = (await cookies()).get('uid')?.value;
  return id ? getUser(id) : null;
}

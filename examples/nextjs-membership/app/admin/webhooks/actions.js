'use server';
// The log page's replay button. Protect /admin in a real app: this runs events again.
import { revalidatePath } from 'next/cache';
import { replay } from '../../../lib/webhooks';

export async function replayEvent(formData) {
  await replay(String(formData.get('eventId')));
  revalidatePath('/admin/webhooks');
}

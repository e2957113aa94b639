// Compile-time checks of the events section of index.d.ts (API.md §2, §3).
// Lines marked @ts-expect-error must fail to compile; the rest must compile.
import {
  constructEventWithoutVerification,
  EventNotification,
  invoiceSubscriptionId,
  parseEventNotification,
  parseEventNotificationAsync,
  StripeEvent,
  subscriptionPeriodEnd,
  webhooks,
} from 'hookwise';

const note: EventNotification = parseEventNotification('{}', 't=1,v1=x', 'whsec_x');
const created: string = note.created;
const thin: 'v2.core.event' = note.object;
const pendingNote: Promise<EventNotification> = parseEventNotificationAsync(Buffer.from('{}'), 't=1', { secret: 'whsec_x' });
const unwrapped: StripeEvent = constructEventWithoutVerification(Buffer.from('{}'));
const same: StripeEvent = webhooks.constructEventWithoutVerification('{}');
const end: number | null = subscriptionPeriodEnd({ items: { data: [{ current_period_end: 1 }] } });
const endOld: number | null = subscriptionPeriodEnd({ current_period_end: 5 });
const subId: string | null = invoiceSubscriptionId({ parent: { subscription_details: { subscription: 'sub_1' } } });
const subIdExpanded: string | null = invoiceSubscriptionId({ subscription: { id: 'sub_1' } });

// @ts-expect-error: a notification's `created` is an ISO string, not a number
const wrong: number = note.created;
// @ts-expect-error: the helper returns number | null
const notNull: number = subscriptionPeriodEnd({});
// @ts-expect-error: a parsed object is not a raw payload
constructEventWithoutVerification({ detail: {} });

void [created, thin, pendingNote, unwrapped, same, end, endOld, subId, subIdExpanded, wrong, notNull];

// The kinds a ticket is sorted by — category, channel, priority — in their own module: the support
// data (support.ts) is checked against them, and the ticket rules (tickets.ts) read that data.

export const TICKET_CATEGORIES = ['account', 'funds', 'identity', 'dispute', 'technical', 'feedback'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];
export const TICKET_CHANNELS = ['email', 'chat', 'phone', 'social'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];
/** Most urgent first. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

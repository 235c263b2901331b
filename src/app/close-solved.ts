// Solved tickets close by themselves (`admin settle`): those solved longer ago than data/support.json
// allows are closed, a batch at a time, and their customers told.

import type { Ticket } from '../domain/ticket-record.js';
import { ticketStatusMail } from '../domain/ticket-mails.js';
import { autoClose, isDueToClose } from '../domain/tickets.js';
import type { RecordsTransaction } from '../store/store.js';
import { mailCustomer } from './agent.js';
import { findTicket, saveTicket, supportData } from './desk.js';
import type { AppDeps } from './ports.js';

const DAY_MS = 86_400_000;
/** At most this many solved tickets closed per run, the earliest solved first: a larger backlog takes more runs. */
const CLOSE_BATCH = 10_000;

/** Closes the solved tickets whose time has come (data/support.json) and tells their customers. */
export async function closeSolvedTickets(t: RecordsTransaction, deps: AppDeps, nowMs: number): Promise<Ticket[]> {
  const afterDays = supportData(deps.ref).closeSolvedAfterDays;
  const solvedBy = new Date(nowMs - afterDays * DAY_MS).toISOString();
  const due = (await t.tickets.solvedBy(solvedBy, CLOSE_BATCH)).filter((s) => s.solvedAt !== null && isDueToClose(s.solvedAt, nowMs, afterDays));
  const closed: Ticket[] = [];
  for (const summary of due.sort((a, b) => a.number - b.number)) {
    const ticket = saveTicket(t, deps.ref, autoClose(await findTicket(t, summary.number), nowMs));
    await mailCustomer(t, ticket, new Date(nowMs).toISOString(), (customer, thread) => ticketStatusMail(customer, ticket, 'closed', thread));
    closed.push(ticket);
  }
  return closed;
}

// Votes and endorsements: the confirmed state from the server plus actions still in the outbox.
import { mayTakePart, showGate } from './gate.js';
import { page, state } from './state.js';

export function pendingVotes() {
  const want = new Map();
  for (const a of state.live ? state.live.pending() : []) {
    if (a.type === 'vote') want.set(a.question_id, true);
    if (a.type === 'unvote') want.set(a.question_id, false);
  }
  return want;
}
export const inGroup = (set, item) => set.has(item.id) || item.merged.some((w) => set.has(w.id));
export function voteState(item, want) {
  const confirmed = inGroup(state.voted, item);
  const on = want.has(item.id) ? want.get(item.id) : confirmed;
  return { on, votes: Math.max(0, item.votes + (on === confirmed ? 0 : on ? 1 : -1)) };
}

export function toggleVote(item) {
  if (!mayTakePart()) { showGate(); return; }
  const { on } = voteState(item, pendingVotes());
  state.live.send(on ? 'unvote' : 'vote', { question_id: item.id });
  page.render();
}

// --- endorsements: a delegate endorses on behalf of its organisation (never a vote) ---------
export const delegateOf = () => (state.access && state.access.organisation) || null;
function pendingEndorsements() {
  const want = new Map();
  for (const a of state.live ? state.live.pending() : []) {
    if (a.type === 'endorse') want.set(a.question_id, true);
    if (a.type === 'withdraw_endorsement') want.set(a.question_id, false);
  }
  return want;
}
export function endorseState(item) {
  const want = pendingEndorsements();
  return want.has(item.id) ? want.get(item.id) : state.endorsed.has(item.id);
}
export function toggleEndorsement(item) {
  if (!delegateOf()) return;
  state.live.send(endorseState(item) ? 'withdraw_endorsement' : 'endorse', { question_id: item.id });
  page.render();
}

// What the participant page holds between renders, shared by its parts (participant.js wires
// them): the event, the latest queue, this participant's votes, questions and access.
import { slugFromPath } from '../dom.js';

export const slug = slugFromPath();

export const state = {
  body: null, // latest snapshot/queue body
  event: null,
  voted: new Set(),
  mine: new Set(),
  endorsed: new Set(), // groups this delegate's organisation endorses (roots)
  access: null, // {mode, allowed, granted, organisation} for this identity
  live: null,
};

// Set by participant.js: draw the page again, say something in the status line.
export const page = { render: () => {}, say: () => {} };

export const lang = () => document.documentElement.lang;

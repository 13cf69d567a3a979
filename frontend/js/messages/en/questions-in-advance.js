export default {
  // questions in advance
  refused_questions_not_open_yet: 'Questions open on {opens}.',
  adv_heading: 'Questions in advance',
  adv_before_heading: 'Before the event',
  adv_open_now: 'You can ask and vote now, before the event goes live: the live queue starts with these questions.',
  adv_window: 'Questions open from {from} until {until}.',
  adv_window_from: 'Questions open from {from}.',
  adv_window_until: 'Questions open until {until}.',
  adv_starts: 'The event starts on {start}.',
  org_f_window: 'Questions in advance (optional)',
  org_f_questions_from: 'Take questions from (local time at the venue)',
  org_f_questions_until: 'Until (local time at the venue)',
  org_window_hint: 'Participants can ask and vote from this time, days before the event goes live if you like. Left empty, the moderator opens questions live.',
  org_fe_questions_from: 'Enter a valid date and time, or leave it empty.',
  org_fe_questions_until: 'Questions must close after they open, and not before the event starts.',
};

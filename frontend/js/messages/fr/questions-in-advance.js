export default {
  // questions in advance
  refused_questions_not_open_yet: 'Les questions ouvrent le {opens}.',
  adv_heading: 'Questions à l’avance',
  adv_before_heading: 'Avant l’événement',
  adv_open_now: 'Vous pouvez poser des questions et voter dès maintenant, avant le direct : la file en direct commence avec ces questions.',
  adv_window: 'Questions ouvertes du {from} au {until}.',
  adv_window_from: 'Questions ouvertes à partir du {from}.',
  adv_window_until: 'Questions ouvertes jusqu’au {until}.',
  adv_starts: 'L’événement commence le {start}.',
  org_f_window: 'Questions à l’avance (facultatif)',
  org_f_questions_from: 'Recevoir des questions à partir du (heure locale du lieu)',
  org_f_questions_until: 'Jusqu’au (heure locale du lieu)',
  org_window_hint: 'Les participants peuvent poser des questions et voter à partir de ce moment, plusieurs jours avant le direct si vous le souhaitez. Laissé vide, le modérateur ouvre les questions en direct.',
  org_fe_questions_from: 'Saisissez une date et une heure valides, ou laissez vide.',
  org_fe_questions_until: 'Les questions doivent fermer après leur ouverture, et pas avant le début de l’événement.',
};

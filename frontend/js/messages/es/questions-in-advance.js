export default {
  // questions in advance
  refused_questions_not_open_yet: 'Las preguntas se abren el {opens}.',
  adv_heading: 'Preguntas por adelantado',
  adv_before_heading: 'Antes del evento',
  adv_open_now: 'Ya puede preguntar y votar, antes de que empiece el directo: la cola en directo empieza con estas preguntas.',
  adv_window: 'Preguntas abiertas desde el {from} hasta el {until}.',
  adv_window_from: 'Preguntas abiertas desde el {from}.',
  adv_window_until: 'Preguntas abiertas hasta el {until}.',
  adv_starts: 'El evento empieza el {start}.',
  org_f_window: 'Preguntas por adelantado (opcional)',
  org_f_questions_from: 'Recibir preguntas desde (hora local del lugar)',
  org_f_questions_until: 'Hasta (hora local del lugar)',
  org_window_hint: 'Los participantes pueden preguntar y votar desde ese momento, incluso días antes del directo. Si lo deja vacío, el moderador abre las preguntas en directo.',
  org_fe_questions_from: 'Introduzca una fecha y hora válidas, o déjelo vacío.',
  org_fe_questions_until: 'Las preguntas deben cerrarse después de abrirse, y no antes del comienzo del evento.',
};

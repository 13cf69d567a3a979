export default {
  // questions in advance
  refused_questions_not_open_yet: '提问将于{opens}开放。',
  adv_heading: '提前提问',
  adv_before_heading: '活动开始前',
  adv_open_now: '现在即可提问和投票，无需等到活动直播开始：直播时的问题队列就从这些问题开始。',
  adv_window: '提问开放时间：{from}至{until}。',
  adv_window_from: '提问开放时间：自{from}起。',
  adv_window_until: '提问截止时间：{until}。',
  adv_starts: '活动开始时间：{start}。',
  org_f_window: '提前提问（可选）',
  org_f_questions_from: '开始接受提问（会场当地时间）',
  org_f_questions_until: '截止（会场当地时间）',
  org_window_hint: '参与者可从此时起提问和投票，可以早于直播数天。留空则由主持人在直播时开放提问。',
  org_fe_questions_from: '请输入有效的日期和时间，或留空。',
  org_fe_questions_until: '提问的截止时间必须晚于开放时间，且不得早于活动开始时间。',
};

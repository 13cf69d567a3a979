// This language's catalogue: one module per concept, merged here. Each part is imported
// and spread once (tests/test_catalogues.py fails on a part left out or a key in two).
import home from './home.js';
import participant from './participant.js';
import questionsInAdvance from './questions-in-advance.js';
import series from './series.js';
import moderator from './moderator.js';
import organisations from './organisations.js';
import regionalBalance from './regional-balance.js';
import schedule from './schedule.js';
import record from './record.js';
import organiser from './organiser.js';
import support from './support.js';
import participation from './participation.js';
import serverCodes from './server-codes.js';
import moderationLog from './moderation-log.js';

export default {
  ...home,
  ...participant,
  ...questionsInAdvance,
  ...series,
  ...moderator,
  ...organisations,
  ...regionalBalance,
  ...schedule,
  ...record,
  ...organiser,
  ...support,
  ...participation,
  ...serverCodes,
  ...moderationLog,
};

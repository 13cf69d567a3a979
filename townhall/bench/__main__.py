import sys

from townhall.bench.command import main

sys.exit(main())

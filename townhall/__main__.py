import sys

from townhall.cli import main

# Guarded: the model's process (spawned) imports this module again under another name.
if __name__ == "__main__":
    sys.exit(main())

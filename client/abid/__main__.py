"""`python -m abid`: the same as the `abid` command."""

import sys

from abid.cli import main

sys.exit(main())

"""``python -m knowledge check|eval ...``: the catalogue tools without the bot."""

from knowledge.cli import main

raise SystemExit(main())

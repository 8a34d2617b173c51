#!/usr/bin/env bash
# Regenerate constraints.txt from the project's virtual environment after changing dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
{ echo "# Pinned versions this project was tested with (pip constraints; regenerate with scripts/freeze-constraints.sh)."
  .venv/bin/pip freeze --exclude-editable | grep -v '^sohoa'; } > constraints.txt

#!/bin/sh
# Install guardshim for the current user, without root:
#   1. a private virtual environment under $XDG_DATA_HOME/guardshim/venv,
#   2. the guardshim package from this checkout,
#   3. `guardshim install`: the shims and the PATH block in a shell profile.
# Arguments are passed to `guardshim install` (--profile FILE, --shim-dir DIR).
# Running it again updates the package and changes nothing else.
set -eu

checkout=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
venv=$data_home/guardshim/venv
python=${PYTHON:-python3}

if ! command -v "$python" >/dev/null 2>&1; then
    echo "install.sh: $python not found" >&2
    echo "hint: install Python 3.9 or newer, or set PYTHON=/path/to/python3" >&2
    exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    echo "created the virtual environment $venv"
fi

# The second call rebuilds the package even when its version did not change, so
# a checkout that moved on is installed as it is now.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$checkout"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps --force-reinstall "$checkout"
echo "installed guardshim $("$venv/bin/guardshim" --version | sed 's/.* //') into $venv"

"$venv/bin/guardshim" install "$@"

# Offer the command itself where user programs usually live, without replacing
# anything that is not ours.
bin_dir=$HOME/.local/bin
link=$bin_dir/guardshim
if [ -L "$link" ] || [ ! -e "$link" ]; then
    mkdir -p "$bin_dir"
    if [ "$(readlink "$link" 2>/dev/null || true)" != "$venv/bin/guardshim" ]; then
        ln -sf "$venv/bin/guardshim" "$link"
        echo "linked $link -> $venv/bin/guardshim"
    fi
else
    echo "note: $link exists and is not a link; run $venv/bin/guardshim directly" >&2
fi

cat <<TEXT

To start a guarded agent shell, open a new terminal (or run \`exec \$SHELL\`)
and start the agent from it. Check a command without running it:
    $link explain -- kubectl delete pod web-0
TEXT

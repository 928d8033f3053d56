#!/usr/bin/env bash
# A component author's first steps, exactly as the README gives them, with
# an `airssys` installed from a clone that is then removed, run from a
# directory outside any checkout: `airssys new` must need nothing but the
# command itself (the SDK ships inside it).
#
# Usage: .ci/component-author.sh INSTALL_ROOT
#   INSTALL_ROOT/bin already holds `airssys-conformance`; `airssys` is added.
# Builds `airssys` into this checkout's target/ (its dependencies are built
# there already) from a throwaway clone of HEAD.
set -euo pipefail
cd "$(dirname "$0")/.."
install_root="$(cd "$1" && pwd)"
checkout="$PWD"

# The README's block that follows this marker, verbatim.
commands="$(awk '/<!-- ci: component-author-commands -->/ {found=1; next}
    found && /^```sh$/ {inside=1; next}
    inside && /^```$/ {exit}
    inside {print}' README.md)"
if [ -z "$commands" ]; then
    echo "README.md has no \`\`\`sh block after <!-- ci: component-author-commands -->" >&2
    exit 1
fi

clone="$(mktemp -d)"
git clone -q "$checkout" "$clone/airssys"
AIRSSYS_GUEST_BUILDER=prebuilt cargo install --locked --debug --path "$clone/airssys/cli" --root "$install_root" --target-dir "$checkout/target"
rm -rf "$clone"
test ! -e "$clone"

# The README's commands create a crate beside the directory they run in.
outside="$(mktemp -d)"
mkdir "$outside/work"
cd "$outside/work"
export PATH="$install_root/bin:$PATH"
unset AIRSSYS_SDK
echo "$commands"
bash -euo pipefail -c "$commands"
rm -rf "$outside"

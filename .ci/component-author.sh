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
install_root="$(cd "${1:?usage: .ci/component-author.sh INSTALL_ROOT}" && pwd)"
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
outside="$(mktemp -d)"
trap 'rm -rf "$clone" "$outside"' EXIT
git clone -q "$checkout" "$clone/airssys"
AIRSSYS_GUEST_BUILDER=prebuilt cargo install --locked --debug --path "$clone/airssys/cli" --root "$install_root" --target-dir "$checkout/target"
rm -rf "$clone"
test ! -e "$clone"

# The README's commands create a crate in the directory they run in.
mkdir "$outside/work"
cd "$outside/work"
export PATH="$install_root/bin:$PATH"
# As on an author's machine: the SDK shipped in the command, and the
# crate's own target/ (the README's paths say target/wasm32-wasip2/…).
unset AIRSSYS_SDK CARGO_TARGET_DIR
echo "$commands"
bash -euo pipefail -c "$commands"

#!/usr/bin/env bash
# A component author's first steps, exactly as the README gives them, with
# `airssys` installed and this checkout moved aside while they run, from a
# directory outside any checkout: `airssys new` must need nothing but the
# command itself (the SDK ships inside it).
#
# Usage: .ci/component-author.sh INSTALL_ROOT
#   INSTALL_ROOT/bin already holds `airssys-conformance`; `airssys` is added:
#   the one `cargo build --workspace --bins` built. (Installing it from a
#   throwaway clone, as this script did before, proved the same and cost two
#   minutes of CI: every workspace crate built again at the clone's path.)
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

cargo build --workspace --bins
cp "${CARGO_TARGET_DIR:-target}/debug/airssys" "$install_root/bin/airssys"
# Moved aside, so that anything the command would read from the checkout
# (a path compiled in) is missing, as on an author's machine; put back on
# any exit. If something made the checkout's path again meanwhile, that is
# the fault this step exists to catch: it fails, and the checkout waits
# beside it instead of being moved inside it.
aside="$checkout.moved-aside-$$"
outside=""
restore() {
    [ -z "$outside" ] || rm -rf "$outside"
    if [ -e "$checkout" ]; then
        echo "error: something created $checkout while the checkout was moved aside;" \
            "the checkout is at $aside" >&2
        exit 1
    fi
    mv -T "$aside" "$checkout"
}
if ! mv -T "$checkout" "$aside"; then
    echo "error: cannot move the checkout aside (its parent must be writable and the" \
        "checkout not a mount point): $checkout" >&2
    exit 1
fi
trap restore EXIT
test ! -e "$checkout"
outside="$(mktemp -d)"

# The README's commands create a crate in the directory they run in.
mkdir "$outside/work"
cd "$outside/work"
export PATH="$install_root/bin:$PATH"
# As on an author's machine: the SDK shipped in the command, the crate's
# own target/ (the README's paths say target/wasm32-wasip2/…), and plain
# rustc (`.ci/run` lints this workspace through RUSTC_WORKSPACE_WRAPPER).
unset AIRSSYS_SDK CARGO_TARGET_DIR RUSTC_WORKSPACE_WRAPPER
echo "$commands"
bash -euo pipefail -c "$commands"

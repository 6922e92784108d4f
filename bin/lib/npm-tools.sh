# Sourced by bin/sdk-check and bin/prism-check: installs the npm tools pinned in tools/package-lock.json into
# tools/node_modules (ignored by git) unless that tree already came from this very lock file (as bin/lint does).
command -v npm >/dev/null 2>&1 || { echo "Node.js 20.19+ and npm are required" >&2; exit 1; }
npm_tools_stamp=tools/node_modules/.installed-from-lock
if ! cmp -s tools/package-lock.json "$npm_tools_stamp" 2>/dev/null; then
  npm_tools_log=$(mktemp)
  if ! npm ci --prefix tools --no-audit --no-fund --loglevel=error >"$npm_tools_log" 2>&1; then
    cat "$npm_tools_log" >&2; rm -f "$npm_tools_log"
    echo "npm ci --prefix tools failed" >&2; exit 1
  fi
  rm -f "$npm_tools_log"
  cp tools/package-lock.json "$npm_tools_stamp"
fi
export NO_UPDATE_NOTIFIER=1
TOOLS_BIN=$PWD/tools/node_modules/.bin

#!/bin/sh
# assets.sh regenerates the third-party browser libraries that the console
# embeds, from the exact versions pinned in web/package-lock.json:
#
#   internal/console/assets/vendor/echarts.min.js   Apache ECharts (the dashboard's charts)
#   internal/console/assets/vendor/*-LICENSE.txt    their licences and notices
#
# The generated files are committed, so building and testing huitong needs
# only Go; run this (it needs Node.js and npm, and reaches the npm registry
# or the mirror npm is configured with) after changing web/package.json,
# then commit web/package-lock.json and the files above together.
#
#   sh tools/assets.sh
set -eu
cd "$(dirname "$0")/.."

# npm ci installs exactly what the lockfile says and checks every
# package's integrity hash; --ignore-scripts runs no install scripts.
npm ci --prefix web --ignore-scripts --no-audit --no-fund

mods=web/node_modules
vendor=internal/console/assets/vendor
mkdir -p "$vendor"
cp "$mods/echarts/dist/echarts.min.js" "$vendor/echarts.min.js"
cp "$mods/echarts/LICENSE" "$vendor/echarts-LICENSE.txt"
cp "$mods/echarts/NOTICE" "$vendor/echarts-NOTICE.txt"
# echarts.min.js bundles ZRender (BSD-3-Clause) and tslib (0BSD).
cp "$mods/zrender/LICENSE" "$vendor/zrender-LICENSE.txt"
cp "$mods/tslib/LICENSE.txt" "$vendor/tslib-LICENSE.txt"

echo "echarts $(node -p "require('./$mods/echarts/package.json').version") -> $vendor"

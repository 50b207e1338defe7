#!/usr/bin/env bash
# Copy the third-party front-end files we serve from node_modules (installed by `npm ci` from
# package-lock.json) into build/vendor, which static files serve as /static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/vendor
rm -rf "$out" && mkdir -p "$out"/{bootstrap/css,htmx,echarts,swagger-ui-dist}
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$out/bootstrap/css/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp node_modules/echarts/dist/echarts.min.js "$out/echarts/"
for f in swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js favicon-32x32.png; do
  cp "node_modules/swagger-ui-dist/$f" "$out/swagger-ui-dist/"
done

#!/usr/bin/env bash
# Refresh the Swagger UI and ReDoc assets served by the API's /docs and /redoc pages (api/static/docs/), from the
# npm registry, pinned. The pages then load nothing from a CDN and work offline. Needs npm; run from the repo root.
set -euo pipefail
SWAGGER_UI=swagger-ui-dist@5.35.0
REDOC=redoc@2.5.4  # 2.x: the <redoc spec-url> element FastAPI's get_redoc_html writes
target=api/static/docs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$SWAGGER_UI" "$REDOC" >/dev/null && for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done)
swagger=$(ls -d "$work"/swagger-ui-dist-*/package)
redoc=$(ls -d "$work"/redoc-*/package)
mkdir -p "$target"
cp "$swagger"/{swagger-ui-bundle.js,swagger-ui.css,favicon-32x32.png} "$target"/
cp "$swagger/LICENSE" "$target/swagger-ui.LICENSE"
cp "$swagger/NOTICE" "$target/swagger-ui.NOTICE"
cp "$swagger/swagger-ui-bundle.js.LICENSE.txt" "$target/"
cp "$redoc/bundles/redoc.standalone.js" "$redoc/bundles/redoc.standalone.js.LICENSE.txt" "$target"/
cp "$redoc/LICENSE" "$target/redoc.LICENSE"
printf '%s\n' "# The assets of /docs and /redoc, from the npm registry (scripts/vendor-api-docs.sh)" \
    "$SWAGGER_UI (Apache-2.0: swagger-ui.LICENSE, swagger-ui.NOTICE)" "$REDOC (MIT: redoc.LICENSE)" >"$target/VERSIONS"
echo "vendored $SWAGGER_UI and $REDOC into $target"

# Sourced by bin/sdk-check and bin/prism-check (after bin/lib/npm-tools.sh and bin/lib/jdk.sh): generates the
# TypeScript client (typescript-fetch) from openapi.yaml with OpenAPI Generator (the CLI pinned in
# tools/package-lock.json, the generator version pinned in tools/openapitools.json) into sdk-check/ts/target/client,
# and compiles it with the scenario (sdk-check/ts/scenario.ts) into sdk-check/ts/target/dist.
build_ts_client() {
  rm -rf sdk-check/ts/target
  "$TOOLS_BIN/openapi-generator-cli" --openapitools "$PWD/tools/openapitools.json" generate \
      -i openapi.yaml -g typescript-fetch -o sdk-check/ts/target/client \
      --additional-properties=supportsES6=true >sdk-check/ts/generate.log 2>&1 \
    || { cat sdk-check/ts/generate.log >&2; echo "TypeScript client generation failed" >&2; return 1; }
  mv sdk-check/ts/generate.log sdk-check/ts/target/
  "$TOOLS_BIN/tsc" -p sdk-check/ts
}

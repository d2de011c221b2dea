#!/usr/bin/env bash
# Scaffold a workspace project in the project's layout: tools/scripts/new-package.sh packages|apps NAME "description" [deps...]
set -euo pipefail
kind=$1 name=$2 desc=$3; shift 3
dir="$kind/$name"
mkdir -p "$dir/src/lib"
deps=""
for d in "$@"; do deps="$deps\"@ehr-backdoor/$d\": \"*\","; done
deps="{${deps%,}}"
cat > "$dir/package.json" <<JSON
{
  "name": "@ehr-backdoor/$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "@ehr-backdoor/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "import": "./dist/index.js",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "files": ["dist", "!**/*.tsbuildinfo"],
  "dependencies": $deps,
  "nx": { "tags": ["scope:$name", "type:${kind%s}"] }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.lib.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > "$dir/tsconfig.lib.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "tsBuildInfoFile": "dist/tsconfig.lib.tsbuildinfo",
    "types": ["node"]
  },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts", "src/**/*.test-d.ts"],
  "references": []
}
JSON
cat > "$dir/tsconfig.spec.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "outDir": "./out-tsc/spec",
    "tsBuildInfoFile": "./out-tsc/spec/tsconfig.spec.tsbuildinfo",
    "types": ["jest", "node"],
    "noEmit": false,
    "emitDeclarationOnly": true
  },
  "include": ["src/**/*.spec.ts", "src/**/*.ts"],
  "references": [{ "path": "./tsconfig.lib.json" }]
}
JSON
cat > "$dir/jest.config.cjs" <<'JS'
module.exports = require('../../jest.preset.cjs')(__dirname);
JS
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
echo "created $dir"

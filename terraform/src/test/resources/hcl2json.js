// Parses every .tf file under a folder with @cdktf/hcl2json and prints one JSON document:
//   {"files": {"modules/x/main.tf": <HCL as JSON>, ...}, "errors": {"path": "message", ...}}
// Usage: node hcl2json.js TERRAFORM_DIR [NODE_MODULES_DIR]
// A parse error is reported per file rather than thrown, so the tests can name every broken file at once.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(process.argv[2] || '.');
const nodeModules = path.resolve(process.argv[3] || path.join(root, '..', 'node_modules'));

let hcl;
try {
  hcl = require(path.join(nodeModules, '@cdktf', 'hcl2json'));
} catch (e) {
  console.error(`@cdktf/hcl2json is not installed in ${nodeModules}. Run 'npm ci' at the repository root.`);
  process.exit(3);
}

const SKIPPED = new Set(['.terraform', 'node_modules', 'src', 'target']);

function tfFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : tfFiles(full);
    return entry.isFile() && entry.name.endsWith('.tf') ? [full] : [];
  });
}

async function main() {
  const files = {};
  const errors = {};
  for (const file of tfFiles(root).sort()) {
    const name = path.relative(root, file).split(path.sep).join('/');
    try {
      files[name] = await hcl.parse(name, fs.readFileSync(file, 'utf8'));
    } catch (e) {
      errors[name] = String(e && e.message ? e.message : e);
    }
  }
  process.stdout.write(JSON.stringify({ files, errors }));
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});

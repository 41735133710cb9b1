// npm pack / npm publish of libs/references (its prepack and postpack scripts): the package ships a fresh
// build, its own README (libs/references/README.md, which lives beside it: the repository's README is about the
// repository) and the repository's LICENSE and CHANGELOG, which live at the root so that there is one of each.
//   node ../../scripts/pack-references.mjs prepack    remove dist, copy LICENSE and CHANGELOG in, compile
//   node ../../scripts/pack-references.mjs postpack   remove the copies again
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../', import.meta.url);
const library = new URL('libs/references/', root);
const DOCUMENTS = ['LICENSE', 'CHANGELOG.md'];

const step = process.argv[2];
if (step === 'prepack') {
  // A clean build: nothing left from a deleted source, and no source maps (the sources do not ship, so a map
  // would point at files the package does not have). The .tsbuildinfo stays out through "files".
  rmSync(new URL('dist', library), { recursive: true, force: true });
  for (const name of DOCUMENTS) copyFileSync(new URL(name, root), new URL(name, library));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', new URL('tsconfig.lib.json', library).pathname, '--sourceMap', 'false'], {
    stdio: 'inherit',
  });
} else if (step === 'postpack') {
  for (const name of DOCUMENTS) rmSync(new URL(name, library), { force: true });
} else {
  console.error('usage: pack-references.mjs prepack|postpack');
  process.exit(2);
}

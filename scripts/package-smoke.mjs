// npm run test:package — the library as a new user gets it: pack libs/references, install the tarball into a
// scratch Nest app outside the workspace with only the peers of sync mode (npm's automatic peer install off),
// compile the library README's quick start there and run it: a write, a copy refreshed, a referrer found.
// Needs the npm registry (the peers) and compiles better-sqlite3 (a minute or two). The scratch app goes under
// $PKG_SMOKE_DIR (default: the system's temporary directory); it is removed when the run passes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** What sync mode on SQLite needs beside the library, at the versions this repository is tested with. */
const SYNC_MODE_PEERS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/typeorm',
  'typeorm',
  'better-sqlite3',
  'class-validator',
  'class-transformer',
  'reflect-metadata',
  'rxjs',
];
/** The optional peer of the `nestjs-references/terminus` entry, installed to import that entry. */
const TERMINUS_PEERS = ['@nestjs/terminus'];

const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const step = (message) => console.log(`package-smoke: ${message}`);

/** The TypeScript block of the library README's "Quick start" (the README the package ships), as a user would copy it. */
function quickStart() {
  const readme = readFileSync(join(root, 'libs/references/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Quick start'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('libs/references/README.md has no ```ts block under "### Quick start"');
  return code;
}

const parent = process.env.PKG_SMOKE_DIR ?? tmpdir();
mkdirSync(parent, { recursive: true });
const app = mkdtempSync(join(parent, 'nestjs-references-smoke-'));
try {
  step(`packing libs/references into ${app}`);
  const tarball = join(app, JSON.parse(run('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', app], join(root, 'libs/references')))[0].filename);

  const peers = [...SYNC_MODE_PEERS, ...TERMINUS_PEERS].map((name) => `${name}@${rootManifest.dependencies[name]}`);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'nestjs-references-smoke',
        private: true,
        type: 'module',
        allowScripts: { 'better-sqlite3': true },
        overrides: { 'file-type': rootManifest.overrides['file-type'] }, // see the library's README, Install
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        strict: true,
        strictPropertyInitialization: false,
        skipLibCheck: true,
        types: [],
        rootDir: 'src',
        outDir: 'dist',
      },
      include: ['src'],
    }),
  );
  mkdirSync(join(app, 'src'));
  writeFileSync(join(app, 'src/main.ts'), quickStart());

  step(`installing the tarball with ${peers.join(' ')} (--legacy-peer-deps: no automatic peers)`);
  run('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error', tarball, ...peers], app);

  step("checking the installed package's README: the library's own");
  if (readFileSync(join(app, 'node_modules/nestjs-references/README.md'), 'utf8') !== readFileSync(join(root, 'libs/references/README.md'), 'utf8')) {
    throw new Error('the installed package carries another README than libs/references/README.md');
  }

  step('checking the exports map');
  run(process.execPath, ['--input-type=module', '-e', "import 'nestjs-references/package.json' with { type: 'json' }; import.meta.resolve('nestjs-references/cli'); import.meta.resolve('nestjs-references/explorer');"], app);

  step('importing nestjs-references/terminus');
  const terminus = "import 'reflect-metadata'; const { ReferencesHealthIndicator } = await import('nestjs-references/terminus'); if (typeof ReferencesHealthIndicator !== 'function') process.exit(1);";
  run(process.execPath, ['--input-type=module', '-e', terminus], app);

  step("compiling the library README's quick start");
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  run(process.execPath, [tsc, '-p', app], app);

  step('running it');
  const output = run(process.execPath, [join(app, 'dist/main.js')], app);
  const expectations = [
    ['the copy refreshed', /^Barock$/m],
    ['the referrer found', /referrerType: 'notes'[\s\S]*path: 'topic'/],
  ];
  const missing = expectations.filter(([, pattern]) => !pattern.test(output)).map(([what]) => what);
  if (missing.length) throw new Error(`the quick start ran without ${missing.join(' and ')}; it printed:\n${output}`);
  step('passed');
  rmSync(app, { recursive: true, force: true });
} catch (error) {
  const detail = error.stderr?.trim() || error.message;
  console.error(`package-smoke: FAILED (scratch app kept in ${app})\n${detail}`);
  process.exit(1);
}

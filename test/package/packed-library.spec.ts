import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);
const LIBRARY = new URL('libs/references/', ROOT);
const manifest = JSON.parse(readFileSync(new URL('package.json', LIBRARY), 'utf8'));

/** What `npm pack` in libs/references puts in the tarball: its prepack runs (a fresh build), nothing is written. */
function packedFiles(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], {
    cwd: LIBRARY,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output)[0].files.map((file: { path: string }) => file.path);
}

/** Every file a conditional `exports` entry (or `main` / `types`) names. */
function exportedFiles(): string[] {
  const targets = (entry: unknown): string[] =>
    typeof entry === 'string' ? [entry] : Object.values(entry as Record<string, unknown>).flatMap(targets);
  return [manifest.main, manifest.types, ...targets(manifest.exports)].map((target: string) => target.replace(/^\.\//, ''));
}

describe('the nestjs-references package (npm pack of libs/references)', () => {
  let files: string[];

  beforeAll(() => {
    files = packedFiles();
  }, 120_000);

  it('ships the documents at its root: README, LICENSE and CHANGELOG, as in the repository', () => {
    expect(files.filter((file) => !file.startsWith('dist/')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
    expect(readFileSync(new URL('LICENSE', ROOT), 'utf8')).toMatch(/^MIT License/);
    expect(manifest.license).toBe('MIT');
  });

  it('ships compiled ESM with a type declaration beside every module, and no build leftovers', () => {
    const compiled = files.filter((file) => file.startsWith('dist/'));
    expect(compiled.filter((file) => !/\.(d\.ts|js)$/.test(file))).toEqual([]); // no .map, no .tsbuildinfo
    expect(compiled.filter((file) => /\.spec\./.test(file))).toEqual([]);
    const modules = compiled.filter((file) => file.endsWith('.js'));
    expect(modules.length).toBeGreaterThan(20);
    expect(modules.filter((file) => !files.includes(file.replace(/\.js$/, '.d.ts')))).toEqual([]);
    // The build that was packed is in dist now: no module points at a source map the package does not have.
    expect(modules.filter((file) => readFileSync(new URL(file, LIBRARY), 'utf8').includes('sourceMappingURL'))).toEqual([]);
    expect(manifest.type).toBe('module');
  });

  it('exports ".", "./cli", "./explorer" and "./package.json", each naming a file it ships', () => {
    expect(Object.keys(manifest.exports)).toEqual(['.', './cli', './explorer', './package.json']);
    expect(exportedFiles().filter((file) => !files.includes(file))).toEqual([]);
  });

  it('keeps the explorer to its subpath: no module outside dist/explorer imports it, so an app without it loads none of it', () => {
    const outside = files.filter((file) => file.endsWith('.js') && !file.startsWith('dist/explorer/'));
    expect(outside.filter((file) => /from '[./]*explorer\//.test(readFileSync(new URL(file, LIBRARY), 'utf8')))).toEqual([]);
    expect(files).toContain('dist/explorer/index.js');
  });

  it('reports its own version (VERSION) from the package.json it ships', () => {
    const output = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', 'const { VERSION } = await import(process.argv[1]); process.stdout.write(VERSION);', new URL('dist/index.js', LIBRARY).pathname],
      { cwd: LIBRARY, encoding: 'utf8' },
    );
    expect(output).toBe(manifest.version);
  });

  it('declares the Node range of the repository', () => {
    const root = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
    expect(manifest.engines).toEqual(root.engines);
  });
});

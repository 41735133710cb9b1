import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url);
const LIBRARY = new URL('libs/references/', ROOT);
const manifest = JSON.parse(readFileSync(new URL('package.json', LIBRARY), 'utf8'));

/** `npm pack` of libs/references into `destination` (its prepack and postpack run: a fresh build): the tarball and its file list. */
function pack(destination: string): { tarball: string; files: string[] } {
  const output = execFileSync('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', destination], {
    cwd: LIBRARY,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(output);
  return { tarball: join(destination, packed.filename), files: packed.files.map((file: { path: string }) => file.path) };
}

/** One file of the tarball, as the package's users get it. */
function packedText(tarball: string, path: string): string {
  return execFileSync('tar', ['-xzOf', tarball, `package/${path}`], { encoding: 'utf8' });
}

/** Every file a conditional `exports` entry (or `main` / `types`) names. */
function exportedFiles(): string[] {
  const targets = (entry: unknown): string[] =>
    typeof entry === 'string' ? [entry] : Object.values(entry as Record<string, unknown>).flatMap(targets);
  return [manifest.main, manifest.types, ...targets(manifest.exports)].map((target: string) => target.replace(/^\.\//, ''));
}

describe('the nestjs-references package (npm pack of libs/references)', () => {
  let destination: string;
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    destination = mkdtempSync(join(tmpdir(), 'nestjs-references-pack-'));
    ({ tarball, files } = pack(destination));
  }, 120_000);

  afterAll(() => {
    rmSync(destination, { recursive: true, force: true });
  });

  it('ships the documents at its root: README, LICENSE and CHANGELOG, as in the repository', () => {
    expect(files.filter((file) => !file.startsWith('dist/')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
    expect(readFileSync(new URL('LICENSE', ROOT), 'utf8')).toMatch(/^MIT License/);
    expect(manifest.license).toBe('MIT');
  });

  it("ships the library's own README (libs/references/README.md), not the repository's", () => {
    const packed = packedText(tarball, 'README.md');
    expect(packed).toBe(readFileSync(new URL('README.md', LIBRARY), 'utf8'));
    expect(packed).not.toBe(readFileSync(new URL('README.md', ROOT), 'utf8'));
    // The library's README opens with the package's name and its install and quick start; the repository's
    // sections (the catalogue, the test suite) are not in it.
    expect(packed.split('\n', 1)[0]).toBe(`# ${manifest.name}`);
    expect(packed).toMatch(/^## Install$/m);
    expect(packed).toMatch(/^### Quick start$/m);
    expect(packed).not.toMatch(/^## Running the tests$/m);
  });

  it('ships the LICENSE and CHANGELOG of the repository, and leaves only its own README in libs/references after the pack', () => {
    expect(packedText(tarball, 'LICENSE')).toBe(readFileSync(new URL('LICENSE', ROOT), 'utf8'));
    expect(packedText(tarball, 'CHANGELOG.md')).toBe(readFileSync(new URL('CHANGELOG.md', ROOT), 'utf8'));
    // postpack removes the copies, and only them: the README is the library's own file.
    expect(existsSync(new URL('README.md', LIBRARY))).toBe(true);
    expect(existsSync(new URL('LICENSE', LIBRARY))).toBe(false);
    expect(existsSync(new URL('CHANGELOG.md', LIBRARY))).toBe(false);
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

  it('exports ".", "./cli", "./terminus", "./explorer" and "./package.json", each naming a file it ships', () => {
    expect(Object.keys(manifest.exports)).toEqual(['.', './cli', './terminus', './explorer', './package.json']);
    expect(exportedFiles().filter((file) => !files.includes(file))).toEqual([]);
  });

  it('loads ReferencesHealthIndicator from its "./terminus" entry', () => {
    const output = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import 'reflect-metadata'; const { ReferencesHealthIndicator } = await import(process.argv[1]); process.stdout.write(typeof ReferencesHealthIndicator);",
        new URL(manifest.exports['./terminus'].default, LIBRARY).pathname,
      ],
      { cwd: LIBRARY, encoding: 'utf8' },
    );
    expect(output).toBe('function');
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

import { describe, expect, it } from '@jest/globals';
import type { DynamicModule, Provider } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as explorerConstants from './explorer/explorer.constants.js';
import * as referencesConstants from './references.constants.js';
import { ReferencesModule } from './references.module.js';
import { QUEUE_PARTS, REFERENCES_PARTS, SYNC_PARTS } from './references.providers.js';
import { ReferencesOptionsModule } from './references-options.module.js';
import { ReferencesQueueModule } from './queue/references-queue.module.js';
import { getReferencesModuleRefToken, getReferencesQueueToken } from './references.tokens.js';
import { ReferencesExplorerModule } from './explorer/references-explorer.module.js';

const here = dirname(fileURLToPath(import.meta.url));
const architecture = readFileSync(resolve(here, '../../../ARCHITECTURE.md'), 'utf8');

/** The providers named in the first column of ARCHITECTURE.md's parts table. */
function partsTableRows(): Set<string> {
  const section = architecture.slice(architecture.indexOf('## Parts'), architecture.indexOf('## Modules'));
  const names = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((match) => match[1]));
  return new Set(names);
}

/** A provider's name as the table writes it: the class, or the name of the constant its token is. */
function nameOf(provider: Provider): string {
  const token = typeof provider === 'function' ? provider : provider.provide;
  if (typeof token === 'function') return token.name;
  const constant = Object.entries({ ...referencesConstants, ...explorerConstants }).find(([, value]) => value === token);
  return constant ? constant[0] : String(token);
}

/** Every provider a `ReferencesModule.forRoot()` declares in that mode (its parts, and its own). */
function moduleProviders(propagation: 'sync' | 'queue'): Provider[] {
  const module = ReferencesModule.forRoot({ baseUrl: 'http://example.test', propagation });
  // The queue module is imported lazily (a promise), so only the module's own providers are read here.
  return module.providers ?? [];
}

/** The explorer's providers, and its controller (a part of its own, a subclass per mount). */
function explorerProviders(): Provider[] {
  const module = ReferencesExplorerModule.forRoot({ path: '/explorer' });
  return [...(module.providers ?? []), ...((module.controllers ?? []) as Provider[])];
}

/** The import specifiers of a library file that load code at run time (type-only imports load nothing). */
function runtimeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const imports = [...source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'(\.[^']+)'/gm)].map((match) => match[1]);
  return imports.map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
}

function libraryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return libraryFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('ARCHITECTURE.md', () => {
  const rows = partsTableRows();

  it.each([
    ['REFERENCES_PARTS', REFERENCES_PARTS],
    ['SYNC_PARTS', SYNC_PARTS],
    ['QUEUE_PARTS', QUEUE_PARTS],
    ['ReferencesModule (sync mode)', moduleProviders('sync')],
    ['ReferencesModule (queue mode)', moduleProviders('queue')],
    ['ReferencesQueueModule', ReferencesQueueModule.register('references', ReferencesOptionsModule.forRoot({ baseUrl: 'http://example.test' })).providers ?? []],
    ['ReferencesExplorerModule', explorerProviders()],
  ] as Array<[string, Provider[]]>)('has a row in the parts table for every provider of %s', (_list, providers) => {
    // NOTE: the tokens an app injects (references.tokens.ts) are aliases of parts, described under "Modules".
    const aliases = [getReferencesQueueToken(), getReferencesModuleRefToken()];
    const named = providers.map(nameOf).filter((name) => !aliases.includes(name));
    expect(named.filter((name) => !rows.has(name))).toEqual([]);
  });

  it('names only providers that exist in its parts table', () => {
    const declared = new Set(
      [...REFERENCES_PARTS, ...SYNC_PARTS, ...QUEUE_PARTS, ...moduleProviders('sync'), ...moduleProviders('queue')].map(nameOf),
    );
    const queue = (ReferencesQueueModule.register('references', { module: class {} } as DynamicModule).providers ?? []).map(nameOf);
    for (const name of [...queue, ...explorerProviders().map(nameOf)]) declared.add(name);
    declared.add('REFERENCES_MODULE_OPTIONS');
    expect([...rows].filter((name) => !declared.has(name))).toEqual([]);
  });
});

describe('the imports of libs/references/src', () => {
  it('form no circle', () => {
    const files = libraryFiles(here);
    const graph = new Map(files.map((file) => [file, runtimeImports(file)]));
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(here, f)).join(' → '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(circles).toEqual([]);
  });
});

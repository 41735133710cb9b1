import { createRequire } from 'node:module';

/**
 * The version of nestjs-references, read from its own package.json at run time: `../package.json` from
 * `src/` (tests) and from `dist/` (the built and the packed library) alike. Read, not imported: a JSON
 * import would pull the file into the compilation, outside `rootDir`.
 */
export const VERSION: string = createRequire(import.meta.url)('../package.json').version;

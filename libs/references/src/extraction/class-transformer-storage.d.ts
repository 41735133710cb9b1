// NOTE: class-transformer keeps what `@Type()` records in a storage that its public entry does not
// export; the CommonJS build (the one `import 'class-transformer'` loads) exposes it, untyped.
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
  export const defaultMetadataStorage: MetadataStorage;
}

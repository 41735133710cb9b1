import { referencesMigrations } from 'nestjs-references';
import { CreateCatalogueTables1764100000000 } from './1764100000000-create-catalogue-tables.js';

/** Every migration the catalogue's database needs, in order: the library's index first, then our tables. */
export const catalogueMigrations = [...referencesMigrations, CreateCatalogueTables1764100000000];

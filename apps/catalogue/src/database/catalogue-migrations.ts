import { referencesMigrations } from 'nestjs-references';
import { CreateCatalogueTables1764100000000 } from './1764100000000-create-catalogue-tables.js';
import { CreateArtworkSearch1764200000000 } from './1764200000000-create-artwork-search.js';
import { CreateAgentTable1764300000000 } from './1764300000000-create-agent-table.js';

/** Every migration the catalogue's database needs, in order: the library's index first, then our tables. */
export const catalogueMigrations = [...referencesMigrations, CreateCatalogueTables1764100000000, CreateArtworkSearch1764200000000, CreateAgentTable1764300000000];

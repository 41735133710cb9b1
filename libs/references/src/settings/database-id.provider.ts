import type { Provider } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DATABASE_ID_SETTING, REFERENCES_DATABASE_ID, REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceSetting } from './reference-setting.entity.js';

/**
 * A random id of the database, recorded at the first start. Bull job ids carry it beside the outbox row
 * id: a database recreated or restored from a backup numbers its outbox rows from the start again, and
 * Bull silently drops a job whose id a job still in Redis has.
 */
export async function resolveDatabaseId(dataSource: DataSource): Promise<string> {
  const settings = dataSource.getRepository(ReferenceSetting);
  await settings.createQueryBuilder().insert().values({ key: DATABASE_ID_SETTING, value: randomUUID() }).orIgnore().execute();
  return (await settings.findOneByOrFail({ key: DATABASE_ID_SETTING })).value;
}

export const databaseIdProvider: Provider = {
  provide: REFERENCES_DATABASE_ID,
  useFactory: resolveDatabaseId,
  inject: [REFERENCES_DATA_SOURCE],
};

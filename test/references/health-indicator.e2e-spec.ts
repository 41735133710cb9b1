import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReferenceOutboxEntry } from 'nestjs-references';
import { ReferencesHealthIndicator } from 'nestjs-references/terminus';
import { DATABASES, type DatabaseKind } from '../support/databases.js';
import { TestNode } from '../support/fixtures.js';
import { IDLE_REFERENCES_CHECK } from '../support/health.js';
import { createNode, nodeUrl } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

/** An application's own rule, in the database, that refuses any update of the record titled `frozen`. */
const FROZEN: Record<DatabaseKind, { create: string[]; drop: string[] }> = {
  postgres: {
    create: [
      `CREATE FUNCTION frozen() RETURNS trigger AS $$ BEGIN
        IF NEW.metadata->>'title' = 'frozen' THEN RAISE EXCEPTION 'this record is frozen'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      'CREATE TRIGGER frozen BEFORE UPDATE ON test_node FOR EACH ROW EXECUTE FUNCTION frozen()',
    ],
    drop: ['DROP TRIGGER IF EXISTS frozen ON test_node', 'DROP FUNCTION IF EXISTS frozen()'],
  },
  mariadb: {
    create: [
      `CREATE TRIGGER frozen BEFORE UPDATE ON test_node FOR EACH ROW BEGIN
        IF JSON_VALUE(NEW.metadata, '$.title') = 'frozen' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'this record is frozen'; END IF; END`,
    ],
    drop: ['DROP TRIGGER IF EXISTS frozen'],
  },
  sqlite: {
    create: [
      `CREATE TRIGGER frozen BEFORE UPDATE ON test_node WHEN json_extract(NEW.metadata, '$.title') = 'frozen'
        BEGIN SELECT RAISE(ABORT, 'this record is frozen'); END`,
    ],
    drop: ['DROP TRIGGER IF EXISTS frozen'],
  },
};

const idle = IDLE_REFERENCES_CHECK;

// The library's Terminus indicator over a real outbox in queue mode: up while propagation keeps up, down
// once a referrer's update has failed for good (an outbox row left failed).
describe.each(DATABASES)('ReferencesHealthIndicator on %s in queue mode', (kind) => {
  let ctx: TestContext;
  let indicator: ReferencesHealthIndicator;

  beforeAll(async () => {
    // NOTE: one attempt: the failing batch goes referrer by referrer at once, and the frozen one is recorded as failed.
    ctx = await bootReferences(kind, { propagation: 'queue', queue: { attempts: 1 } }, [HealthIndicatorService, ReferencesHealthIndicator]);
    indicator = ctx.app.get(ReferencesHealthIndicator);
  });
  afterAll(async () => {
    for (const statement of FROZEN[kind].drop) await ctx?.dataSource.query(statement);
    await ctx?.close();
  });

  it('is up with an empty outbox, and after a change has reached every referrer', async () => {
    expect(await indicator.check('references')).toEqual({ references: { status: 'up', ...idle } });

    const target = await createNode(ctx.dataSource, { title: 'v1' });
    await createNode(ctx.dataSource, { title: 'referrer', parent: link(nodeUrl(target.id)) });
    target.metadata = { title: 'v2' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await ctx.settle();

    expect(await indicator.check('references')).toEqual({ references: { status: 'up', ...idle } });
  });

  it('is down, naming the failed change, once a referrer refuses its update for good', async () => {
    const target = await createNode(ctx.dataSource, { title: 'v1' });
    const healthy = await createNode(ctx.dataSource, { title: 'healthy', parent: link(nodeUrl(target.id)) });
    const frozen = await createNode(ctx.dataSource, { title: 'frozen', parent: link(nodeUrl(target.id)) });
    for (const statement of FROZEN[kind].create) await ctx.dataSource.query(statement);

    target.metadata = { title: 'v2' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await ctx.settle();

    const nodes = ctx.dataSource.getRepository(TestNode);
    expect((await nodes.findOneByOrFail({ id: healthy.id })).metadata.parent?.title).toBe('v2');
    expect((await nodes.findOneByOrFail({ id: frozen.id })).metadata.parent?.title).toBe('v1');
    const [failure] = await ctx.dataSource.getRepository(ReferenceOutboxEntry).findBy({ status: 'failed' });
    expect(failure.error).toContain(`nodes/${frozen.id} at parent: `);

    expect(await indicator.check('references')).toEqual({
      references: {
        status: 'down',
        ...idle,
        failed: 1,
        failedReference: nodeUrl(target.id),
        message: `1 propagation(s) failed, the first of ${nodeUrl(target.id)}; run references failed, then 'references retry --all' once the cause is fixed`,
      },
    });
    // An app that tolerates a failed referrer (an operator retries it) says so.
    expect((await indicator.check('references', { maxFailed: 1 })).references.status).toBe('up');
  });
});

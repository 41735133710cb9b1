import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ReferencesMaintenance } from 'nestjs-references';
import { REDIS_URL, type DatabaseKind } from '../support/databases.js';
import { catalogueForSuite, linkTo } from './catalogue-app.js';

const SETUPS: Array<[DatabaseKind, 'sync' | 'queue']> = [
  ['postgres', 'sync'],
  ['postgres', 'queue'],
  ['mariadb', 'sync'],
  ['mariadb', 'queue'],
  ['sqlite', 'sync'],
];

// Concurrent HTTP requests against the booted catalogue, the rounds of the concurrency issue: whatever
// the interleaving, no request answers 500, no copy stays stale and no restrict or detach reference
// outlives its target. The lock discipline itself is forced deterministically in test/concurrency/.
describe.each(SETUPS)('concurrent requests to the catalogue on %s, %s mode', (kind, mode) => {
  const catalogue = catalogueForSuite(kind, mode === 'queue' ? { redisUrl: REDIS_URL, queuePrefix: `concurrent-${randomUUID()}` } : {});
  const { api } = catalogue;
  let references: ReferencesMaintenance;
  const statuses: number[] = [];

  beforeAll(async () => {
    references = catalogue.app.get(ReferencesMaintenance);
  });

  /** Sends the requests at once and records every status. */
  async function atOnce(requests: Array<PromiseLike<{ status: number; body: any }>>) {
    const responses = await Promise.all(requests);
    statuses.push(...responses.map((r) => r.status));
    return responses;
  }

  async function expectConsistent() {
    await references.waitForIdle(60_000);
    const report = await references.verify();
    expect({ stale: report.stale, dangling: report.dangling, missing: report.missing, extra: report.extra }).toEqual({
      stale: [],
      dangling: [],
      missing: [],
      extra: [],
    });
  }

  it('PUT of a term while each of its 20 artworks is PUT: every copy ends current', async () => {
    const term = await api.create('terms', { slug: 'baroque', title: 'Baroque round 0' });
    const artworks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.create('artworks', { title: `Artwork ${i}`, stylePeriod: linkTo(term.links.self) })),
    );
    for (let round = 1; round <= 5; round++) {
      await atOnce([
        api.put(`/terms/${term.id}`, { slug: 'baroque', title: `Baroque round ${round}` }),
        ...artworks.map((a, i) => api.put(`/artworks/${a.id}`, { title: `Artwork ${i} round ${round}`, stylePeriod: linkTo(term.links.self) })),
      ]);
    }
    await expectConsistent();
  });

  it('PUT of a term while 10 new artworks inlining it are POSTed: every copy ends current', async () => {
    const term = await api.create('terms', { slug: 'rococo', title: 'Rococo round 0' });
    for (let round = 1; round <= 5; round++) {
      await atOnce([
        api.put(`/terms/${term.id}`, { slug: 'rococo', title: `Rococo round ${round}` }),
        ...Array.from({ length: 10 }, (_, i) => api.post('/artworks', { title: `New ${round}.${i}`, stylePeriod: linkTo(term.links.self) })),
      ]);
    }
    await expectConsistent();
  });

  it('DELETE of a term while an artwork that restricts it is POSTed: never both', async () => {
    for (let round = 0; round < 10; round++) {
      const term = await api.create('terms', { slug: `doomed-${round}`, title: `Doomed ${round}` });
      const [deletion, creation] = await atOnce([
        api.delete(`/terms/${term.id}`),
        api.post('/artworks', { title: `Protector ${round}`, stylePeriod: linkTo(term.links.self) }),
      ]);
      expect([
        [204, 422],
        [409, 201],
      ]).toContainEqual([deletion.status, creation.status]);
    }
    await expectConsistent();
  });

  it('DELETE of an artwork while an artwork linking it (detach) is POSTed: the link never outlives it', async () => {
    for (let round = 0; round < 10; round++) {
      const target = await api.create('artworks', { title: `Gone ${round}` });
      const [deletion, creation] = await atOnce([
        api.delete(`/artworks/${target.id}`),
        api.post('/artworks', { title: `Linker ${round}`, related: [target.links.self] }),
      ]);
      expect(deletion.status).toBe(204);
      expect([201, 422]).toContain(creation.status);
      if (creation.status === 201) {
        await references.waitForIdle(60_000);
        expect((await api.get(`/artworks/${creation.body.id}`)).body.related ?? []).toEqual([]);
      }
    }
    await expectConsistent();
  });

  it('two terms made into a cycle, then renamed, at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await api.create('terms', { slug: `a-${round}`, title: `A ${round}` });
      const b = await api.create('terms', { slug: `b-${round}`, title: `B ${round}` });
      await atOnce([
        api.put(`/terms/${a.id}`, { slug: `a-${round}`, title: `A ${round}`, parent: linkTo(b.links.self) }),
        api.put(`/terms/${b.id}`, { slug: `b-${round}`, title: `B ${round}`, parent: linkTo(a.links.self) }),
      ]);
      await atOnce([
        api.put(`/terms/${a.id}`, { slug: `a-${round}`, title: `A ${round} renamed`, parent: linkTo(b.links.self) }),
        api.put(`/terms/${b.id}`, { slug: `b-${round}`, title: `B ${round} renamed`, parent: linkTo(a.links.self) }),
      ]);
    }
    await expectConsistent();
  });

  it('answered no request with a 500', () => {
    expect(statuses.length).toBeGreaterThan(200);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
  });
});

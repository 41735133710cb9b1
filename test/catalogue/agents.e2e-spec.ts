import { describe, expect, it } from '@jest/globals';
import { ReferencesMaintenance } from 'nestjs-references';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DATABASES, REDIS_URL } from '../support/databases.js';
import { AUTH, agentUrl, catalogueForSuite, linkTo } from './catalogue-app.js';

const CASES = DATABASES.flatMap((kind) => (['sync', 'queue'] as const).map((mode) => [kind, mode] as const));

// Agents (artists, workshops) and the artworks that credit them: `creators: [{ role, agent, attributedBy? }]`,
// an inline reference and a link one level down in a list of nested objects.
describe.each(CASES)('catalogue agents and creators on %s in %s mode', (kind, mode) => {
  const catalogue = catalogueForSuite(kind, mode === 'queue' ? { redisUrl: REDIS_URL, queuePrefix: `catalogue-${randomUUID()}` } : {});
  const { api } = catalogue;

  const settle = () => catalogue.app.get(ReferencesMaintenance).waitForIdle(30_000);
  const titles = async (q: string) => {
    const response = await api.get(`/artworks?q=${encodeURIComponent(q)}`);
    expect(response.status).toBe(200);
    return response.body.items.map((item: any) => item.title).sort();
  };
  const counts = async () => [(await api.get('/artworks')).body.total, (await api.get('/agents')).body.total];

  it('stores the agent of each credit as a copy of the agent, indexed by its full path', async () => {
    const agent = await api.create('agents', { name: 'Johannes Vermeer', kind: 'person', activeFrom: 1632, activeUntil: 1675 });
    expect(agent).toEqual({ name: 'Johannes Vermeer', kind: 'person', activeFrom: 1632, activeUntil: 1675, id: agent.id, links: { self: agentUrl(agent.id) } });
    const artwork = await api.create('artworks', {
      title: 'Girl with a Pearl Earring',
      creators: [{ role: 'painter', agent: { ...linkTo(agent.links.self), name: 'forged' } }],
    });
    expect(artwork.creators).toEqual([{ role: 'painter', agent }]);
    const referrers = await api.get(`/references?target=${encodeURIComponent(agent.links.self)}`);
    expect(referrers.body.items).toEqual([expect.objectContaining({ referrerId: artwork.id, path: 'creators[0].agent', inline: true })]);
  });

  it("refreshes the credit when the agent changes, and search finds the artwork by the agent's new name", async () => {
    const agent = await api.create('agents', { name: 'Frans Hals', kind: 'person' });
    const artwork = await api.create('artworks', { title: 'The Laughing Cavalier', creators: [{ role: 'painter', agent: linkTo(agent.links.self) }] });
    expect(await titles('hals')).toEqual(['The Laughing Cavalier']);

    expect((await api.put(`/agents/${agent.id}`, { name: 'Frans Hals the Elder', kind: 'person' })).status).toBe(200);
    await settle();

    expect((await api.get(`/artworks/${artwork.id}`)).body.creators[0].agent.name).toBe('Frans Hals the Elder');
    expect(await titles('elder cavalier')).toEqual(['The Laughing Cavalier']);
  });

  it('refuses to delete an agent that an artwork credits (409), and deletes nothing', async () => {
    const agent = await api.create('agents', { name: 'Workshop of Rubens', kind: 'workshop' });
    const artwork = await api.create('artworks', { title: 'The Elevation of the Cross', creators: [{ role: 'assistants', agent: linkTo(agent.links.self) }] });
    const response = await api.delete(`/agents/${agent.id}`);
    expect(response.status).toBe(409);
    expect(response.body.referrers).toEqual([expect.objectContaining({ referrerId: artwork.id, path: 'creators[0].agent' })]);
    expect((await api.get(`/agents/${agent.id}`)).status).toBe(200);
  });

  it('drops attributedBy from a credit when the artwork it names is deleted; the credit stays', async () => {
    const agent = await api.create('agents', { name: 'Master of Flémalle', kind: 'person' });
    const source = await api.create('artworks', { title: 'Mérode Altarpiece' });
    const credited = await api.create('artworks', {
      title: 'Portrait of a Woman',
      creators: [{ role: 'painter', agent: linkTo(agent.links.self), attributedBy: source.links.self }],
    });
    expect((await api.delete(`/artworks/${source.id}`)).status).toBe(204);
    await settle();
    const stored = (await api.get(`/artworks/${credited.id}`)).body;
    expect(stored.creators).toEqual([{ role: 'painter', agent: expect.objectContaining({ name: 'Master of Flémalle' }) }]);
  });

  it.each([
    ['an agent link that is not a URL', { role: 'painter', agent: linkTo('not a url') }, 400, 'creators.0.agent.links.self'],
    ['an attributedBy that is not a URL', { role: 'painter', agent: linkTo('https://elsewhere.example/a'), attributedBy: 'nope' }, 400, 'creators.0.attributedBy'],
    ['a credit without a role', { agent: linkTo('https://elsewhere.example/a') }, 400, 'creators.0.role'],
  ])('answers %s with %s naming the field, and writes nothing', async (_what, credit, status, field) => {
    const before = await counts();
    const response = await api.post('/artworks', { title: 'Refused', creators: [credit] });
    expect(response.status).toBe(status);
    expect(JSON.stringify(response.body.message)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('answers a credit of a local agent that does not exist with 422 naming the path, and writes nothing', async () => {
    const before = await counts();
    const missing = agentUrl(randomUUID());
    const response = await api.post('/artworks', { title: 'Refused', creators: [{ role: 'painter', agent: linkTo(missing) }] });
    expect(response.status).toBe(422);
    expect(response.body.message).toContain('creators[0].agent');
    expect(await counts()).toEqual(before);
  });

  describe("an agent's private email", () => {
    const EMAIL = 'leysterstudio@private.example';

    it('is stored on the agent and shown by its authenticated route only, never by a public one', async () => {
      const agent = await api.create('agents', { name: 'Judith Leyster', kind: 'person', email: EMAIL });
      expect(agent).toEqual({ name: 'Judith Leyster', kind: 'person', id: agent.id, links: { self: agentUrl(agent.id) } });
      expect((await api.get(`/agents/${agent.id}`)).body).toEqual(agent);
      expect(JSON.stringify((await api.get('/agents?limit=1000')).body)).not.toContain(EMAIL);
      const shown = await api.anonymous().get(`/agents/${agent.id}/private`).set(AUTH);
      expect([shown.status, shown.body]).toEqual([200, { ...agent, email: EMAIL }]);
      expect((await api.get(`/agents/${agent.id}/private`)).status).toBe(401);
    });

    it("never appears in an artwork's copy nor its search document, on create, on update, or forged by a client", async () => {
      const agent = await api.create('agents', { name: 'Jan Steen', kind: 'person', email: EMAIL });
      const artwork = await api.create('artworks', {
        title: 'The Merry Family',
        creators: [{ role: 'painter', agent: { ...linkTo(agent.links.self), email: 'forged@example.org' } }],
      });
      expect(artwork.creators).toEqual([{ role: 'painter', agent }]);
      expect((await api.put(`/agents/${agent.id}`, { name: 'Jan Havickszoon Steen', kind: 'person', email: `new-${EMAIL}` })).status).toBe(200);
      await settle();
      const stored = (await api.get(`/artworks/${artwork.id}`)).body;
      expect(stored.creators[0].agent).toEqual({ name: 'Jan Havickszoon Steen', kind: 'person', id: agent.id, links: { self: agent.links.self } });
      expect(await titles('havickszoon')).toEqual(['The Merry Family']);
      expect(await titles('leysterstudio')).toEqual([]);
      const rows = await catalogue.app.get(DataSource).query('SELECT metadata FROM artwork');
      expect(JSON.stringify(rows)).not.toMatch(/private\.example|forged@example/);
      expect((await catalogue.app.get(ReferencesMaintenance).verify()).withheld).toEqual([]);
    });

    it('answers an email that is not one with 400 naming the field', async () => {
      const response = await api.post('/agents', { name: 'Nobody', kind: 'person', email: 'not an address' });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain('email');
    });
  });
});

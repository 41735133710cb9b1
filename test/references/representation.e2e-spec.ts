import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Exclude, Expose, Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { InlineReference, ReferenceEnabled, ReferencesConfigurationError } from 'nestjs-references';
import { JsonDocument } from '../../apps/catalogue/src/database/json-document.js';
import { BASE_URL, testTablesMigration } from '../support/fixtures.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const SECRET = 'ada@private.example';

/**
 * The "deploy" of a new representation: the people's `representation` function reads it, as an app's would
 * read its code. Reset after each test.
 */
const deployed = { hideAliases: false };

/** A person: `email` never leaves the record, `city` travels to the `reference` group, `notes` to `admin` only. */
class PersonMetadata {
  @IsString() name: string;
  @Exclude() @IsString() @IsOptional() email?: string;
  @Expose({ groups: ['reference'] }) @IsString() @IsOptional() city?: string;
  @Expose({ groups: ['admin'] }) @IsString() @IsOptional() notes?: string;
  @IsString({ each: true }) @IsOptional() aliases?: string[];
}

@Entity('rep_person')
@ReferenceEnabled<Person>({
  route: 'people',
  schema: PersonMetadata,
  groups: ['reference'],
  // A column of the record besides its metadata travels too (the function gets the whole entity).
  representation: (person) => {
    const content = person.honorific ? { ...person.metadata, honorific: person.honorific } : person.metadata;
    if (!deployed.hideAliases) return content;
    const { aliases: _hidden, ...rest } = content;
    return rest;
  },
})
class Person extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: PersonMetadata & Record<string, any>;
  @Column({ type: 'varchar', length: 100, nullable: true }) honorific?: string | null;
}

/** A member of a team: a copy of a person inside an array of nested objects. */
class Member {
  @IsString() role: string;
  @InlineReference() person: Record<string, any>;
}

class TeamMetadata {
  @IsString() title: string;
  @InlineReference() @IsOptional() lead?: Record<string, any>;
  @ValidateNested({ each: true }) @Type(() => Member) @IsOptional() members?: Member[];
  /** A postprocess that tries to widen the copy: it never brings a withheld key back. */
  @InlineReference({ postprocess: (content) => ({ ...content, email: 'guessed@example.org', label: `${content.name}!` }) })
  @IsOptional()
  contact?: Record<string, any>;
  @InlineReference({ fields: ['name', 'email'] }) @IsOptional() named?: Record<string, any>;
}

@Entity('rep_team')
@ReferenceEnabled({ route: 'teams', schema: TeamMetadata })
class Team extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: TeamMetadata;
}

/** A local copy of a remote person (a mirror): it holds what the remote sends; its own copies leave `email` out. */
@InlineReference()
class RemoteContact {
  @IsString() @IsOptional() name?: string;
  @Exclude() @IsString() @IsOptional() email?: string;
}

@Entity('rep_contact')
@ReferenceEnabled({ route: 'contacts', schema: RemoteContact })
class Contact extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: RemoteContact & Record<string, any>;
}

/** Two levels up: a project copies a team, which copies people; it also copies a person and a mirror directly. */
class ProjectMetadata {
  @IsString() title: string;
  @InlineReference() @IsOptional() team?: Record<string, any>;
  @InlineReference() @IsOptional() owner?: Record<string, any>;
  @InlineReference() @IsOptional() contact?: Record<string, any>;
}

@Entity('rep_project')
@ReferenceEnabled({ route: 'projects', schema: ProjectMetadata })
class Project extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: ProjectMetadata;
}

const CreateRepresentationTables1764000000002 = testTablesMigration(1764000000002, {
  rep_person: ', "honorific" varchar(100) NULL',
  rep_team: '',
  rep_contact: '',
  rep_project: '',
});

const url = (route: string, id: string) => `${BASE_URL}/${route}/${id}`;
const link = (self: string) => ({ links: { self } });

describe.each(DATABASES_AND_MODES)('what a copy holds, on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode }, [], {
      entities: [Person, Team, Contact, Project],
      migrations: [CreateRepresentationTables1764000000002],
    });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    deployed.hideAliases = false;
  });

  const save = async <T extends object>(entity: new () => T, metadata: object): Promise<T> => {
    const repository = ctx.dataSource.getRepository(entity);
    const saved = await repository.save(repository.create({ metadata } as any) as unknown as T);
    await ctx.settle();
    return saved;
  };
  const reload = async <T extends { id: string }>(record: T): Promise<T> =>
    (await ctx.dataSource.getRepository(record.constructor as new () => T).findOneByOrFail({ id: record.id } as any)) as T;
  /** Every stored document of the referrer tables, as text: where a withheld value must never be. */
  const storedCopies = async (dataSource: DataSource) => {
    const documents = await Promise.all([Team, Project].map((entity) => dataSource.getRepository(entity).find()));
    return JSON.stringify(documents.flat().map((record) => record.metadata));
  };
  const person = (metadata: Partial<PersonMetadata> = {}) =>
    save(Person, { name: 'Ada', email: SECRET, city: 'London', notes: 'admin only', ...metadata });

  describe('an excluded key never reaches a copy', () => {
    it('on create: a copy holds the representation (groups applied), never the excluded or other-group keys', async () => {
      const ada = await person();
      const team = await save(Team, { title: 'Engines', lead: link(url('people', ada.id)) });
      expect((await reload(team)).metadata.lead).toEqual({ name: 'Ada', city: 'London', id: ada.id, links: { self: url('people', ada.id) } });
      expect((await reload(ada)).metadata).toMatchObject({ email: SECRET, notes: 'admin only' });
      expect(ctx.references.representationOf(ada)).not.toHaveProperty('email');
    });

    it('a representation may read the whole record: what it returns is copied on write and on change', async () => {
      const repository = ctx.dataSource.getRepository(Person);
      const ada = await repository.save(repository.create({ metadata: { name: 'Ada (countess)', email: SECRET }, honorific: 'Countess' }));
      const team = await save(Team, { title: 'Engines', lead: link(url('people', ada.id)) });
      expect((await reload(team)).metadata.lead).toEqual({ name: 'Ada (countess)', honorific: 'Countess', id: ada.id, links: { self: url('people', ada.id) } });
      ada.honorific = 'Countess of Lovelace';
      await repository.save(ada);
      await ctx.settle();
      expect((await reload(team)).metadata.lead?.honorific).toBe('Countess of Lovelace');
    });

    it('on update, in copies inside arrays, and transitively two levels down', async () => {
      const ada = await person();
      const team = await save(Team, { title: 'Engines', members: [{ role: 'analyst', person: link(url('people', ada.id)) }] });
      const project = await save(Project, { title: 'Analytical', team: link(url('teams', team.id)), owner: link(url('people', ada.id)) });
      ada.metadata = { ...ada.metadata, name: 'Ada Lovelace', email: 'new@private.example' };
      await ctx.dataSource.getRepository(Person).save(ada);
      await ctx.settle();
      expect((await reload(team)).metadata.members?.[0].person).toEqual({
        name: 'Ada Lovelace',
        city: 'London',
        id: ada.id,
        links: { self: url('people', ada.id) },
      });
      const stored = (await reload(project)).metadata;
      expect(stored.team?.members[0].person.name).toBe('Ada Lovelace');
      expect(stored.owner?.name).toBe('Ada Lovelace');
      const text = await storedCopies(ctx.dataSource);
      for (const privateValue of [SECRET, 'new@private.example', 'admin only']) expect(text).not.toContain(privateValue);
      expect((await ctx.maintenance.verify()).ok).toBe(true);
    });

    it("a referrer's fields and postprocess narrow the representation, never widen it", async () => {
      const ada = await person();
      const team = await save(Team, { title: 'Engines', contact: link(url('people', ada.id)), named: link(url('people', ada.id)) });
      const stored = (await reload(team)).metadata;
      // `fields` names `email`: the representation has none to keep. The postprocess adds a label, and no email.
      expect(stored.named).toEqual({ name: 'Ada', id: ada.id, links: { self: url('people', ada.id) } });
      expect(stored.contact).toMatchObject({ name: 'Ada', label: 'Ada!' });
      expect(stored.contact).not.toHaveProperty('email');
    });

    it('referenceContentChanged for a mirror: the mirror holds what the remote sent, its copies leave out the excluded key', async () => {
      const remote = 'https://people.example.org/people/7';
      const mirror = await save(Contact, { links: { self: remote }, name: 'Grace' });
      const project = await save(Project, { title: 'Compilers', contact: link(url('contacts', mirror.id)) });
      await ctx.references.referenceContentChanged({ name: 'Grace Hopper', email: 'grace@private.example' }, { url: remote });
      await ctx.settle();
      expect((await reload(mirror)).metadata).toEqual({ name: 'Grace Hopper', email: 'grace@private.example', links: { self: remote } });
      expect((await reload(project)).metadata.contact).toEqual({ name: 'Grace Hopper', id: mirror.id, links: { self: url('contacts', mirror.id) } });
      expect((await ctx.maintenance.verify()).withheld).toEqual([]);
    });
  });

  describe('checked at the door', () => {
    it('a forged copy carrying an excluded key is rebuilt from the target', async () => {
      const ada = await person();
      const forged = { name: 'Ada', email: 'forged@example.org', notes: 'forged', id: ada.id, links: { self: url('people', ada.id) } };
      const team = await save(Team, { title: 'Engines', lead: forged, members: [{ role: 'analyst', person: forged }] });
      const stored = (await reload(team)).metadata;
      for (const copy of [stored.lead, stored.members?.[0].person]) {
        expect(copy).toEqual({ name: 'Ada', city: 'London', id: ada.id, links: { self: url('people', ada.id) } });
      }
    });

    it('a copy of a local record that does not exist keeps what was sent but the withheld keys; a remote copy is kept as sent', async () => {
      const missing = url('people', '00000000-0000-4000-8000-000000000000');
      const remote = 'https://people.example.org/people/8';
      const team = await save(Team, {
        title: 'Ghosts',
        lead: { name: 'Nobody', email: 'nobody@example.org', links: { self: missing } },
        members: [{ role: 'guest', person: { name: 'Remote', email: 'remote@example.org', links: { self: remote } } }],
      });
      const stored = (await reload(team)).metadata;
      expect(stored.lead).toEqual({ name: 'Nobody', links: { self: missing } });
      expect(stored.members?.[0].person).toEqual({ name: 'Remote', email: 'remote@example.org', links: { self: remote } });
      // NOTE: gone again, so that the dangling reference does not fail the suite's later verify().
      await ctx.dataSource.getRepository(Team).remove(team);
      await ctx.settle();
    });
  });

  describe('a change of the representation is a change of every copy', () => {
    it('verify reports the copies as stale because the representation changed; refreshStale rewrites them and verify is clean', async () => {
      const ada = await person({ name: 'Ada (rollout)', aliases: ['A. L.'] });
      const team = await save(Team, { title: 'Engines', lead: link(url('people', ada.id)), members: [{ role: 'analyst', person: link(url('people', ada.id)) }] });
      const project = await save(Project, { title: 'Analytical', team: link(url('teams', team.id)) });
      expect((await reload(team)).metadata.lead).toHaveProperty('aliases');

      deployed.hideAliases = true;
      const before = await ctx.maintenance.verify();
      const mine = <T extends { referrerId: string }>(rows: T[]) => rows.filter((row) => row.referrerId === team.id);
      expect(mine(before.stale)).toEqual([
        expect.objectContaining({ path: 'lead', cause: 'representation' }),
        expect.objectContaining({ path: 'members[0].person', cause: 'representation' }),
      ]);
      expect(mine(before.withheld)).toEqual([
        expect.objectContaining({ path: 'lead', keys: ['aliases'] }),
        expect.objectContaining({ path: 'members[0].person', keys: ['aliases'] }),
      ]);

      const progress: number[] = [];
      const result = await ctx.maintenance.refreshStale({ type: 'people', onProgress: (done) => progress.push(done) });
      await ctx.settle();
      expect(result).toEqual({ targets: 1, refreshed: 1, done: true });
      expect(progress).toEqual([1]);
      expect((await reload(team)).metadata.lead).not.toHaveProperty('aliases');
      expect((await reload(project)).metadata.team?.lead).not.toHaveProperty('aliases');
      const after = await ctx.maintenance.verify();
      expect([after.stale, after.withheld, after.ok]).toEqual([[], [], true]);
    });

    it('names a stale copy whose values differ as a change of content', async () => {
      const ada = await person({ name: 'Ada (content)' });
      const team = await save(Team, { title: 'Engines', lead: link(url('people', ada.id)) });
      await ctx.dataSource.createQueryBuilder().update(Person).set({ metadata: { ...ada.metadata, name: 'changed behind its back' } } as any).where('id = :id', { id: ada.id }).callListeners(false).execute();
      const report = await ctx.maintenance.verify();
      expect(report.stale.filter((row) => row.referrerId === team.id)).toEqual([expect.objectContaining({ path: 'lead', cause: 'content' })]);
      await ctx.maintenance.refreshStale();
      await ctx.settle();
      expect((await ctx.maintenance.verify()).ok).toBe(true);
    });

    it('refuses a type it does not know, naming the types', async () => {
      await expect(ctx.maintenance.refreshStale({ type: 'nope' })).rejects.toThrow(ReferencesConfigurationError);
      await expect(ctx.maintenance.refreshStale({ type: 'nope' })).rejects.toThrow(/no reference type "nope" \(the types are .*people/);
    });
  });

  describe('the leak audit', () => {
    it('finds copies planted directly in the database holding a withheld key, at the top and two levels down', async () => {
      const ada = await person({ name: 'Ada (audit)' });
      const team = await save(Team, { title: 'Engines', lead: link(url('people', ada.id)) });
      const project = await save(Project, { title: 'Analytical', team: link(url('teams', team.id)) });
      const leak = <T extends Team | Project>(entity: new () => T, record: T, metadata: object) =>
        ctx.dataSource.createQueryBuilder().update(entity).set({ metadata } as any).where('id = :id', { id: record.id }).callListeners(false).execute();
      const plantedTeam = (await reload(team)).metadata;
      await leak(Team, team, { ...plantedTeam, lead: { ...plantedTeam.lead, email: SECRET, notes: 'planted' } });
      const plantedProject = (await reload(project)).metadata;
      await leak(Project, project, { ...plantedProject, team: { ...plantedProject.team, lead: { ...plantedProject.team!.lead, email: SECRET } } });

      const report = await ctx.maintenance.verify();
      expect(report.ok).toBe(false);
      expect(report.withheld.filter((row) => [team.id, project.id].includes(row.referrerId))).toEqual([
        expect.objectContaining({ referrerType: 'teams', referrerId: team.id, path: 'lead', reference: url('people', ada.id), keys: ['email', 'notes'] }),
        expect.objectContaining({ referrerType: 'projects', referrerId: project.id, path: 'team', reference: url('teams', team.id), keys: ['lead.email'] }),
      ]);

      await ctx.maintenance.refreshStale();
      await ctx.settle();
      expect((await ctx.maintenance.verify()).withheld).toEqual([]);
      expect(await storedCopies(ctx.dataSource)).not.toContain(SECRET);
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { CatalogueConfigError, DEFAULT_SQLITE_FILE, loadCatalogueConfig } from './catalogue.config.js';

describe('loadCatalogueConfig', () => {
  it('defaults to SQLite on port 3000, the stored base URL (localhost for a new database), a random token and the demo set', () => {
    const config = loadCatalogueConfig({}, []);
    expect(config).toEqual({
      database: { type: 'better-sqlite3', database: DEFAULT_SQLITE_FILE },
      role: 'all',
      redisUrl: undefined,
      port: 3000,
      baseUrl: undefined,
      defaultBaseUrl: 'http://localhost:3000',
      baseUrlAliases: ['http://127.0.0.1:3000'],
      token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      tokenGenerated: true,
      demo: true,
      healthMaxPendingAgeMs: 300_000,
    });
    expect(loadCatalogueConfig({}, []).token).not.toBe(config.token);
  });

  it('reads every variable', () => {
    const config = loadCatalogueConfig(
      {
        DATABASE_URL: 'postgres://catalogue@db:5432/catalogue',
        REDIS_URL: 'redis://cache:6379',
        PORT: '8080',
        BASE_URL: 'https://catalogue.example.org/',
        BASE_URL_ALIASES: 'https://www.catalogue.example.org, http://catalogue.internal:8080/',
        CATALOGUE_TOKEN: 'a-long-enough-token',
        HEALTH_MAX_PENDING_SECONDS: '60',
      },
      ['--no-demo'],
    );
    expect(config).toEqual({
      database: { type: 'postgres', url: 'postgres://catalogue@db:5432/catalogue' },
      role: 'all',
      redisUrl: 'redis://cache:6379',
      queueDriver: 'bull',
      port: 8080,
      baseUrl: 'https://catalogue.example.org',
      defaultBaseUrl: 'http://localhost:8080',
      baseUrlAliases: ['https://www.catalogue.example.org', 'http://catalogue.internal:8080'],
      token: 'a-long-enough-token',
      tokenGenerated: false,
      demo: false,
      healthMaxPendingAgeMs: 60_000,
    });
  });

  it.each([
    ['mysql://catalogue@db:3306/catalogue', 'mysql'],
    ['mariadb://catalogue@db:3306/catalogue', 'mariadb'],
  ])('reads a MariaDB / MySQL DATABASE_URL %s, with the READ COMMITTED isolation the library needs there', (url, type) => {
    expect(loadCatalogueConfig({ DATABASE_URL: url }, []).database).toEqual({ type, url, isolationLevel: 'READ COMMITTED' });
  });

  it('derives the base URL of a new database and its alias from PORT', () => {
    expect(loadCatalogueConfig({ PORT: '4000' }, [])).toMatchObject({
      baseUrl: undefined,
      defaultBaseUrl: 'http://localhost:4000',
      baseUrlAliases: ['http://127.0.0.1:4000'],
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT must be a whole number/],
    [{ BASE_URL: 'catalogue.example.org' }, /^BASE_URL must be an absolute http\(s\) URL/],
    [{ DATABASE_URL: 'mongodb://root@db/catalogue' }, /^DATABASE_URL must be a PostgreSQL URL .* or a MariaDB \/ MySQL URL/],
    [{ DATABASE_URL: 'mysql:///catalogue' }, /^DATABASE_URL must be a PostgreSQL URL/],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must be a URL like redis:\/\/host:6379/],
    [{ CATALOGUE_TOKEN: 'short' }, /^CATALOGUE_TOKEN must be at least 8 characters/],
    [{ HEALTH_MAX_PENDING_SECONDS: '0' }, /^HEALTH_MAX_PENDING_SECONDS must be a whole number of seconds/],
    [{ HEALTH_MAX_PENDING_SECONDS: '5m' }, /^HEALTH_MAX_PENDING_SECONDS must be a whole number of seconds/],
  ])('refuses %j with one line', (env, message) => {
    expect(() => loadCatalogueConfig(env, [])).toThrow(CatalogueConfigError);
    expect(() => loadCatalogueConfig(env, [])).toThrow(message);
  });

  it('refuses an unknown argument', () => {
    expect(() => loadCatalogueConfig({}, ['--demo=no'])).toThrow(
      'unknown argument "--demo=no" (the options are --no-demo and --role api|worker)',
    );
  });

  it('never echoes a password from a connection URL', () => {
    expect(() => loadCatalogueConfig({ DATABASE_URL: 'mongodb://root:hunter2@db/catalogue' }, [])).toThrow(
      'got "mongodb://root:***@db/catalogue"',
    );
  });

  describe('--role', () => {
    const queue = { REDIS_URL: 'redis://127.0.0.1:6379' };

    it('runs API and worker in one process by default', () => {
      expect(loadCatalogueConfig(queue, []).role).toBe('all');
    });

    it.each([
      [['--role', 'api'], 'api'],
      [['--role=worker'], 'worker'],
      [['--no-demo', '--role', 'all'], 'all'],
    ])('reads %j as %s', (args, role) => {
      expect(loadCatalogueConfig(queue, args as string[]).role).toBe(role);
    });

    it('refuses an unknown role', () => {
      expect(() => loadCatalogueConfig(queue, ['--role', 'scheduler'])).toThrow('--role must be api, worker or all, got "scheduler"');
      expect(() => loadCatalogueConfig(queue, ['--role'])).toThrow('--role must be api, worker or all, got ""');
    });

    it('refuses to split sync mode, which has no workers', () => {
      expect(() => loadCatalogueConfig({}, ['--role', 'worker'])).toThrow('--role worker splits queue mode into API and worker processes: set REDIS_URL');
    });
  });

  describe('QUEUE_DRIVER', () => {
    const queue = { REDIS_URL: 'redis://127.0.0.1:6379' };

    it('runs queue mode on Bull unless told otherwise', () => {
      expect(loadCatalogueConfig(queue, []).queueDriver).toBe('bull');
      expect(loadCatalogueConfig({ ...queue, QUEUE_DRIVER: '' }, []).queueDriver).toBe('bull');
    });

    it.each(['bull', 'bullmq'])('reads QUEUE_DRIVER=%s', (driver) => {
      expect(loadCatalogueConfig({ ...queue, QUEUE_DRIVER: driver }, []).queueDriver).toBe(driver);
    });

    it('has no driver in sync mode', () => {
      expect(loadCatalogueConfig({}, []).queueDriver).toBeUndefined();
    });

    it('refuses an unknown driver', () => {
      expect(() => loadCatalogueConfig({ ...queue, QUEUE_DRIVER: 'BullMQ' }, [])).toThrow(CatalogueConfigError);
      expect(() => loadCatalogueConfig({ ...queue, QUEUE_DRIVER: 'kafka' }, [])).toThrow('QUEUE_DRIVER must be bull or bullmq, got "kafka"');
    });

    it('refuses a driver without REDIS_URL, which would silently run sync mode', () => {
      expect(() => loadCatalogueConfig({ QUEUE_DRIVER: 'bullmq' }, [])).toThrow(
        'QUEUE_DRIVER=bullmq chooses the queue library of queue mode: set REDIS_URL too (or unset QUEUE_DRIVER)',
      );
    });
  });
});

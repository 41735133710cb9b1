import { Inject, Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { BaseUrlMismatchError, ReferencesConfigurationError } from '../errors/references.errors.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { BASE_URL_SETTING, REFERENCES_BASE_URL, REFERENCES_DATA_SOURCE, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { ReferenceSetting } from './reference-setting.entity.js';

/** The base URL of every canonical URL, and the other origins that name the same records (rewritten on input). */
export interface ResolvedBaseUrl {
  url: string;
  aliases: string[];
  /** The base URL the process was started with, when it was given one. */
  configured?: string;
}

/** `https://Example.org:443/cat/` → `https://example.org/cat`: the form the library compares and stores. */
export function normalizeBaseUrl(value: string, what = 'baseUrl'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ReferencesConfigurationError(`ReferencesModule: ${what} must be an absolute http(s) URL, got "${value}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new ReferencesConfigurationError(`ReferencesModule: ${what} must be an absolute http(s) URL without user, query or fragment, got "${value}"`);
  }
  return `${url.protocol}//${url.host.replace(/\.(?=$|:)/, '')}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The base URL of this process: the one stored with the references (recorded at the first start), which
 * a configured `baseUrl` must equal; `defaultBaseUrl` only for a database that has none yet. So a process
 * started on another port, a worker or a CLI without the app's settings never writes or reads references
 * under another base URL than the data has: it uses the stored one, or refuses to start.
 */
export async function resolveBaseUrl(dataSource: DataSource, options: ReferencesModuleOptions): Promise<ResolvedBaseUrl> {
  const settings = dataSource.getRepository(ReferenceSetting);
  const configured = options.baseUrl === undefined ? undefined : normalizeBaseUrl(options.baseUrl);
  let stored = (await settings.findOneBy({ key: BASE_URL_SETTING }))?.value;
  if (stored === undefined) {
    const first = configured ?? (options.defaultBaseUrl === undefined ? undefined : normalizeBaseUrl(options.defaultBaseUrl, 'defaultBaseUrl'));
    if (first === undefined) {
      throw new ReferencesConfigurationError('ReferencesModule: the database has no base URL yet; give baseUrl (or defaultBaseUrl)');
    }
    // NOTE: two processes may start at once on a new database: the first insert wins, the other reads it.
    await settings.createQueryBuilder().insert().values({ key: BASE_URL_SETTING, value: first }).orIgnore().execute();
    stored = (await settings.findOneByOrFail({ key: BASE_URL_SETTING })).value;
  }
  return { url: stored, configured, aliases: (options.aliases ?? []).map((alias) => normalizeBaseUrl(alias, 'aliases')).filter((a) => a !== stored) };
}

/** The core module's provider of the resolved base URL (after the data source is up and migrated). */
export const baseUrlProvider: Provider = {
  provide: REFERENCES_BASE_URL,
  useFactory: resolveBaseUrl,
  inject: [REFERENCES_DATA_SOURCE, REFERENCES_MODULE_OPTIONS],
};

/**
 * Refuses to start a process whose configured base URL is not the stored one. A module-init check rather
 * than an error of the provider, so that the application can still be closed (its connections released).
 */
@Injectable()
export class BaseUrlCheck implements OnModuleInit {
  constructor(@Inject(REFERENCES_BASE_URL) private readonly base: ResolvedBaseUrl) {}

  onModuleInit(): void {
    if (this.base.configured !== undefined && this.base.configured !== this.base.url) {
      throw new BaseUrlMismatchError(this.base.url, this.base.configured);
    }
  }
}

import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CATALOGUE_CONFIG, type CatalogueConfig } from '../config/catalogue.config.js';

/** Lets a write through only with `Authorization: Bearer <CATALOGUE_TOKEN>`. */
@Injectable()
export class WriteTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(CATALOGUE_CONFIG) config: CatalogueConfig) {
    this.expected = digest(config.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const header: string | undefined = http.getRequest().headers?.authorization;
    const token = /^Bearer +(\S+)$/i.exec(header ?? '')?.[1];
    // NOTE: comparing digests of equal length keeps the comparison constant-time whatever the client sends.
    if (token !== undefined && timingSafeEqual(digest(token), this.expected)) return true;
    http.getResponse().setHeader?.('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(
      token === undefined ? 'writes need an Authorization: Bearer <token> header' : 'the Bearer token is wrong',
    );
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CATALOGUE_CONFIG, type CatalogueConfig } from '../config/catalogue.config.js';
import { bearerToken, tokenDigest, tokenMatches } from './write-token.js';

/** Lets a write through only with `Authorization: Bearer <CATALOGUE_TOKEN>`. */
@Injectable()
export class WriteTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(CATALOGUE_CONFIG) config: CatalogueConfig) {
    this.expected = tokenDigest(config.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const token = bearerToken(http.getRequest().headers?.authorization);
    if (tokenMatches(token, this.expected)) return true;
    http.getResponse().setHeader?.('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(
      token === undefined ? 'writes need an Authorization: Bearer <token> header' : 'the Bearer token is wrong',
    );
  }
}

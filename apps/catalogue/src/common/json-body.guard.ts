import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { UnsupportedContentTypeError } from './request.errors.js';

/** The part of Express' request this guard reads. */
interface TypedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Express' `req.is()`: the matching type, `false`, or `null` when the request has no body. */
  is(type: string): string | false | null;
}

/** Methods whose body is the record. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Lets a write through only with an `application/json` body (`UnsupportedContentTypeError`, 415, otherwise).
 * Express also parses form bodies, with rules of its own (a `__proto__` key vanishes without a word); the
 * catalogue's records are JSON documents, and a client that sends anything else should hear so.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TypedRequest>();
    if (!BODY_METHODS.has(request.method) || request.is('application/json')) return true;
    const contentType = request.headers['content-type'];
    throw new UnsupportedContentTypeError(Array.isArray(contentType) ? contentType.join(', ') : contentType);
  }
}

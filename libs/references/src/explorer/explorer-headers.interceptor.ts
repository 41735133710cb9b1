import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { EXPLORER_CSP } from './explorer.constants.js';
import type { ExplorerResponse } from './explorer-response.interface.js';

/** Every explorer answer carries the CSP and is never cached: it shows data as it is now. */
@Injectable()
export class ExplorerHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<ExplorerResponse>();
    response.setHeader('Content-Security-Policy', EXPLORER_CSP);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'same-origin');
    response.setHeader('Cache-Control', 'no-store');
    return next.handle();
  }
}

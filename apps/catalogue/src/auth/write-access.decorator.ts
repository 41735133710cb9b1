import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { WriteTokenGuard } from './write-token.guard.js';

/** Marks a handler that writes: it needs the Bearer token, and the docs say so. */
export function WriteAccess(): MethodDecorator {
  return applyDecorators(
    UseGuards(WriteTokenGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No `Authorization: Bearer <token>` header, or a wrong token' }),
  );
}

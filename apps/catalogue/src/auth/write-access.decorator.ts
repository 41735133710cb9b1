import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse, ApiUnsupportedMediaTypeResponse } from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body.dto.js';
import { JsonBodyGuard } from '../common/json-body.guard.js';
import { WriteTokenGuard } from './write-token.guard.js';

/** Marks a handler that writes: it needs the Bearer token (checked first) and a JSON body, and the docs say so. */
export function WriteAccess(): MethodDecorator {
  return applyDecorators(
    UseGuards(WriteTokenGuard, JsonBodyGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No `Authorization: Bearer <token>` header, or a wrong token', type: ErrorBody }),
    ApiUnsupportedMediaTypeResponse({ description: 'POST and PUT take `Content-Type: application/json` only', type: ErrorBody }),
  );
}

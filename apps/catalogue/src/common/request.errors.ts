import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';

// The catalogue's own request errors. Each answers `{ statusCode, error: <its class name>, message }`, as the
// library's errors do, so that a client can tell them apart by `error`.

/** A write whose body is not `application/json` (a form, text, no body at all). */
export class UnsupportedContentTypeError extends UnsupportedMediaTypeException {
  constructor(readonly contentType: string | undefined) {
    super({
      statusCode: 415,
      error: 'UnsupportedContentTypeError',
      message: `Content-Type must be application/json, got ${contentType ? JSON.stringify(contentType) : 'none'}`,
    });
  }
}

/** A body or query holds keys that its DTO does not declare; the message names each of them. */
export class UnknownKeyError extends BadRequestException {
  constructor(readonly keys: string[]) {
    super({
      statusCode: 400,
      error: 'UnknownKeyError',
      message: keys.map((key) => `property ${key} should not exist`),
    });
  }
}

/** A field's value breaks its DTO's rules (type, range, format); `message` holds one line per broken rule. */
export class InvalidFieldsError extends BadRequestException {
  constructor(readonly messages: string[]) {
    super({ statusCode: 400, error: 'InvalidFieldsError', message: messages });
  }
}

import { Inject } from '@nestjs/common';
import { REFERENCES_QUEUE_TOKEN } from '../references.constants.js';

/**
 * Injects the Bull queue of queue mode (to mount a dashboard, check Redis, or hand it to `runOnReferrers`).
 *
 * @example
 * constructor(@InjectReferencesQueue() private readonly queue: Queue) {}
 */
export const InjectReferencesQueue = (): ParameterDecorator & PropertyDecorator => Inject(REFERENCES_QUEUE_TOKEN);

import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { REFERRERS_UPDATED_EVENT, type ReferrersUpdatedEvent } from 'nestjs-references';

/**
 * Where a real catalogue would reindex its search engine: the library emits this event after commit,
 * once per batch of records whose inline copies it refreshed. Here it only logs.
 */
@Injectable()
export class ReferrersUpdatedListener {
  private readonly logger = new Logger('References');

  @OnEvent(REFERRERS_UPDATED_EVENT)
  onReferrersUpdated(event: ReferrersUpdatedEvent): void {
    this.logger.log(`${event.referrerIds.length} ${event.referrerType} updated after ${event.reference} changed`);
  }
}

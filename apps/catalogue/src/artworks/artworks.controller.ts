import { createRecordsController } from '../common/records.controller.js';
import { ArtworkListQuery } from './artwork-list-query.dto.js';
import { ArtworkMetadata } from './artwork-metadata.dto.js';
import { ArtworksService } from './artworks.service.js';

/** `/artworks`: artworks, answered as `{ ...metadata, id, links: { self } }`; `GET /artworks?q=` searches them. */
export const ArtworksController = createRecordsController({
  route: 'artworks',
  label: 'artwork',
  schemaName: 'Artwork',
  store: ArtworksService,
  metadata: ArtworkMetadata,
  listQuery: ArtworkListQuery,
  searchable: true,
  listDescription:
    'A page of artworks in the order of their ids: { items, next, total, totalExact }; with q, the artworks that match, ' +
    'best first, { items, total, totalExact }, paged by offset',
  listBadRequest:
    'A bad limit, offset, cursor or q (q needs a letter or digit, at most 200 characters; a cursor goes with neither offset nor q)',
});

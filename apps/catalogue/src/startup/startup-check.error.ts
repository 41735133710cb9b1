/** A server the catalogue needs cannot be used at start: its message is the one line the operator sees. */
export class StartupCheckError extends Error {
  override readonly name = 'StartupCheckError';
}

/** The part of the platform's response the explorer uses (Express; Fastify's reply has the same methods). */
export interface ExplorerResponse {
  setHeader(name: string, value: string): unknown;
  status(code: number): unknown;
  redirect(status: number, url: string): void;
  headersSent?: boolean;
  send?(body: string): unknown;
  end?(body: string): unknown;
}

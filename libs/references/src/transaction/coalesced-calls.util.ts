import type { EntityManager } from 'typeorm';

interface Call<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Calls on one manager made in one synchronous run, handed to `run` together, so that N calls cost one
 * statement instead of N. TypeORM calls the subscriber for every entity of a `save([...])` in one loop
 * (before-events, then after-events, each awaited together), so the entities of one save meet here; a
 * single save is a batch of one, one microtask later.
 *
 * `run` answers, per item, the error that item failed with (or nothing): each call settles with its own
 * outcome. Items of one batch reach `run` in the order of the calls.
 */
export class CoalescedCalls<T> {
  private readonly pending = new WeakMap<EntityManager, Array<Call<T>>>();

  constructor(private readonly run: (manager: EntityManager, items: T[]) => Promise<Array<unknown | undefined> | void>) {}

  call(manager: EntityManager, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let calls = this.pending.get(manager);
      if (!calls) {
        calls = [];
        this.pending.set(manager, calls);
        // NOTE: a microtask runs once the loop that makes the calls has returned, before any query answers.
        queueMicrotask(() => void this.flush(manager));
      }
      calls.push({ item, resolve, reject });
    });
  }

  private async flush(manager: EntityManager): Promise<void> {
    const calls = this.pending.get(manager)!;
    // NOTE: taken out first: a call made while `run` works (a nested save) starts a batch of its own.
    this.pending.delete(manager);
    let errors: Array<unknown | undefined> | void;
    try {
      errors = await this.run(manager, calls.map((c) => c.item));
    } catch (error) {
      for (const c of calls) c.reject(error);
      return;
    }
    calls.forEach((c, i) => (errors?.[i] === undefined ? c.resolve() : c.reject(errors[i])));
  }
}

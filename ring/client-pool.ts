/** Clients by ring instance id: the in-process ingester in the single binary, HTTP clients later. */

import type { InstanceDesc } from './model.js';

export interface ClientPool<C> {
  clientFor(inst: InstanceDesc): C;
}

export class StaticClientPool<C> implements ClientPool<C> {
  constructor(private readonly clients: ReadonlyMap<string, C>) {}
  clientFor(inst: InstanceDesc): C {
    const c = this.clients.get(inst.id);
    if (!c) throw new Error(`no client for ring instance ${inst.id} (${inst.addr})`);
    return c;
  }
}

/** The ring's shared state: every instance with its tokens, state and heartbeat. */

export type InstanceState = 'PENDING' | 'JOINING' | 'ACTIVE' | 'LEAVING' | 'READONLY';

export interface InstanceDesc {
  readonly id: string;
  readonly addr: string;
  readonly zone: string;
  readonly state: InstanceState;
  /** Milliseconds since the epoch of the last heartbeat. */
  readonly timestamp: number;
  readonly registeredTimestamp: number;
  /** Sorted ascending. */
  readonly tokens: readonly number[];
}

export interface RingDesc {
  readonly instances: Readonly<Record<string, InstanceDesc>>;
}

export const emptyRing: RingDesc = { instances: {} };

export type Operation = 'write' | 'read';

export function healthyFor(inst: InstanceDesc, op: Operation, now: number, heartbeatTimeoutMs: number): boolean {
  if (heartbeatTimeoutMs > 0 && now - inst.timestamp > heartbeatTimeoutMs) return false;
  if (op === 'write') return inst.state === 'ACTIVE';
  return inst.state !== 'PENDING';
}

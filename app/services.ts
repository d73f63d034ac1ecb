/**
 * One lifecycle for every component (after Cortex's services): New → Starting → Running →
 * Stopping → Terminated, or Failed from Starting/Running. Constructors do no I/O; `starting`
 * does it; `stopping` releases it. An AbortSignal plays the role of Go's context: it is aborted
 * when the service is asked to stop, so long-running work inside `starting`/`running` can end.
 */

export type ServiceState = 'New' | 'Starting' | 'Running' | 'Stopping' | 'Terminated' | 'Failed';

export interface ServiceHooks {
  /** Open resources; the service is Running when this resolves. */
  starting?(signal: AbortSignal): Promise<void>;
  /** Release resources, in reverse order of acquisition. */
  stopping?(): Promise<void>;
}

export class Service {
  private st: ServiceState = 'New';
  private failure: Error | null = null;
  private readonly abort = new AbortController();
  private readonly listeners: ((s: ServiceState) => void)[] = [];

  constructor(
    readonly name: string,
    private readonly hooks: ServiceHooks,
  ) {}

  state(): ServiceState {
    return this.st;
  }

  failureCase(): Error | null {
    return this.failure;
  }

  onStateChange(fn: (s: ServiceState) => void): void {
    this.listeners.push(fn);
  }

  async start(): Promise<void> {
    if (this.st !== 'New') throw new Error(`service ${this.name}: start in state ${this.st}`);
    this.set('Starting');
    try {
      await this.hooks.starting?.(this.abort.signal);
    } catch (e) {
      this.fail(e);
      throw this.failure;
    }
    if (this.abort.signal.aborted) return;
    this.set('Running');
  }

  async stop(): Promise<void> {
    if (this.st === 'Terminated' || this.st === 'Failed' || this.st === 'Stopping') return;
    const wasStarted = this.st === 'Running' || this.st === 'Starting';
    this.abort.abort();
    this.set('Stopping');
    if (wasStarted) {
      try {
        await this.hooks.stopping?.();
      } catch (e) {
        this.fail(e);
        return;
      }
    }
    this.set('Terminated');
  }

  private fail(e: unknown): void {
    this.failure = e instanceof Error ? e : new Error(String(e));
    this.set('Failed');
  }

  private set(s: ServiceState): void {
    this.st = s;
    for (const l of this.listeners) l(s);
  }
}

/**
 * Services started in dependency order and stopped in reverse. `ready()` is true only when every
 * service runs.
 */
export class ServiceManager {
  constructor(readonly services: readonly Service[]) {}

  async startAll(): Promise<void> {
    for (const s of this.services) await s.start();
  }

  async stopAll(): Promise<void> {
    for (const s of [...this.services].reverse()) await s.stop();
  }

  ready(): boolean {
    return this.services.every((s) => s.state() === 'Running');
  }

  states(): Record<string, ServiceState> {
    return Object.fromEntries(this.services.map((s) => [s.name, s.state()]));
  }

  failed(): Service | undefined {
    return this.services.find((s) => s.state() === 'Failed');
  }
}

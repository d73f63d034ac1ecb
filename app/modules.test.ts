import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { TargetError, buildApp, expandTargets } from './modules.js';

describe('modules', () => {
  it('expands -target=all into its modules, dependencies first', () => {
    const order = expandTargets(['all']);
    expect(order.indexOf('server')).toBe(0);
    expect(order.indexOf('ring')).toBeLessThan(order.indexOf('ingester'));
    expect(order.indexOf('ingester')).toBeLessThan(order.indexOf('distributor'));
    expect(order).toContain('querier');
  });

  it('refuses a role that is not built yet, saying so', () => {
    expect(() => expandTargets(['ruler'])).toThrow(TargetError);
    expect(() => expandTargets(['ruler'])).toThrow(/target "ruler" is not available yet/);
  });

  it('answers /ready 503 until every service runs, then 200; stops cleanly', async () => {
    const { config } = loadConfig(['-server.http-listen-address=127.0.0.1', '-server.http-listen-port=0']);
    const app = buildApp(config, pino({ level: 'silent' }));
    const before = await app.server.inject({ url: '/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.body).toMatch(/not Running/);
    await app.manager.startAll();
    try {
      const ready = await fetch(`http://127.0.0.1:${app.port()}/ready`);
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${app.port()}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP vigil_/m);
      expect(metrics).toMatch(/vigil_process_cpu_seconds_total/);
      expect(metrics).toMatch(/^vigil_ring_members\{state="ACTIVE"\} 1$/m);
      const cfg = await (await fetch(`http://127.0.0.1:${app.port()}/config`)).text();
      expect(cfg).toMatch(/http_listen_port: 0/);
      const diff = await (await fetch(`http://127.0.0.1:${app.port()}/config?mode=diff`)).text();
      expect(diff).not.toMatch(/max_series_per_user/);
      const rc = await fetch(`http://127.0.0.1:${app.port()}/runtime_config`);
      expect(rc.status).toBe(200);
    } finally {
      await app.manager.stopAll();
    }
    expect(Object.values(app.manager.states()).every((s) => s === 'Terminated')).toBe(true);
  });
});

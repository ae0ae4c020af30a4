// A real three-master Redis Cluster, started and torn down by this file: runs go end to end on it
// (QUEUE_SHARDS=3, so runs and queues spread over the masters), including a kill, a log follow and a
// webhook delivery.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../helpers/receiver.js';
import { auth, getRun, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

const PORTS = [7101, 7102, 7103];
const hasRedis = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
// In CI the cluster test must run (.ci/run installs redis-server and redis-cli); elsewhere it needs them.
const maybe = hasRedis || process.env.CI ? describe : describe.skip;

const cli = (port: number, ...args: string[]) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();

maybe('on a three-master Redis Cluster', () => {
  let dir: string;
  let h: Harness;
  let cluster: Cluster;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acifr-cluster-'));
    for (const port of PORTS) {
      // A node left over from an interrupted run would refuse to join: stop it first.
      spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
      const child = spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'yes', '--logfile', join(dir, `redis-${port}.log`),
      ], { stdio: 'ignore' });
      await new Promise((resolve) => child.on('exit', resolve));
    }
    await waitFor(async () => PORTS.map((p) => spawnSync('redis-cli', ['-p', String(p), 'ping'], { encoding: 'utf8' }).stdout.trim()), (a) => a.every((r) => r === 'PONG'), 10_000);
    execFileSync('redis-cli', ['--cluster', 'create', ...PORTS.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
    await waitFor(async () => PORTS.map((p) => cli(p, 'cluster', 'info')), (infos) => infos.every((i) => i.includes('cluster_state:ok')), 20_000);
    const nodes = PORTS.map((p) => `127.0.0.1:${p}`).join(',');
    h = await startService({ env: { REDIS_CLUSTER_NODES: nodes, QUEUE_SHARDS: '3', LOG_HEARTBEAT_MS: '500', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '50' } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    cluster = new Cluster(PORTS.map((port) => ({ host: '127.0.0.1', port })));
  }, 60_000);

  afterAll(async () => {
    cluster?.disconnect();
    await h?.close();
    for (const port of PORTS) spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: object) => h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });

  it('carries runs end to end, with their keys and queues spread over the masters', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => submission({ command: `sh -c "echo run ${i}; exit 0"` }));
    for (const body of bodies) expect((await post(body)).statusCode).toBe(202);
    for (const body of bodies) expect((await settled(h, body.flow_run.id)).state).toBe('COMPLETED');
    const logs = (await h.app.inject({ url: `/runs/${bodies[0].flow_run.id}/logs`, headers: auth })).json();
    expect(logs.lines.map((l: { line: string }) => l.line)).toEqual(['run 0']);
    const list = (await h.app.inject({ url: '/runs?limit=50', headers: auth })).json();
    expect(list.items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(bodies.map((b) => b.flow_run.id)));
    // Every master holds some of the service's keys: the shards really spread.
    const perMaster = await Promise.all(cluster.nodes('master').map((node) => node.scan('0', 'MATCH', `{${h.config.queuePrefix}:*`, 'COUNT', 10_000)));
    expect(perMaster.filter(([, keys]) => keys.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('kills a running run', async () => {
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await post(body)).json().infrastructure_pid;
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING');
    expect((await h.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth })).statusCode).toBe(202);
    expect((await settled(h, body.flow_run.id)).state).toBe('CANCELLED');
  });

  it('follows the logs of a run to its end', async () => {
    const body = submission({ stream_output: true, command: 'sh -c "echo one; sleep 100; echo two; sleep 100; echo three; exit 0"' });
    await post(body);
    const { port } = h.app.server.address() as AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/runs/${body.flow_run.id}/logs?follow=true`, headers: auth }, (res) => {
        let out = '';
        res.on('data', (c) => (out += c));
        res.on('end', () => resolve(out));
      });
      req.on('error', reject);
      req.end();
    });
    const lines = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
    expect(lines.filter((d) => d.line !== undefined).map((d) => d.line)).toEqual(['one', 'two', 'three']);
    expect(lines.at(-1).state).toBe('COMPLETED');
  });

  it('delivers the state changes of a run to a webhook, with every webhook key in one slot', async () => {
    const receiver = await startReceiver();
    try {
      const put = await h.app.inject({ method: 'PUT', url: '/webhooks/on-cluster', headers: auth, payload: { url: receiver.url, events: ['*'], secret: 'whsec-cluster-0123456789' } });
      expect(put.statusCode).toBe(201);
      const body = submission({ command: 'sh -c "echo hooked; exit 0"' });
      expect((await post(body)).statusCode).toBe(202);
      await settled(h, body.flow_run.id);
      const events = await waitFor(async () => receiver.accepted(), (list) => list.some((e) => e.run.state === 'COMPLETED'));
      expect(events.map((e) => e.run.state)).toEqual(['PENDING', 'SUBMITTING', 'PROVISIONING', 'RUNNING', 'COMPLETED']);
      const deliveries = (await h.app.inject({ url: '/webhooks/on-cluster/deliveries', headers: auth })).json().items;
      expect(deliveries.map((d: { outcome: string }) => d.outcome)).toEqual(Array(5).fill('delivered'));

      const webhookKeys = async () => {
        const found: string[] = [];
        for (const node of cluster.nodes('master')) found.push(...(await node.keys(`{${h.config.queuePrefix}}:webhook*`)));
        return found;
      };
      const keys = await webhookKeys();
      expect(keys).toEqual(expect.arrayContaining([`{${h.config.queuePrefix}}:webhooks`, `{${h.config.queuePrefix}}:webhook:on-cluster:deliveries`, `{${h.config.queuePrefix}}:webhook:on-cluster:cursor:${body.flow_run.id}`]));
      const slots = new Set(await Promise.all(keys.map((key) => cluster.cluster('KEYSLOT', key))));
      expect(slots.size).toBe(1);
      // The delete finds the run cursors on whichever master holds the slot.
      expect((await h.app.inject({ method: 'DELETE', url: '/webhooks/on-cluster', headers: auth })).statusCode).toBe(204);
      expect((await webhookKeys()).filter((key) => key.includes(':webhook:on-cluster'))).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadEmulatorConfig, parseApiKeys, parseRole } from '../../src/config.js';

const base = { API_KEYS: 'a-long-enough-key' };

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.queuePrefix).toBe('acifr');
    expect(config.azure.armEndpoint).toBe('https://management.azure.com');
  });

  it.each([
    ['PORT', 'abc', /PORT: expected an integer from 0 to 65535, got "abc"/],
    ['PORT', '70000', /PORT: expected an integer/],
    ['REDIS_URL', 'http://x', /REDIS_URL: expected a URL \(redis: or rediss:\)/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of/],
    ['AUTH_DISABLED', 'maybe', /AUTH_DISABLED: expected true or false/],
    ['QUEUE_PREFIX', 'a b', /QUEUE_PREFIX/],
    ['AZURE_ARM_ENDPOINT', 'http://insecure', /AZURE_ARM_ENDPOINT: expected a URL \(https:\)/],
    ['FLOW_RUN_BASE_ENV', '[1]', /FLOW_RUN_BASE_ENV: expected a JSON object/],
  ])('refuses %s=%s with a line naming the variable', (name, value, message) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(message);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
  });

  it('refuses to start without keys unless told to run open', () => {
    expect(() => loadConfig({})).toThrow(/API_KEYS: expected at least one key/);
    expect(loadConfig({ AUTH_DISABLED: 'true' }).authDisabled).toBe(true);
  });
});

describe('parseApiKeys', () => {
  it('gives every scope to a bare key and the listed scopes otherwise', () => {
    const [admin, reader] = parseApiKeys('admin-key-123, reader-key-456=runs:read|pools:read');
    expect([...admin.scopes].sort()).toEqual(['pools:admin', 'pools:read', 'runs:read', 'runs:write']);
    expect([...reader.scopes].sort()).toEqual(['pools:read', 'runs:read']);
  });

  it('refuses unknown scopes and short keys', () => {
    expect(() => parseApiKeys('reader-key-456=runs:delete')).toThrow(/scopes among/);
    expect(() => parseApiKeys('short')).toThrow(/at least 8 characters/);
  });
});

describe('parseRole', () => {
  it('defaults to all and refuses unknown roles', () => {
    expect(parseRole(undefined)).toBe('all');
    expect(parseRole('worker')).toBe('worker');
    expect(() => parseRole('cron')).toThrow(/api, worker or all/);
  });
});

describe('loadEmulatorConfig', () => {
  it('reads EMULATOR_SETTINGS as a JSON object and refuses anything else', () => {
    expect(loadEmulatorConfig({}).settings).toEqual({});
    expect(loadEmulatorConfig({ EMULATOR_SETTINGS: '{"maxCpu":4,"deletesPer5Minutes":3}' }).settings).toEqual({ maxCpu: 4, deletesPer5Minutes: 3 });
    expect(() => loadEmulatorConfig({ EMULATOR_SETTINGS: '[1]' })).toThrow(/EMULATOR_SETTINGS: expected a JSON object/);
    expect(() => loadEmulatorConfig({ EMULATOR_SETTINGS: '{maxCpu:4}' })).toThrow(ConfigError);
  });
});

// The mask round trip keeps a pool secret only where the new template still marks it secret.
import { describe, expect, it } from 'vitest';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { useTestApp } from '../helpers/app.js';
import { auth } from '../helpers/config.js';

const t = useTestApp();

const ENV_SECRET = 'env-5ecret-value-1';
const REGISTRY_SECRET = 'reg-5ecret-value-2';
const WRITE_ONLY_SECRET = 'wo-5ecret-value-3';
const SP_SECRET = 'sp-5ecret-value-4';

type Template = ReturnType<typeof defaultBaseJobTemplate>;
const props = (template: Template) => template.variables.properties as Record<string, Record<string, any>>;
const definitions = (template: Template) => template.variables.definitions as Record<string, Record<string, any>>;

function secretTemplate(): Template {
  const template = defaultBaseJobTemplate();
  props(template).env.default = { DB_PASSWORD: ENV_SECRET, LOG_LEVEL: 'info' };
  props(template).image_registry.default = { registry_url: 'r.example', username: 'u', password: REGISTRY_SECRET };
  props(template).aci_credentials.default = { client_id: 'c', tenant_id: 't', client_secret: SP_SECRET };
  props(template).api_token = { type: 'string', writeOnly: true, default: WRITE_ONLY_SECRET };
  return template;
}

async function put(name: string, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'PUT', url: `/work-pools/${name}`, headers: auth(), payload });
}
async function read(name: string) {
  const res = await t.app.inject({ url: `/work-pools/${name}`, headers: auth() });
  expect(res.statusCode).toBe(200);
  for (const secret of [ENV_SECRET, REGISTRY_SECRET, WRITE_ONLY_SECRET, SP_SECRET]) expect(res.body).not.toContain(secret);
  return res.json() as { base_job_template: Template; secret_env_names: string[] };
}
async function stored(name: string) {
  return t.services.workPools.find(name);
}

describe('mask round trip', () => {
  const base = { secret_env_names: ['DB_PASSWORD'] };

  it('keeps every secret when the masked template comes back unchanged', async () => {
    expect((await put('rt-same', { ...base, base_job_template: secretTemplate() })).statusCode).toBe(201);
    const shown = await read('rt-same');
    expect((await put('rt-same', { ...base, base_job_template: shown.base_job_template })).statusCode).toBe(200);
    const pool = await stored('rt-same');
    expect(props(pool.base_job_template).env.default.DB_PASSWORD).toBe(ENV_SECRET);
    expect(props(pool.base_job_template).image_registry.default.password).toBe(REGISTRY_SECRET);
    expect(props(pool.base_job_template).aci_credentials.default.client_secret).toBe(SP_SECRET);
    expect(props(pool.base_job_template).api_token.default).toBe(WRITE_ONLY_SECRET);
  });

  const attacks: [string, (template: Template) => void, Record<string, unknown>, string][] = [
    ['secret_env_names emptied', () => undefined, { secret_env_names: [] }, '/variables/properties/env/default/DB_PASSWORD'],
    [
      'format: password, writeOnly and secret_fields removed from the registry credentials',
      (template) => {
        definitions(template).DockerRegistryCredentials.secret_fields = [];
        delete definitions(template).DockerRegistryCredentials.properties.password.format;
        delete definitions(template).DockerRegistryCredentials.properties.password.writeOnly;
      },
      base,
      '/variables/properties/image_registry/default/password',
    ],
    [
      'secret_fields and the password branch removed from the service principal',
      (template) => {
        const credentials = definitions(template).AzureContainerInstanceCredentials;
        credentials.secret_fields = [];
        credentials.properties.client_secret = { anyOf: [{ type: 'string' }, { type: 'null' }], default: null };
      },
      base,
      '/variables/properties/aci_credentials/default/client_secret',
    ],
    ['writeOnly removed from a variable', (template) => delete props(template).api_token.writeOnly, base, '/variables/properties/api_token/default'],
  ];

  for (const [what, change, extra, path] of attacks) {
    it(`answers 400 and stores nothing when ${what}`, async () => {
      const name = `rt-${Math.random().toString(36).slice(2, 8)}`;
      expect((await put(name, { ...base, base_job_template: secretTemplate() })).statusCode).toBe(201);
      const shown = await read(name);
      const before = await stored(name);
      change(shown.base_job_template);
      const res = await put(name, { ...extra, base_job_template: shown.base_job_template });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toMatch(/send the value/);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(`/base_job_template${path}`);
      for (const secret of [ENV_SECRET, REGISTRY_SECRET, WRITE_ONLY_SECRET, SP_SECRET]) expect(res.body).not.toContain(secret);
      expect(await stored(name)).toEqual(before);
      await read(name);
    });
  }

  it('keeps masking a value that is still secret by another mark (secret_fields)', async () => {
    expect((await put('rt-fields', { ...base, base_job_template: secretTemplate() })).statusCode).toBe(201);
    const shown = await read('rt-fields');
    const password = definitions(shown.base_job_template).DockerRegistryCredentials.properties.password;
    delete password.format;
    delete password.writeOnly;
    expect((await put('rt-fields', { ...base, base_job_template: shown.base_job_template })).statusCode).toBe(200);
    expect(props((await read('rt-fields')).base_job_template).image_registry.default.password).toBe('********');
    expect(props((await stored('rt-fields')).base_job_template).image_registry.default.password).toBe(REGISTRY_SECRET);
  });

  it('lets the secret go when the value itself is sent', async () => {
    expect((await put('rt-plain', { ...base, base_job_template: secretTemplate() })).statusCode).toBe(201);
    const shown = await read('rt-plain');
    props(shown.base_job_template).env.default.DB_PASSWORD = 'no-longer-secret';
    expect((await put('rt-plain', { secret_env_names: [], base_job_template: shown.base_job_template })).statusCode).toBe(200);
    const res = await t.app.inject({ url: '/work-pools/rt-plain', headers: auth() });
    expect(res.json().base_job_template.variables.properties.env.default.DB_PASSWORD).toBe('no-longer-secret');
  });

  it('never moves a stored secret to another place', async () => {
    expect((await put('rt-move', { ...base, base_job_template: secretTemplate() })).statusCode).toBe(201);
    const shown = await read('rt-move');
    props(shown.base_job_template).env.default.OTHER = '********';
    props(shown.base_job_template).api_token.title = '********';
    expect((await put('rt-move', { ...base, base_job_template: shown.base_job_template })).statusCode).toBe(200);
    const pool = await stored('rt-move');
    expect(props(pool.base_job_template).env.default.OTHER).toBe('********');
    expect(props(pool.base_job_template).api_token.title).toBe('********');
  });
});

// What the control endpoint accepts as a fault rule: each kind with the fields it needs.
import { EVENT_FAULTS, IMMEDIATE_FAULTS, REQUEST_FAULTS, type FaultRule } from './faults.js';
import { ArmError, isObject } from './http.js';

const KINDS: readonly string[] = [...REQUEST_FAULTS, ...EVENT_FAULTS, ...IMMEDIATE_FAULTS];

const invalid = (message: string) => new ArmError(400, 'InvalidFault', message);

function seconds(rule: Record<string, unknown>, field: string, required: boolean): void {
  const value = rule[field];
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`'${field}' must be a number of emulated seconds >= 0.`);
}

function text(rule: Record<string, unknown>, field: string, required: boolean): void {
  const value = rule[field];
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value === '') throw invalid(`'${field}' must be a non-empty string.`);
}

function oneOf(rule: Record<string, unknown>, field: string, values: string[], required: boolean): void {
  if (rule[field] === undefined && !required) return;
  if (!values.includes(String(rule[field]))) throw invalid(`'${field}' must be one of ${values.join(', ')}.`);
}

/** The rule as posted, or a 400 naming the field that is wrong. */
export function checkFault(body: unknown): FaultRule {
  if (!isObject(body) || !KINDS.includes(String(body.kind))) throw invalid(`A fault needs a kind: ${KINDS.join(', ')}.`);
  const kind = body.kind as FaultRule['kind'];
  if (kind === 'repair') {
    text(body, 'group', true);
    oneOf(body, 'outcome', ['running', 'failed'], true);
    seconds(body, 'unhealthySeconds', false);
    seconds(body, 'repairingSeconds', false);
    text(body, 'resourceGroup', false);
    return body as unknown as FaultRule;
  }
  if (typeof body.share !== 'number' || body.share < 0 || body.share > 1) throw invalid('A fault needs a share between 0 and 1.');
  if (body.limit !== undefined && (!Number.isInteger(body.limit) || (body.limit as number) < 0)) throw invalid("'limit' must be an integer >= 0.");
  if (body.seed !== undefined && !Number.isInteger(body.seed)) throw invalid("'seed' must be an integer.");
  text(body, 'resourceGroup', false);
  text(body, 'name', false);
  switch (kind) {
    case 'restart-after-exit':
      seconds(body, 'afterSeconds', true);
      seconds(body, 'runSeconds', false);
      if (body.exitCode !== undefined && !Number.isInteger(body.exitCode)) throw invalid("'exitCode' must be an integer.");
      break;
    case 'create-failure':
      text(body, 'code', true);
      text(body, 'message', false);
      oneOf(body, 'at', ['validation', 'deployment'], true);
      if (body.recovers !== undefined && typeof body.recovers !== 'boolean') throw invalid("'recovers' must be true or false.");
      if (body.recovers && body.at !== 'deployment') throw invalid("Only a failure 'at': 'deployment' leaves a group that can recover.");
      seconds(body, 'recoverSeconds', false);
      break;
    case 'lock':
      text(body, 'resourceGroup', true);
      break;
    case 'late-create':
      seconds(body, 'delaySeconds', true);
      break;
    case 'credential':
      text(body, 'clientId', true);
      oneOf(body, 'reason', ['wrong-secret', 'expired'], true);
      break;
    case 'policy-deny':
      text(body, 'policyName', true);
      break;
    default:
      break;
  }
  return body as unknown as FaultRule;
}

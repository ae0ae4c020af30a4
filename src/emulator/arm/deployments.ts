// ARM deployments at resource-group scope: validation at PUT, resources created in the background,
// state derived from the resources as time passes.
import { randomUUID } from 'node:crypto';
import { createOrUpdateGroup, groupId, viewOf } from '../aci/groups.js';
import { scopedTo } from '../faults.js';
import { ArmError, isObject } from '../http.js';
import { murmurHash64 } from '../template/unique-string.js';
import { evaluateTemplate, TemplateError } from '../template/evaluate.js';
import { resourceKey, type DeploymentRecord, type ResourceOperation } from '../store.js';
import { requireResourceGroup, type World } from '../world.js';

const CONTAINER_GROUPS = 'microsoft.containerinstance/containergroups';

export const deploymentId = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Resources/deployments/${name}`;

export function deploymentNotFound(name: string) {
  return new ArmError(404, 'DeploymentNotFound', `Deployment '${name}' could not be found.`);
}

function checkName(name: string) {
  if (name.length > 64) {
    throw new ArmError(400, 'DeploymentNameLengthLimitExceeded', `The provided deployment name '${name}' has a length of '${name.length}' which exceeds the maximum length of '64'.`);
  }
  if (!/^[-\w._()]+$/.test(name)) {
    throw new ArmError(400, 'DeploymentNameInvalidCharacters', `The provided deployment name '${name}' has these invalid characters. The name may contain only letters, digits, '-', '.', '_', '(' and ')'.`);
  }
}

const isActive = (d: DeploymentRecord) => d.state === 'Accepted' || d.state === 'Running';

/** Brings a deployment up to date with its resources. */
export function refreshDeployment(world: World, d: DeploymentRecord): DeploymentRecord {
  const now = world.clock.now();
  for (const op of d.operations) {
    if (op.state !== 'Running' || !op.groupKey) continue;
    const group = world.store.group(op.groupKey);
    if (!group && world.pendingCreates.has(op.groupKey)) continue;
    if (!group) {
      op.state = 'Failed';
      op.finishedAt = now;
      op.error = { code: 'ResourceNotFound', message: `The container group '${op.resourceName}' was deleted while it was being created.` };
      continue;
    }
    const view = viewOf(world, group);
    if (view.provisioningState === 'Succeeded') {
      op.state = 'Succeeded';
      op.finishedAt = now;
    } else if (view.provisioningState === 'Failed') {
      op.state = 'Failed';
      op.finishedAt = now;
      op.error = view.failure ?? { code: 'ContainerGroupProvisioningFailed', message: 'The container group failed to provision.' };
    }
  }
  // A cancelled deployment stays Canceled, but what it had dispatched goes on (late-create).
  if (!isActive(d)) return d;
  const failed = d.operations.filter((op) => op.state === 'Failed');
  if (failed.length > 0) {
    d.state = 'Failed';
    d.finishedAt = now;
    d.error = {
      code: 'DeploymentFailed',
      target: deploymentId(d.subscriptionId, d.resourceGroup, d.name),
      message:
        'At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.',
      details: failed.map((op) => ({
        code: 'ResourceDeploymentFailure',
        target: op.resourceId,
        message: "The resource write operation failed to complete successfully, because it reached terminal provisioning state 'Failed'.",
        details: [op.error],
      })),
    };
  } else if (d.operations.every((op) => op.state === 'Succeeded')) {
    d.state = 'Succeeded';
    d.finishedAt = now;
  } else d.state = 'Running';
  return d;
}

function templateHash(template: unknown): string {
  return BigInt.asIntN(64, murmurHash64(new TextEncoder().encode(JSON.stringify(template).toUpperCase()))).toString();
}

function createResource(world: World, d: DeploymentRecord, type: string, name: string, apiVersion: string, body: Record<string, unknown>): ResourceOperation {
  const { subscriptionId: sub, resourceGroup: rg } = d;
  const now = world.clock.now();
  const isGroup = type.toLowerCase() === CONTAINER_GROUPS;
  const op: ResourceOperation = {
    operationId: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
    resourceType: type,
    resourceName: name,
    resourceId: isGroup ? groupId(sub, rg, name) : `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`,
    apiVersion,
    startedAt: now,
    state: 'Succeeded',
    finishedAt: now,
  };
  if (!isGroup) return op; // other resource types are accepted and recorded
  const key = resourceKey(sub, rg, name);
  const scope = scopedTo(rg, name);
  const failing = world.faults.drawEvent('create-failure', (rule) => rule.at === 'deployment' && scope(rule));
  const failure = failing && {
    code: failing.code ?? 'ServiceUnavailable',
    message: failing.message ?? `The requested resource is not available in the location '${world.settings.defaultLocation}' at this moment. Please retry with a different resource request or in another location.`,
    ...(failing.recovers ? { recoversAt: now + world.clock.ms(failing.recoverSeconds ?? 30) } : {}),
  };
  const late = world.faults.drawEvent('late-create', scope);
  const running: ResourceOperation = { ...op, state: 'Running', finishedAt: undefined, groupKey: key };
  const create = () => createOrUpdateGroup(world, sub, rg, name, body, failure);
  if (late) {
    // ARM has dispatched the create; the group appears later, whatever happens to the deployment.
    world.pendingCreates.set(key, { appearsAt: now + world.clock.ms(late.delaySeconds ?? 5), create });
    return running;
  }
  try {
    create();
    return running;
  } catch (err) {
    if (!(err instanceof ArmError)) throw err;
    return { ...op, state: 'Failed', error: { code: err.code, message: err.message } };
  }
}

/** Creates the groups whose dispatched creation has come due (late-create). */
export function materializePendingCreates(world: World): void {
  const now = world.clock.now();
  for (const [key, pending] of world.pendingCreates) {
    if (pending.appearsAt > now) continue;
    world.pendingCreates.delete(key);
    try {
      pending.create();
    } catch (err) {
      // Refused late (quota…): the deployment's operation sees no group and fails.
      if (!(err instanceof ArmError)) throw err;
    }
  }
}

/** ARM's automatic history cleanup: past 7/8 of the limit, oldest finished deployments go, down to 3/4. */
function groomHistory(world: World, sub: string, rg: string): number {
  const limit = world.settings.deploymentHistoryLimit;
  const inResourceGroup = world.store
    .deployments()
    .filter((d) => d.subscriptionId === sub && d.resourceGroup.toLowerCase() === rg.toLowerCase())
    .sort((a, b) => a.createdAt - b.createdAt);
  if (inResourceGroup.length <= Math.floor((limit * 7) / 8)) return inResourceGroup.length;
  let count = inResourceGroup.length;
  for (const d of inResourceGroup) {
    if (count <= Math.floor((limit * 3) / 4)) break;
    if (isActive(refreshDeployment(world, d))) continue;
    world.store.deleteDeployment(resourceKey(d.subscriptionId, d.resourceGroup, d.name));
    count--;
  }
  return count;
}

function policyDenial(world: World, sub: string, name: string, policyName: string): ArmError {
  const assignmentId = `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/${policyName}`;
  const definitionId = `/subscriptions/${sub}/providers/Microsoft.Authorization/policyDefinitions/${policyName}`;
  const identifiers = [{ policyAssignment: { name: policyName, id: assignmentId }, policyDefinition: { name: policyName, id: definitionId } }];
  return new ArmError(403, 'RequestDisallowedByPolicy', `Resource '${name}' was disallowed by policy. Policy identifiers: '${JSON.stringify(identifiers)}'.`, {
    target: name,
    additionalInfo: [
      {
        type: 'PolicyViolation',
        info: { policyDefinitionDisplayName: policyName, policyDefinitionId: definitionId, policyAssignmentName: policyName, policyAssignmentId: assignmentId, policyDefinitionEffect: 'deny' },
      },
    ],
  });
}

export function createDeployment(world: World, sub: string, rg: string, name: string, body: unknown, tenantId: string) {
  requireResourceGroup(world, sub, rg);
  checkName(name);
  const key = resourceKey(sub, rg, name);
  const existing = world.store.deployment(key);
  if (existing && isActive(refreshDeployment(world, existing))) {
    throw new ArmError(
      409,
      'DeploymentActive',
      `Unable to edit or replace deployment '${name}': previous deployment from '${new Date(existing.createdAt).toISOString()}' is still active (expiration time is '${new Date(existing.createdAt + 7 * 86400e3).toISOString()}'). Please see https://aka.ms/arm-deploy for usage details.`,
    );
  }
  if (!isObject(body) || !isObject(body.properties)) {
    throw new ArmError(400, 'InvalidRequestContent', "The request content was invalid and could not be deserialized: 'Required property 'properties' not found in JSON.'.");
  }
  const { mode, parameters, templateLink } = body.properties;
  let template = body.properties.template;
  if (template === undefined && isObject(templateLink) && typeof templateLink.uri === 'string') {
    template = world.templateLinks.get(templateLink.uri);
    if (!template) {
      throw new ArmError(400, 'InvalidContentLink', `Unable to download deployment content from '${templateLink.uri}'. The emulator serves only templates registered at /_emulator/template-links.`);
    }
  }
  if (mode !== 'Incremental' && mode !== 'Complete') {
    throw new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: 'Error converting value '${String(mode)}' to type 'DeploymentMode'.'.`);
  }
  if (!isObject(template)) {
    throw new ArmError(400, 'InvalidRequestContent', "The request content was invalid: the deployment has neither 'template' nor 'templateLink'.");
  }
  const count = groomHistory(world, sub, rg);
  if (!world.store.deployment(key) && count >= world.settings.deploymentHistoryLimit) {
    throw new ArmError(
      400,
      'DeploymentQuotaExceeded',
      `Creating the deployment '${name}' would exceed the quota of '${world.settings.deploymentHistoryLimit}'. The current deployment count is '${count}'. Please delete some deployments before creating a new one.`,
    );
  }
  let evaluated;
  try {
    evaluated = evaluateTemplate(template, isObject(parameters) ? (parameters as Record<string, { value?: unknown }>) : {}, {
      subscriptionId: sub,
      tenantId,
      resourceGroup: world.store.resourceGroup(sub, rg)!.name,
      location: world.store.resourceGroup(sub, rg)!.location,
      deploymentName: name,
    });
  } catch (err) {
    if (err instanceof TemplateError) {
      throw new ArmError(400, 'InvalidTemplate', err.message, { additionalInfo: [{ type: 'TemplateViolation', info: { lineNumber: 0, linePosition: 0, path: '' } }] });
    }
    throw err;
  }
  const groups = evaluated.resources.filter((r) => r.type.toLowerCase() === CONTAINER_GROUPS);
  for (const r of groups) {
    const denied = world.faults.drawEvent('policy-deny', scopedTo(rg, r.name));
    if (denied) throw policyDenial(world, sub, r.name, denied.policyName ?? 'deny-container-instances');
  }
  for (const r of groups) {
    const refused = world.faults.drawEvent('create-failure', (rule) => rule.at !== 'deployment' && scopedTo(rg, r.name)(rule));
    if (refused) {
      // Preflight validation: nothing is stored, the resource provider's reason is in details[].
      throw new ArmError(
        400,
        'InvalidTemplateDeployment',
        `The template deployment '${name}' is not valid according to the validation procedure. The tracking id is '${randomUUID()}'. See inner errors for details.`,
        { details: [{ code: refused.code ?? 'InvalidTemplate', target: groupId(sub, rg, r.name), message: refused.message ?? 'The resource provider refused the request.' }] },
      );
    }
  }
  const deployment: DeploymentRecord = {
    subscriptionId: sub,
    resourceGroup: world.store.resourceGroup(sub, rg)!.name,
    name,
    correlationId: randomUUID(),
    createdAt: world.clock.now(),
    mode,
    templateHash: templateHash(template),
    parameters: evaluated.parameters,
    templateLink: isObject(templateLink) ? { uri: templateLink.uri, contentVersion: template.contentVersion } : undefined,
    state: 'Accepted',
    operations: [],
  };
  deployment.operations = evaluated.resources.map((r) => createResource(world, deployment, r.type, r.name, r.apiVersion, r.body));
  world.store.putDeployment(key, deployment);
  return { deployment, created: !existing };
}

export function cancelDeployment(world: World, d: DeploymentRecord): void {
  if (!isActive(refreshDeployment(world, d))) {
    throw new ArmError(409, 'DeploymentCannotBeCancelled', `The deployment '${d.name}' cannot be cancelled because it is in state '${d.state}'.`);
  }
  d.state = 'Canceled';
  d.finishedAt = world.clock.now();
}

const duration = (ms: number) => `PT${(ms / 1000).toFixed(3)}S`;

export function serializeDeployment(world: World, d: DeploymentRecord) {
  refreshDeployment(world, d);
  const now = world.clock.now();
  return {
    id: deploymentId(d.subscriptionId, d.resourceGroup, d.name),
    name: d.name,
    type: 'Microsoft.Resources/deployments',
    properties: {
      provisioningState: d.state,
      correlationId: d.correlationId,
      timestamp: new Date(d.finishedAt ?? now).toISOString(),
      duration: duration((d.finishedAt ?? now) - d.createdAt),
      mode: d.mode,
      ...(d.templateLink ? { templateLink: d.templateLink } : {}),
      templateHash: d.templateHash,
      parameters: d.parameters,
      providers: [...new Set(d.operations.map((op) => op.resourceType.split('/')[0]))].map((namespace) => ({
        namespace,
        resourceTypes: d.operations
          .filter((op) => op.resourceType.startsWith(`${namespace}/`))
          .map((op) => ({ resourceType: op.resourceType.split('/').slice(1).join('/'), locations: [world.settings.defaultLocation] })),
      })),
      dependencies: [],
      outputResources: d.operations.filter((op) => op.state === 'Succeeded').map((op) => ({ id: op.resourceId })),
      ...(d.error ? { error: d.error } : {}),
    },
  };
}

export function serializeOperation(d: DeploymentRecord, op: ResourceOperation, now: number) {
  return {
    id: `${deploymentId(d.subscriptionId, d.resourceGroup, d.name)}/operations/${op.operationId}`,
    operationId: op.operationId,
    properties: {
      provisioningOperation: 'Create',
      provisioningState: op.state,
      timestamp: new Date(op.finishedAt ?? now).toISOString(),
      duration: duration((op.finishedAt ?? now) - op.startedAt),
      serviceRequestId: randomUUID(),
      statusCode: op.state === 'Failed' ? 'BadRequest' : op.state === 'Succeeded' ? 'Created' : 'Accepted',
      ...(op.error ? { statusMessage: { status: 'Failed', error: op.error } } : {}),
      targetResource: { id: op.resourceId, resourceType: op.resourceType, resourceName: op.resourceName, apiVersion: op.apiVersion },
    },
  };
}

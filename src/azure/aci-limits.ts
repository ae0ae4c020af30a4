// What Azure Container Instances and ARM accept, in one place: the submission checks use it, and the
// emulator's validation should agree with it (Linux container group, standard SKU).

/** Most vCPUs one standard container group may request (sum over its containers); ACI's limits page
 *  (2025-11) gives 31 vCPU / 240 GB, Linux or Windows, with or without a virtual network. Above
 *  4 vCPU / 16 GB a region may still refuse for capacity, which clears by itself. */
export const ACI_MAX_CPU = 31;
/** Most memory (GB) one container group may request (sum over its containers). */
export const ACI_MAX_MEMORY_GB = 240;
/** Least memory (GB) a container may request. */
export const ACI_MIN_MEMORY_GB = 0.1;

/** A subscription id is a GUID. */
export const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ARM resource group names: 1–90 letters (any script), digits, `_ - . ( )`, not ending in a period. */
export const isResourceGroupName = (name: string) => /^[\p{L}\p{N}_().-]{1,90}$/u.test(name) && !name.endsWith('.');

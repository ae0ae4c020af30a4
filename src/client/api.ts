// Generated from openapi.yaml by openapi-typescript (npm run client:generate). Do not edit.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: Redis answers */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/work-pools/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a work pool (secrets masked) */
        get: operations["getWorkPool"];
        /**
         * Create or replace a work pool
         * @description The template is checked before it is stored: `variables` must be a valid JSON schema and `job_configuration.arm_template` must contain a Microsoft.ContainerInstance/containerGroups resource. Sending back ******** in place of a secret keeps the stored one.
         */
        put: operations["putWorkPool"];
        post?: never;
        /**
         * Delete a work pool
         * @description Runs already submitted keep the configuration they were rendered with.
         */
        delete: operations["deleteWorkPool"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/work-pools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List work pools */
        get: operations["listWorkPools"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List runs, newest first */
        get: operations["listRuns"];
        put?: never;
        /**
         * Submit a flow run
         * @description 202 with the new run; 200 with the stored run when the same flow run id and body come again (nothing is deployed twice); 409 RUN_CONFLICT for the same id with another body. 400 VALIDATION_FAILED lists every job-variable problem with its path.
         */
        post: operations["submitRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Render the ARM deployment a run would send; deploys nothing
         * @description Takes the body of POST /runs. 400 VALIDATION_FAILED lists each job-variable problem with its path; 422 TEMPLATE_NOT_RENDERABLE names what the work pool template lacks.
         */
        post: operations["previewRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A run: state, history, Azure details and result */
        get: operations["getRun"];
        put?: never;
        post?: never;
        /**
         * Kill the infrastructure of a run: DELETE /runs/{flow_run_id}:{container_group_name}
         * @description The run goes CANCELLING, then CANCELLED once its deployment is cancelled and its container group stopped (keep_container_group) or deleted. 400 INVALID_INFRASTRUCTURE_PID, 404 INFRASTRUCTURE_NOT_FOUND, 409 RUN_ALREADY_FINISHED.
         */
        delete: operations["killRun"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Container output of a run
         * @description Lines are read from ACI while the run runs (stream_output) and always once more when it ends; the last LOG_MAX_LINES (default 10,000) are kept, each cut at 16 KB (marked). `after` (a line id) reads on from a line.
         */
        get: operations["getRunLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A webhook (its secret is never returned) */
        get: operations["getWebhook"];
        /**
         * Create or replace a webhook
         * @description Each state change of a matching run is POSTed as {id, type: "run.state_changed", created_at, run} with the header `webhook-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, at least once, in order per run, retried with exponential backoff for up to 24 h. 400 WEBHOOK_TARGET_REFUSED for private or loopback targets.
         */
        put: operations["putWebhook"];
        post?: never;
        /** Delete a webhook, its pending deliveries and their history */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhooks (secrets are never returned) */
        get: operations["listWebhooks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/{name}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Delivery attempts of a webhook, newest first, with the answers received */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics (text format)
         * @description Needs a key with runs:read unless METRICS_PUBLIC=true.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** ErrorEnvelope */
        ErrorEnvelope: {
            error: {
                /**
                 * @description Stable machine-readable code; clients branch on it, never on the message.
                 * @enum {string}
                 */
                code: "VALIDATION_FAILED" | "MALFORMED_BODY" | "BODY_TOO_DEEP" | "MALFORMED_URL" | "MALFORMED_REQUEST" | "BAD_REQUEST" | "UNAUTHENTICATED" | "FORBIDDEN" | "ROUTE_NOT_FOUND" | "RUN_NOT_FOUND" | "INFRASTRUCTURE_NOT_FOUND" | "WORK_POOL_NOT_FOUND" | "INVALID_INFRASTRUCTURE_PID" | "REQUEST_TIMEOUT" | "RATE_LIMITED" | "RUN_CONFLICT" | "RUN_EXPIRED" | "RUN_ALREADY_FINISHED" | "WORK_POOL_PROTECTED" | "WORK_POOL_CHANGING" | "WEBHOOK_NOT_FOUND" | "WEBHOOK_TARGET_REFUSED" | "PAYLOAD_TOO_LARGE" | "PARAMETER_TOO_LONG" | "UNSUPPORTED_MEDIA_TYPE" | "TEMPLATE_NOT_RENDERABLE" | "HEADERS_TOO_LARGE" | "INTERNAL_ERROR" | "STORE_UNAVAILABLE";
                message: string;
                details?: ({
                    path?: string;
                    message: string;
                } & {
                    [key: string]: unknown;
                })[];
            };
        };
        /**
         * WorkPool
         * @description Secrets (write-only defaults, credentials) are shown as ********.
         */
        WorkPool: {
            name: string;
            description: string | null;
            concurrency_limit: number | null;
            /** @description Absent means wait. */
            on_quota?: "wait" | "fail";
            /** @description A Prefect base job template, e.g. exported from a Prefect work pool. */
            base_job_template: {
                /** @description Job configuration with {{ placeholders }}; must contain arm_template. */
                job_configuration: {
                    [key: string]: unknown;
                };
                /** @description JSON schema of the job variables. */
                variables: {
                    [key: string]: unknown;
                };
            } & {
                [key: string]: unknown;
            };
            secret_env_names: string[];
            /** Format: date-time */
            created: string;
            /** Format: date-time */
            updated: string;
            /** @description Who created and replaced the pool, oldest first (the last 50). */
            history?: {
                /** Format: date-time */
                at: string;
                action: "created" | "replaced";
                /** @description Short id of the API key that acted, never the key. */
                by: string;
            }[];
        };
        /** SubmitRun */
        SubmitRun: {
            flow_run: {
                /**
                 * Format: uuid
                 * @description Flow run id; generated when absent. Submitting the same id twice never deploys twice.
                 */
                id?: string;
                name: string;
                flow_id?: string;
                deployment_id?: string;
            } & {
                [key: string]: unknown;
            };
            flow?: {
                name: string;
            } & {
                [key: string]: unknown;
            };
            deployment?: {
                id?: string;
                name?: string;
                /** @description Values for the work pool's variables (GET /work-pools/{name} shows them); dot keys such as env.FOO set one key of an object variable. */
                job_variables?: {
                    /** @description Resource group of the container group (required by the default pool). */
                    resource_group_name?: unknown;
                    /** @description Azure subscription id (required by the default pool). */
                    subscription_id?: unknown;
                } & {
                    [key: string]: unknown;
                };
            } & {
                [key: string]: unknown;
            };
            /** @description Work pool name; "default" when absent. */
            work_pool?: string;
            /** @description Values for the work pool's variables (GET /work-pools/{name} shows them); dot keys such as env.FOO set one key of an object variable. */
            job_variables?: {
                /** @description Resource group of the container group (required by the default pool). */
                resource_group_name?: unknown;
                /** @description Azure subscription id (required by the default pool). */
                subscription_id?: unknown;
            } & {
                [key: string]: unknown;
            };
        };
        /** RunPreview */
        RunPreview: {
            flow_run_id: string;
            work_pool: string;
            infrastructure_pid: string;
            container_group_name: string;
            deployment_name: string;
            resource_group_name: string;
            /** @description The rendered job configuration; secrets masked. */
            job_configuration: {
                [key: string]: unknown;
            };
            /** @description The exact ARM deployment body; secret parameters masked. */
            deployment: {
                [key: string]: unknown;
            };
        };
        /** Run */
        Run: {
            /** @description The flow run id. */
            id: string;
            work_pool: string;
            /** @enum {string} */
            state: "PENDING" | "SUBMITTING" | "PROVISIONING" | "RUNNING" | "COMPLETED" | "FAILED" | "CRASHED" | "CANCELLING" | "CANCELLED";
            history: {
                /** @enum {string} */
                state: "PENDING" | "SUBMITTING" | "PROVISIONING" | "RUNNING" | "COMPLETED" | "FAILED" | "CRASHED" | "CANCELLING" | "CANCELLED";
                /** Format: date-time */
                at: string;
                reason: string;
                /** @description Short id of the API key that acted (`key-` + 8 hex digits), never the key. */
                by?: string;
            }[];
            /** @description "<flow_run_id>:<container_group_name>"; DELETE /runs/{infrastructure_pid} kills the run. */
            infrastructure_pid: string;
            container_group_name: string;
            deployment_name: string;
            resource_group_name: string;
            flow_run: {
                [key: string]: unknown;
            };
            flow?: {
                [key: string]: unknown;
            };
            deployment?: {
                [key: string]: unknown;
            };
            /** @description The work pool's concurrency limit when the run was submitted. */
            concurrency_limit: number | null;
            /** @description Why a PENDING run waits, e.g. the pool is at its concurrency limit. */
            pending_reason?: string;
            keep_container_group: boolean;
            stream_output: boolean;
            poll_interval_seconds: number;
            start_timeout_seconds: number;
            /** Format: date-time */
            submitted_at: string;
            /** Format: date-time */
            updated_at: string;
            /** Format: date-time */
            provisioning_deadline?: string;
            /** @description What Azure last said about this run. */
            azure: {
                deployment_state?: string;
                provisioning_state?: string;
                group_state?: string;
                container_state?: string;
                container_name?: string;
                exit_code?: number;
                /** @description Azure's own code when something failed, e.g. InaccessibleImage. */
                error_code?: string;
                /** @description The innermost cause Azure gave (policy denial, quota, ACI validation…). */
                error_message?: string;
                /** @description What to do when the cause will not go away by itself (permissions, registration, resource group). */
                error_hint?: string;
                /** @description The last Azure error that was retried. */
                last_transient_error?: string;
                /** @description How often Azure restarted the container (it may, even under restartPolicy Never). */
                restart_count?: number;
                /**
                 * Format: date-time
                 * @description Since when Azure has refused the credential while the container runs.
                 */
                credential_failure_since?: string;
                credential_failure?: string;
                /**
                 * Format: date-time
                 * @description Since when the started container has been Waiting.
                 */
                waiting_since?: string;
            };
            /** @description AzureContainerWorkerResult: identifier is the infrastructure pid; status_code the exit code, or -1. */
            result?: {
                identifier: string;
                status_code: number;
            };
            cleanup?: {
                /** @description failed: cleanup gave up after its bound on a permanent error (see last_error); the outcome is unchanged. */
                state: "pending" | "done" | "kept" | "failed";
                attempts: number;
                /** @description What cleanup is waiting for, while it waits; not an error. */
                status?: string;
                /** @description The last error cleanup met, if any. */
                last_error?: string;
                /** Format: date-time */
                started_at?: string;
            };
            log_lines: number;
            /** @description True when Azure's cap on an exited container's output (16 KB / 1,000 lines) cut what the service could read. */
            logs_truncated?: boolean;
            links: {
                self: string;
                logs: string;
                kill: string;
            };
        };
        /** Webhook */
        Webhook: {
            name: string;
            url: string;
            events: string[];
            pools?: string[];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** DeliveryAttempt */
        DeliveryAttempt: {
            /** @description "<run id>.<n>": the n-th state of the run; the same on every retry. */
            event_id: string;
            run_id: string;
            state: string;
            attempt: number;
            /** Format: date-time */
            at: string;
            outcome: "delivered" | "retrying" | "abandoned";
            /** @description The receiver's HTTP status; null when it did not answer. */
            status_code: number | null;
            error: string | null;
            /** @description The first 1 KB of the receiver's answer. */
            response: string | null;
            duration_ms: number;
            next_attempt_at: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process answers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        redis?: string;
                    };
                };
            };
            /** @description HEADERS_TOO_LARGE: the request line and headers exceed 16 KB. */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready: Redis answers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        redis?: string;
                    };
                };
            };
            /** @description HEADERS_TOO_LARGE: the request line and headers exceed 16 KB. */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Not ready: Redis does not answer. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        redis?: string;
                    };
                };
            };
        };
    };
    getWorkPool: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Work pool name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The work pool, secrets masked. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkPool"];
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WORK_POOL_NOT_FOUND: no work pool with this name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    putWorkPool: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Work pool name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "base_job_template": {
                 *         "job_configuration": {
                 *           "command": "{{ command }}",
                 *           "env": "{{ env }}",
                 *           "image": "{{ image }}",
                 *           "resource_group_name": "{{ resource_group_name }}",
                 *           "subscription_id": "{{ subscription_id }}",
                 *           "cpu": "{{ cpu }}",
                 *           "memory": "{{ memory }}",
                 *           "arm_template": {
                 *             "contentVersion": "1.0.0.0",
                 *             "parameters": {
                 *               "location": {
                 *                 "type": "string",
                 *                 "defaultValue": "[resourceGroup().location]",
                 *                 "metadata": {
                 *                   "description": "Location for all resources."
                 *                 }
                 *               },
                 *               "container_group_name": {
                 *                 "type": "string",
                 *                 "defaultValue": "[uniqueString(resourceGroup().id)]",
                 *                 "metadata": {
                 *                   "description": "The name of the container group to create."
                 *                 }
                 *               },
                 *               "container_name": {
                 *                 "type": "string",
                 *                 "defaultValue": "[uniqueString(resourceGroup().id)]",
                 *                 "metadata": {
                 *                   "description": "The name of the container to create."
                 *                 }
                 *               }
                 *             },
                 *             "resources": [
                 *               {
                 *                 "type": "Microsoft.ContainerInstance/containerGroups",
                 *                 "apiVersion": "2022-09-01",
                 *                 "name": "[parameters('container_group_name')]",
                 *                 "location": "[parameters('location')]",
                 *                 "properties": {
                 *                   "containers": [
                 *                     {
                 *                       "name": "[parameters('container_name')]",
                 *                       "properties": {
                 *                         "image": "{{ image }}",
                 *                         "command": "{{ command }}",
                 *                         "resources": {
                 *                           "requests": {
                 *                             "cpu": "{{ cpu }}",
                 *                             "memoryInGB": "{{ memory }}"
                 *                           }
                 *                         },
                 *                         "environmentVariables": []
                 *                       }
                 *                     }
                 *                   ],
                 *                   "osType": "Linux",
                 *                   "restartPolicy": "Never"
                 *                 }
                 *               }
                 *             ]
                 *           }
                 *         },
                 *         "variables": {
                 *           "type": "object",
                 *           "required": [
                 *             "resource_group_name",
                 *             "subscription_id"
                 *           ],
                 *           "properties": {
                 *             "image": {
                 *               "description": "Container image for the flow run; when omitted the service's DEFAULT_IMAGE is used.",
                 *               "title": "Image",
                 *               "type": "string"
                 *             },
                 *             "command": {
                 *               "anyOf": [
                 *                 {
                 *                   "type": "string"
                 *                 },
                 *                 {
                 *                   "type": "null"
                 *                 }
                 *               ],
                 *               "default": null,
                 *               "description": "Command that starts the flow run; normally left empty so the worker supplies its default.",
                 *               "title": "Command"
                 *             },
                 *             "env": {
                 *               "additionalProperties": {
                 *                 "anyOf": [
                 *                   {
                 *                     "type": "string"
                 *                   },
                 *                   {
                 *                     "type": "null"
                 *                   }
                 *                 ]
                 *               },
                 *               "description": "Extra environment variables for the flow-run container.",
                 *               "title": "Environment Variables",
                 *               "type": "object"
                 *             },
                 *             "cpu": {
                 *               "default": 1,
                 *               "description": "vCPUs requested for the container; 1.0 when not given.",
                 *               "title": "CPU",
                 *               "type": "number"
                 *             },
                 *             "memory": {
                 *               "default": 1,
                 *               "description": "Memory in GB for the container; 1.0 when not given.",
                 *               "title": "Memory",
                 *               "type": "number"
                 *             },
                 *             "resource_group_name": {
                 *               "description": "Azure resource group that will hold the flow-run container groups.",
                 *               "title": "Azure Resource Group Name",
                 *               "type": "string"
                 *             },
                 *             "subscription_id": {
                 *               "description": "Azure subscription in which container groups are created.",
                 *               "format": "password",
                 *               "title": "Azure Subscription ID",
                 *               "type": "string",
                 *               "writeOnly": true
                 *             }
                 *           }
                 *         }
                 *       },
                 *       "description": "Team data flows",
                 *       "concurrency_limit": 10,
                 *       "secret_env_names": [
                 *         "DB_PASSWORD"
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @description A Prefect base job template, e.g. exported from a Prefect work pool. */
                    base_job_template: {
                        /** @description Job configuration with {{ placeholders }}; must contain arm_template. */
                        job_configuration: {
                            [key: string]: unknown;
                        };
                        /** @description JSON schema of the job variables. */
                        variables: {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
                    };
                    description?: string | null;
                    concurrency_limit?: number | null;
                    /** @description When ACI answers ContainerGroupQuotaReached: wait for capacity until the start deadline (default), or fail the run at once. */
                    on_quota?: "wait" | "fail";
                    /** @description Environment variables sent to ACI as secureValue besides PREFECT_API_KEY and PREFECT_API_AUTH_STRING. */
                    secret_env_names?: string[];
                };
            };
        };
        responses: {
            /** @description The pool was replaced. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkPool"];
                };
            };
            /** @description The pool was created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkPool"];
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    deleteWorkPool: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Work pool name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The pool is gone. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WORK_POOL_NOT_FOUND: no work pool with this name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WORK_POOL_PROTECTED: the default pool cannot be deleted. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listWorkPools: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every work pool, secrets masked. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WorkPool"][];
                    };
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listRuns: {
        parameters: {
            query?: {
                state?: "PENDING" | "SUBMITTING" | "PROVISIONING" | "RUNNING" | "COMPLETED" | "FAILED" | "CRASHED" | "CANCELLING" | "CANCELLED";
                work_pool?: string;
                limit?: number;
                /** @description next_cursor of the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of runs; next_cursor is null on the last page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Run"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    submitRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "flow_run": {
                 *         "name": "try-it-out"
                 *       },
                 *       "flow": {
                 *         "name": "hello-flow"
                 *       },
                 *       "work_pool": "default",
                 *       "job_variables": {
                 *         "resource_group_name": "demo-rg",
                 *         "subscription_id": "00000000-0000-0000-0000-000000000000",
                 *         "command": "sh -c \"echo hello from ACI; sleep 3; echo done\"",
                 *         "entrypoint": null,
                 *         "task_watch_poll_interval": 1
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["SubmitRun"];
            };
        };
        responses: {
            /** @description The run stored for this flow run id and body: nothing new is deployed. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description The new run, PENDING; Location names it. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WORK_POOL_NOT_FOUND: the work pool named in the body does not exist. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RUN_CONFLICT: this flow run id was submitted with a different body; RUN_EXPIRED: it ended and its record expired, it is not deployed again. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description TEMPLATE_NOT_RENDERABLE: the work pool template lacks what rendering needs. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    previewRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "flow_run": {
                 *         "name": "try-it-out"
                 *       },
                 *       "flow": {
                 *         "name": "hello-flow"
                 *       },
                 *       "work_pool": "default",
                 *       "job_variables": {
                 *         "resource_group_name": "demo-rg",
                 *         "subscription_id": "00000000-0000-0000-0000-000000000000",
                 *         "command": "sh -c \"echo hello from ACI; sleep 3; echo done\"",
                 *         "entrypoint": null,
                 *         "task_watch_poll_interval": 1
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["SubmitRun"];
            };
        };
        responses: {
            /** @description What the run would send to Azure, secrets masked. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunPreview"];
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WORK_POOL_NOT_FOUND: the work pool named in the body does not exist. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description TEMPLATE_NOT_RENDERABLE: the work pool template lacks what rendering needs. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The flow run id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RUN_NOT_FOUND: no run with this flow run id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    killRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The infrastructure pid: "<flow_run_id>:<container_group_name>", as in the run's infrastructure_pid and links.kill.
                 * @example 0b7c4b7e-3a5e-4c6f-9a2b-1d2e3f4a5b6c:hello-flow-0b7c4b7e
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run, now CANCELLING (or already CANCELLING). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description INVALID_INFRASTRUCTURE_PID: not "<flow_run_id>:<container_group_name>"; or VALIDATION_FAILED. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INFRASTRUCTURE_NOT_FOUND: no run with this flow run id owns this container group. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RUN_ALREADY_FINISHED: the run has ended; there is nothing to kill. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getRunLogs: {
        parameters: {
            query?: {
                /** @description Stream as server-sent events (`event: log`, each with an `id:`) until the run ends (`event: end`); comment lines keep the connection alive. A reconnecting client sends the last id as `Last-Event-ID` (or `after`) and resumes there. */
                follow?: boolean;
                /** @description Only lines after this line id. */
                after?: string;
            };
            header?: never;
            path: {
                /** @description The flow run id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The lines kept so far as JSON; with follow=true, a server-sent event stream instead. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        run_state: "PENDING" | "SUBMITTING" | "PROVISIONING" | "RUNNING" | "COMPLETED" | "FAILED" | "CRASHED" | "CANCELLING" | "CANCELLED";
                        lines: {
                            /** @description Position in the run's log: pass it as `after` (or Last-Event-ID) to read on from there. */
                            id: string;
                            ts: string;
                            line: string;
                        }[];
                    };
                    "text/event-stream": string;
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RUN_NOT_FOUND: no run with this flow run id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Lower-case letters, digits and dashes. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The webhook, without its secret. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WEBHOOK_NOT_FOUND: no webhook with this name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    putWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Lower-case letters, digits and dashes. */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "url": "https://hooks.example.com/aci-runs",
                 *       "events": [
                 *         "COMPLETED",
                 *         "FAILED",
                 *         "CRASHED"
                 *       ],
                 *       "secret": "whsec-change-me-0123456789"
                 *     }
                 */
                "application/json": {
                    /** @description http(s) URL; private and loopback addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true. */
                    url: string;
                    /** @description Run states that trigger a delivery (PENDING, …, CANCELLED), or ["*"] for every state change. */
                    events: string[];
                    /** @description Only runs of these work pools. */
                    pools?: string[];
                    /** @description Signs every delivery (webhook-signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">). Sealed at rest, never returned. */
                    secret: string;
                };
            };
        };
        responses: {
            /** @description Replaced; the secret is never returned. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description Created; the secret is never returned. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description VALIDATION_FAILED (events, url, secret) or WEBHOOK_TARGET_REFUSED (private, loopback or non-http target). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Lower-case letters, digits and dashes. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WEBHOOK_NOT_FOUND: no webhook with this name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every webhook, without its secret. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Webhook"][];
                    };
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Lower-case letters, digits and dashes. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The last attempts (up to 1,000 are kept), newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["DeliveryAttempt"][];
                    };
                };
            };
            /** @description VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description WEBHOOK_NOT_FOUND: no webhook with this name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description INTERNAL_ERROR: a defect; the message gives the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description STORE_UNAVAILABLE: Redis does not answer; try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format 0.0.4. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description UNAUTHENTICATED: no API key, or one the service does not know. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description FORBIDDEN: the API key lacks the scope this route needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
}

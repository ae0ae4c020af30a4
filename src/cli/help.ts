// The --help texts of aci-runs, one per command.

export const HELP: Record<string, string> = {
  main: `aci-runs: flow runs on Azure Container Instances, from the command line.

Usage: aci-runs <command> [options]

Commands:
  submit            submit a flow run
  get <id>          show a run
  list              list runs, newest first
  logs <id>         print a run's container output (--follow streams it)
  wait <id>         wait for a run to end; the exit status is the run's status_code
  kill <id|pid>     kill a run's infrastructure
  pools list|get|put   work pools

Environment: ACI_RUNNER_URL (default http://127.0.0.1:3000), ACI_RUNNER_KEY (an API key).
Every command takes --json (machine-readable output) and --help.
Exit status: 0 ok, 1 the API refused (the error code is printed), 2 bad usage; wait: the run's status_code.
`,
  submit: `Usage: aci-runs submit [--pool NAME] [--flow NAME] [--name RUN_NAME] [--id UUID]
                      [--var KEY=VALUE]... [--vars-file FILE.json] [--wait] [--json]

Submits a flow run. Job variables come from --vars-file (a JSON object) and then --var (repeatable;
VALUE is read as JSON when it parses, else as a string: --var cpu=2 --var command="echo hi").
--wait waits for the end like \`aci-runs wait\` and exits with the run's status_code.
`,
  get: `Usage: aci-runs get <flow-run-id> [--json]

Shows a run: state, pool, result and its history.
`,
  list: `Usage: aci-runs list [--state STATE] [--pool NAME] [--limit N] [--json]

Lists runs, newest first (default 20).
`,
  logs: `Usage: aci-runs logs <flow-run-id> [--follow] [--json]

Prints the run's container output. --follow streams it until the run ends (resuming with
Last-Event-ID when the connection drops). --json prints one JSON object per line.
`,
  wait: `Usage: aci-runs wait <flow-run-id> [--timeout SECONDS] [--interval SECONDS] [--json]

Waits until the run is final, showing its state and the elapsed time on stderr. Exit status: the run's
status_code when it is 0-255, else 1 (e.g. -1 for a crashed run); 124 when --timeout passes first.
`,
  kill: `Usage: aci-runs kill <flow-run-id | flow-run-id:container-group> [--json]

Kills the run's infrastructure (the run goes CANCELLING, then CANCELLED).
`,
  pools: `Usage: aci-runs pools list [--json]
       aci-runs pools get <name> [--json]
       aci-runs pools put <name> --file POOL.json [--json]

Work pools. The file for put is the body of PUT /work-pools/{name}:
{"base_job_template": {...}, "description"?, "concurrency_limit"?, "secret_env_names"?}.
`,
};

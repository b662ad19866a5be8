"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { toFormError, type FormError, NO_ERROR } from "@/components/errors";
import { Alert, Button, Card, CardBody, CardHeader, Field, cx, ui } from "@/components/ui";
import { SCENARIO_INFO, type LoadTestOptions, type LoadTestScenario } from "@/shared/load-tests";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { boundsFor, validateStart, type StartField, type StartValues } from "./validate";
import styles from "./StartForm.module.css";

const range = (min: number, max: number) => `${min.toLocaleString("en")}–${max.toLocaleString("en")}`;

function isConflict(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "CONFLICT";
}

/** Scenario, size and pace of a new run, checked here against the bounds the server enforces. */
export function StartForm({ options, busy, onStarted }: { options: LoadTestOptions; busy: boolean; onStarted(runId: string): void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const titleId = useId();
  const { limits } = options;
  const firstAvailable = options.scenarios.find((s) => s.available)?.scenario ?? "http-read";
  const [scenario, setScenario] = useState<LoadTestScenario>(firstAvailable);
  const [values, setValues] = useState<StartValues>({
    connections: String(limits.connections.default),
    durationS: String(limits.durationS.default),
    ratePerS: "",
  });
  const [local, setLocal] = useState<Partial<Record<StartField, string>>>({});
  const [serverError, setServerError] = useState<FormError>(NO_ERROR);
  const [conflict, setConflict] = useState<string | null>(null);
  const bounds = boundsFor(limits, scenario);
  // The run a CONFLICT was about has ended once the page no longer knows of a run in progress.
  const wasBusy = useRef(busy);
  useEffect(() => {
    if (wasBusy.current && !busy) setConflict(null);
    wasBusy.current = busy;
  }, [busy]);

  const start = useMutation({
    mutationFn: (input: { scenario: LoadTestScenario; connections: number; durationS: number; ratePerS?: number }) => client.loadTest.start.mutate(input),
    onSuccess: ({ runId }) => {
      void queryClient.invalidateQueries({ queryKey: trpc.loadTest.options.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.loadTest.list.pathKey() });
      onStarted(runId);
    },
    onError: (error) => {
      if (isConflict(error)) {
        setConflict(error.message);
        // Someone else's run: the page shows it once it knows.
        void queryClient.invalidateQueries({ queryKey: trpc.loadTest.options.pathKey() });
        return;
      }
      setServerError(toFormError(error));
    },
  });

  function set(field: StartField, value: string) {
    setValues((v) => ({ ...v, [field]: value }));
    setLocal((p) => ({ ...p, [field]: undefined }));
    setServerError((e) => ({ ...e, fields: { ...e.fields, [field]: undefined } }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setServerError(NO_ERROR);
    setConflict(null);
    const problems = validateStart(values, bounds);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const rate = values.ratePerS.trim();
    start.mutate({
      scenario,
      connections: Number(values.connections),
      durationS: Number(values.durationS),
      ...(rate ? { ratePerS: Number(rate) } : {}),
    });
  }

  const error = (field: StartField) => local[field] ?? serverError.fields[field];
  const rateHint =
    scenario === "websocket"
      ? `Messages published per second. Empty: ${limits.websocketRate.default}/s.`
      : "Requests per second across all connections. Empty: as fast as Pulse answers.";

  return (
    <Card aria-labelledby={titleId}>
      <CardHeader titleId={titleId} title="Start a run" description="One run at a time, across every instance. Every run stays within these bounds." />
      <CardBody>
        <form className={ui.form} onSubmit={submit} noValidate data-testid="lt-start-form">
          <fieldset className={styles.scenarios}>
            <legend className={ui.label}>Scenario</legend>
            <div className={styles.scenarioGrid}>
              {options.scenarios.map(({ scenario: id, available, reason }) => (
                <label key={id} className={styles.scenario} data-checked={scenario === id || undefined} data-disabled={!available || undefined}>
                  <input
                    type="radio"
                    name="scenario"
                    value={id}
                    checked={scenario === id}
                    disabled={!available}
                    onChange={() => setScenario(id)}
                    // Named by the label alone; the description (or why it is unavailable) is read after it.
                    aria-labelledby={`${titleId}-${id}-label`}
                    aria-describedby={`${titleId}-${id}-description`}
                  />
                  <span className={styles.scenarioText}>
                    <span className={styles.scenarioLabel} id={`${titleId}-${id}-label`}>
                      {SCENARIO_INFO[id].label}
                    </span>
                    <span className={styles.scenarioDescription} id={`${titleId}-${id}-description`}>
                      {available ? SCENARIO_INFO[id].description : `Unavailable: ${reason ?? "this server cannot run it now."}`}
                    </span>
                  </span>
                </label>
              ))}
            </div>
            {serverError.fields.scenario ? <p className={ui.fieldError}>{serverError.fields.scenario}</p> : null}
          </fieldset>

          <div className={cx(styles.numbers)}>
            <Field
              label="Connections"
              type="number"
              inputMode="numeric"
              min={bounds.connections.min}
              max={bounds.connections.max}
              step={1}
              value={values.connections}
              onChange={(e) => set("connections", e.target.value)}
              labelAside={<span className={styles.bound}>{range(bounds.connections.min, bounds.connections.max)}</span>}
              hint={scenario === "chat" ? "Concurrent answers streamed from the stand-in." : "Open at the same time."}
              error={error("connections")}
            />
            <Field
              label="Duration (s)"
              type="number"
              inputMode="numeric"
              min={bounds.durationS.min}
              max={bounds.durationS.max}
              step={1}
              value={values.durationS}
              onChange={(e) => set("durationS", e.target.value)}
              labelAside={<span className={styles.bound}>{range(bounds.durationS.min, bounds.durationS.max)} s</span>}
              hint={`Or ${limits.maxRequests.toLocaleString("en")} requests, whichever comes first.`}
              error={error("durationS")}
            />
            <Field
              label="Rate per second (optional)"
              type="number"
              inputMode="numeric"
              min={bounds.ratePerS.min}
              max={bounds.ratePerS.max}
              step={1}
              placeholder="Unlimited"
              value={values.ratePerS}
              onChange={(e) => set("ratePerS", e.target.value)}
              labelAside={<span className={styles.bound}>{range(bounds.ratePerS.min, bounds.ratePerS.max)}</span>}
              hint={rateHint}
              error={error("ratePerS")}
            />
          </div>

          <div role="alert" aria-atomic="true">
            {conflict ? (
              <Alert tone="warning" title="A run is already in progress">
                {conflict}
              </Alert>
            ) : serverError.message ? (
              <Alert tone="danger" title="The run was not started">
                {serverError.message}
              </Alert>
            ) : null}
          </div>

          <div className={styles.footer}>
            <p className={styles.target} data-testid="lt-target">
              Load goes to <code>{options.target}</code> (Pulse itself)
            </p>
            <Button type="submit" variant="primary" loading={start.isPending} disabled={busy}>
              Start load test
            </Button>
          </div>
          {busy ? <p className={styles.busy}>A run is in progress: start another when it ends.</p> : null}
        </form>
      </CardBody>
    </Card>
  );
}

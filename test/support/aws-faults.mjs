/**
 * AWS faults injected into the SDK clients of a bluegreen process, from outside the product: load it with
 * `NODE_OPTIONS=--import=<absolute path of this file>` (test/integration/aws-faults.test.ts does). The product
 * has no test-only code path; this file adds one middleware to every AWS SDK v3 client the process builds.
 *
 * BLUEGREEN_TEST_FAULTS (JSON, read only here) lists the faults:
 *
 *   [{ "operation": "CreateAutoScalingGroup", "error": "Throttling", "times": 99 }]
 *
 *  - operation: the command's name without "Command" (CreateLaunchConfiguration, ModifyListener, ...);
 *  - error: Throttling | AccessDenied | InternalFailure | Timeout (what AWS would answer; see ANSWERS);
 *  - times: how many attempts fail (default: all). An attempt is one HTTP request: the SDK's retries of one
 *    call are attempts too, so "times": 2 is a fault the SDK's retries get past and "times": 99 one they do not;
 *  - after: fail only once that many attempts of the operation have succeeded (default 0);
 *  - input: fail only calls whose input has these values (e.g. { "AutoScalingGroupName": "shop-blue" });
 *  - sent (Timeout only): the request reaches AWS and AWS acts on it; only the answer is lost.
 *
 * Where it sits: in the `deserialize` step at low priority, that is inside the SDK's retry middleware (step
 * finalizeRequest), its signing and its deserializer, in place of the HTTP handler. A service error is
 * answered as an HTTP response in the service's own protocol (awsQuery, ec2Query, restXml, awsJson), which the
 * SDK's deserializer turns into its real service exception ($metadata.httpStatusCode, name, Code), so the
 * retry strategy classifies it as it would AWS's answer: Throttling (400, EC2: RequestLimitExceeded 503) and
 * InternalFailure (500) are retried, AccessDenied (403) is not. A Timeout is an Error named TimeoutError,
 * what the SDK's node HTTP handler throws when a request times out (retried as transient).
 *
 * BLUEGREEN_TEST_FAULTS_LOG: a file that gets one JSON line per attempt of every call:
 *   { "pid", "service", "operation", "fault": kind or null }
 * so a test can count attempts (moto never sees an injected fault, so a proxy in front of it cannot).
 *
 * BLUEGREEN_TEST_KILL (JSON, read only here): makes the process SIGKILL itself (`process.kill(process.pid,
 * 'SIGKILL')`: no handler, no flush, no journal save) at one point, for the crash tests
 * (test/integration/sigkill.test.ts). One object, one of:
 *
 *   { "step": "create-group", "at": "start" }  right after the step.started event of that step is written (the
 *                                             engine has saved the step as running; no AWS call of it made yet);
 *   { "step": "create-group", "at": "write" }  right after the first mutating call (an operation not named
 *                                             Describe*, List*, Get*) made while that step runs got a successful
 *                                             answer from AWS: the write took effect, the product never saw it;
 *   { "step": "create-group", "at": "end" }    right after the step.succeeded event of that step is written;
 *   { "operation": "CreateAutoScalingGroup", "nth": 1 }  right after the nth successful attempt of that operation;
 *   { "writes": 3 }                            right after the 3rd successful mutating call of the process.
 *
 * The step that runs is read from the process's own `--output json` event lines (process.stdout.write is
 * wrapped; the lines are passed on unchanged), so "step" needs --output json. Before it dies the process
 * appends one line to BLUEGREEN_TEST_FAULTS_LOG (when set): { "pid", "killed": <the spec>, "step", "operation" }
 * (step: the step it died in, or at the end of; operation: the call it died after, null at start and end).
 * Each attempt logged there also carries "step": the step running when it was made (null outside steps).
 *
 * BLUEGREEN_TEST_FAULTS_DELAY_SCALE (default 1): makes time run faster for the SDK's retry machinery only:
 * the waits it sleeps (timers set from @smithy/core's retry module, and only those) are multiplied by it, and
 * the adaptive rate limiter's clock is divided by it (its token bucket refills by elapsed time). So a
 * throttling that goes past 6 attempts does not cost the test ~10-30 s of backoff. It changes no decision of
 * the SDK (which errors are retried, how often), only how long it sleeps.
 */
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

const KINDS = ['Throttling', 'AccessDenied', 'InternalFailure', 'Timeout'];

const KILL_POINTS = ['start', 'write', 'end'];

function parseKill(text) {
  if (!text) return undefined;
  const k = JSON.parse(text);
  if (!k || typeof k !== 'object' || Array.isArray(k)) throw new Error('BLUEGREEN_TEST_KILL must be a JSON object');
  if (typeof k.step === 'string') {
    if (!KILL_POINTS.includes(k.at)) throw new Error(`BLUEGREEN_TEST_KILL: at must be one of ${KILL_POINTS.join(', ')}`);
  } else if (typeof k.operation === 'string') {
    if (k.nth !== undefined && !(Number.isInteger(k.nth) && k.nth >= 1)) throw new Error('BLUEGREEN_TEST_KILL: nth must be an integer >= 1');
  } else if (!(Number.isInteger(k.writes) && k.writes >= 1)) {
    throw new Error('BLUEGREEN_TEST_KILL needs step (with at), operation (with nth) or writes');
  }
  return k;
}

function parseFaults(text) {
  if (!text) return [];
  const list = JSON.parse(text);
  if (!Array.isArray(list)) throw new Error('BLUEGREEN_TEST_FAULTS must be a JSON array');
  return list.map((f, i) => {
    if (!f || typeof f.operation !== 'string') throw new Error(`BLUEGREEN_TEST_FAULTS[${i}]: operation is required`);
    if (!KINDS.includes(f.error)) throw new Error(`BLUEGREEN_TEST_FAULTS[${i}]: error must be one of ${KINDS.join(', ')}`);
    return { ...f, times: f.times ?? Infinity, after: f.after ?? 0, failed: 0 };
  });
}

const faults = parseFaults(process.env.BLUEGREEN_TEST_FAULTS);
const killSpec = parseKill(process.env.BLUEGREEN_TEST_KILL);
const logFile = process.env.BLUEGREEN_TEST_FAULTS_LOG;
const delayScale = Number(process.env.BLUEGREEN_TEST_FAULTS_DELAY_SCALE ?? '1');

// Resolved from this repository's node_modules, as the product's SDK clients resolve it (Node's "node"
// export condition gives the CommonJS build to both import and require, so this is the one Client class).
const require = createRequire(import.meta.url);
const { Client } = require('@smithy/core/client');
const { HttpResponse } = require('@smithy/core/protocols');

/** Successful attempts per operation, for `after`. */
const succeeded = new Map();

function log(entry) {
  if (logFile) appendFileSync(logFile, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
}

// ---------------------------------------------------------------- BLUEGREEN_TEST_KILL

/** The step that runs now, from the process's own JSON event lines (null outside steps). */
let currentStep = null;
/** Successful mutating calls of the process, and of the current step. */
let writes = 0;
let stepWrites = 0;

const isWrite = (operation) => !/^(Describe|List|Get)/.test(operation);

function die(operation, step = currentStep) {
  if (logFile) appendFileSync(logFile, `${JSON.stringify({ pid: process.pid, killed: killSpec, step, operation: operation ?? null })}\n`);
  process.kill(process.pid, 'SIGKILL');
}

/** After a successful attempt of `operation` (the answer is in hand, the product has not seen it). */
function afterSuccess(operation) {
  if (!isWrite(operation)) {
    if (killSpec?.operation === operation && (succeeded.get(operation) ?? 0) >= (killSpec.nth ?? 1)) die(operation);
    return;
  }
  writes++;
  if (currentStep !== null) stepWrites++;
  if (!killSpec) return;
  if (killSpec.step !== undefined && killSpec.at === 'write' && killSpec.step === currentStep && stepWrites === 1) die(operation);
  if (killSpec.operation === operation && (succeeded.get(operation) ?? 0) >= (killSpec.nth ?? 1)) die(operation);
  if (killSpec.writes !== undefined && writes >= killSpec.writes) die(operation);
}

/** Follows the event lines the process writes to stdout (`--output json`): the current step, and kills at start/end. */
function onEventLine(line) {
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    return;
  }
  if (!event || typeof event !== 'object') return;
  if (event.event === 'step.started') {
    currentStep = event.stepId ?? null;
    stepWrites = 0;
    if (killSpec?.at === 'start' && killSpec.step === currentStep) die();
  } else if (event.event === 'step.succeeded' || event.event === 'step.failed') {
    const step = event.stepId ?? null;
    currentStep = null;
    if (event.event === 'step.succeeded' && killSpec?.at === 'end' && killSpec.step === step) die(undefined, step);
  }
}

{
  let pending = '';
  const write = process.stdout.write;
  process.stdout.write = function writeWatched(chunk, ...rest) {
    const result = write.call(this, chunk, ...rest);
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim().startsWith('{')) onEventLine(line);
    }
    return result;
  };
}

function matchesInput(want, input) {
  if (!want) return true;
  return Object.entries(want).every(([k, v]) => JSON.stringify(input?.[k]) === JSON.stringify(v));
}

function faultFor(operation, input) {
  for (const f of faults) {
    if (f.operation !== operation || !matchesInput(f.input, input)) continue;
    if ((succeeded.get(operation) ?? 0) < f.after) continue;
    if (f.failed >= f.times) continue;
    return f;
  }
  return undefined;
}

/** The protocol of a client, from its config (the SDK's protocol class names). */
function protocolOf(config) {
  const p = config.protocol;
  const name = (typeof p === 'function' ? p.name : p?.constructor?.name) ?? '';
  if (/Ec2Query/i.test(name)) return 'ec2';
  if (/S3RestXml/i.test(name)) return 's3';
  if (/Query/i.test(name)) return 'query';
  if (/RestXml/i.test(name)) return 'restXml';
  if (/Json/i.test(name)) return 'json';
  return 'query';
}

/** What AWS answers for each kind, per protocol: status and error code. */
const ANSWERS = {
  Throttling: {
    status: 400,
    code: 'Throttling',
    ec2: { status: 503, code: 'RequestLimitExceeded' },
    s3: { status: 503, code: 'SlowDown' },
    json: { code: 'ThrottlingException' },
    message: 'Rate exceeded',
  },
  AccessDenied: {
    status: 403,
    code: 'AccessDenied',
    ec2: { code: 'UnauthorizedOperation' },
    json: { code: 'AccessDeniedException' },
    message:
      'User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform this action (injected by test/support/aws-faults.mjs)',
  },
  InternalFailure: {
    status: 500,
    code: 'InternalFailure',
    ec2: { code: 'InternalError' },
    s3: { code: 'InternalError' },
    message: 'We encountered an internal error. Please try again.',
  },
};

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function errorResponse(kind, protocol) {
  const base = ANSWERS[kind];
  const { status, code } = { status: base.status, code: base.code, ...(base[protocol] ?? {}) };
  const message = base.message;
  const requestId = `fault-${process.pid}-${Date.now()}`;
  let body;
  const headers = { 'x-amzn-requestid': requestId };
  if (protocol === 'ec2') {
    headers['content-type'] = 'text/xml;charset=UTF-8';
    body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  } else if (protocol === 's3') {
    headers['content-type'] = 'application/xml';
    body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
  } else if (protocol === 'json') {
    headers['content-type'] = 'application/x-amz-json-1.1';
    headers['x-amzn-errortype'] = code;
    body = JSON.stringify({ __type: code, message });
  } else {
    headers['content-type'] = 'text/xml';
    const type = status >= 500 ? 'Receiver' : 'Sender';
    body = `<?xml version="1.0"?>\n<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  }
  return new HttpResponse({ statusCode: status, reason: '', headers, body: Readable.from([Buffer.from(body)]) });
}

function timeoutError() {
  return Object.assign(new Error('Connection timed out after 30000 ms (injected by test/support/aws-faults.mjs)'), { name: 'TimeoutError' });
}

const patched = new WeakSet();

function addFaultMiddleware(client) {
  const service = client.config?.serviceId ?? client.constructor?.name ?? '?';
  const protocol = protocolOf(client.config ?? {});
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const fault = faultFor(operation, args.input);
      if (!fault) {
        const result = await next(args);
        const status = result?.response?.statusCode;
        const ok = status === undefined || status < 300;
        if (ok) succeeded.set(operation, (succeeded.get(operation) ?? 0) + 1);
        log({ service, operation, fault: null, status, step: currentStep });
        if (ok) afterSuccess(operation);
        return result;
      }
      fault.failed++;
      log({ service, operation, fault: fault.error, ...(fault.sent ? { sent: true } : {}), step: currentStep });
      if (fault.error === 'Timeout') {
        if (fault.sent) await next(args); // AWS gets it and acts on it; the answer never arrives
        throw timeoutError();
      }
      return { response: errorResponse(fault.error, protocol) };
    },
    { step: 'deserialize', priority: 'low', name: 'bluegreenTestFaults', tags: ['TEST_FAULTS'] },
  );
}

const send = Client.prototype.send;
Client.prototype.send = function sendWithFaults(...args) {
  if (!patched.has(this)) {
    patched.add(this);
    addFaultMiddleware(this);
  }
  return send.apply(this, args);
};

if (delayScale !== 1 && Number.isFinite(delayScale) && delayScale >= 0) {
  const setTimeoutOriginal = globalThis.setTimeout;
  const fromRetryModule = () => /[\\/]submodules[\\/]retry[\\/]/.test(new Error().stack ?? '');
  globalThis.setTimeout = function scaledSetTimeout(fn, ms, ...rest) {
    if (typeof ms === 'number' && ms > 0 && fromRetryModule()) ms = Math.floor(ms * delayScale);
    return setTimeoutOriginal.call(this, fn, ms, ...rest);
  };
  const { DefaultRateLimiter } = require('@smithy/core/retry');
  if (delayScale > 0 && DefaultRateLimiter?.prototype?.getCurrentTimeInSeconds) {
    DefaultRateLimiter.prototype.getCurrentTimeInSeconds = () => Date.now() / 1000 / delayScale;
  }
}

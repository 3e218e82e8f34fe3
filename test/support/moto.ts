/**
 * A moto server for one test file: a child of the test process on a free loopback port, reset
 * between tests, killed and awaited at the end (PID 1 here does not reap orphans).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  port: number;
  /** Clears all of moto's state (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Kills the server and waits for it to exit. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startMoto(options: { timeoutMs?: number } = {}): Promise<Moto> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    let spawnError: Error | undefined;
    child.on('error', (e) => (spawnError = e));
    const endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    let ready = false;
    while (Date.now() < deadline && !spawnError && child.exitCode === null) {
      try {
        const res = await fetch(`${endpoint}/moto-api/`);
        if (res.ok) {
          await res.arrayBuffer();
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    if (spawnError) throw new Error(`cannot start moto_server (is it on PATH? pip install 'moto[server]'): ${spawnError.message}`);
    if (!ready) {
      child.kill('SIGKILL');
      await exited(child);
      if (/Address already in use/i.test(log)) continue; // lost a race for the port: try another
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${log}`);
    }
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    };
    return {
      endpoint,
      port,
      stop,
      reset: async () => {
        const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`moto reset answered HTTP ${res.status}`);
      },
    };
  }
  throw new Error('moto_server: no free port after 3 attempts');
}

/** The environment that points the AWS SDK (in this process or a child) at moto. */
export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Sets awsEnv(endpoint) on this process (for SDK clients built in the test itself); returns an undo. */
export function useAwsEnv(endpoint: string): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(awsEnv(endpoint))) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  // Ignore a developer's own profile and credentials files.
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN']) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

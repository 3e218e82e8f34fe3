/**
 * A moto server for one test file: a child of the test process on a free loopback port, reset
 * between tests, killed and awaited at the end (PID 1 here does not reap orphans).
 *
 * The server is moto's own (`moto.server.main`, what `moto_server` runs), started by `python3 -c` so that
 * two gaps of moto 5.2.1 can be filled first (MOTO_PATCH below); nothing else differs from `moto_server`.
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

/**
 * The patches. (1) CreateImage with a TagSpecification of ResourceType `snapshot`. AWS accepts it and tags
 * the snapshots the new image is made of; bake-image sends it (the baked image's snapshots carry the
 * deployment's tags); moto 5.2.1's AmiBackend.create_image raises NotImplementedError for it (HTTP 500).
 * Here the other tag specifications go to moto's own create_image unchanged, and the snapshot tags are put
 * on the snapshot it made (moto makes one per image, `ami.ebs_snapshot`), as AWS does. It only makes moto
 * behave like AWS: every other request, and CreateImage without snapshot tags, is moto's own code.
 * (2) PutNotificationConfiguration and DescribeNotificationConfigurations, which moto 5.2.1 does not
 * implement (HTTP 500): kept per group and topic on moto's Auto Scaling backend (so a reset clears them), a
 * topic's types replaced by each put, described one per topic and type for groups that still exist, as AWS
 * does (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeNotificationConfigurations.html).
 */
const MOTO_PATCH = `
import inspect, sys
from moto.ec2.models.amis import AmiBackend
_create_image = AmiBackend.create_image
def create_image(self, *args, **kwargs):
    call = inspect.signature(_create_image).bind(self, *args, **kwargs)
    snapshot_tags = {}
    rest = []
    for spec in call.arguments.get("tag_specifications") or []:
        if spec.get("ResourceType") == "snapshot":
            snapshot_tags.update({t["Key"]: t["Value"] for t in spec.get("Tags", [])})
        else:
            rest.append(spec)
    call.arguments["tag_specifications"] = rest
    ami = _create_image(*call.args, **call.kwargs)
    if snapshot_tags and getattr(ami, "ebs_snapshot", None) is not None:
        self.create_tags([ami.ebs_snapshot.id], snapshot_tags)
    return ami
AmiBackend.create_image = create_image
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult, EmptyResult
def _notifications(self):
    backend = self.autoscaling_backend
    if not hasattr(backend, "bluegreen_notifications"):
        backend.bluegreen_notifications = {}
    return backend.bluegreen_notifications
def put_notification_configuration(self):
    group = self._get_param("AutoScalingGroupName")
    _notifications(self)[(group, self._get_param("TopicARN"))] = list(self._get_param("NotificationTypes", []))
    return EmptyResult()
def describe_notification_configurations(self):
    names = self._get_param("AutoScalingGroupNames", []) or []
    live = self.autoscaling_backend.autoscaling_groups
    out = [
        {"AutoScalingGroupName": group, "TopicARN": topic, "NotificationType": kind}
        for (group, topic), kinds in _notifications(self).items()
        if group in live and (not names or group in names)
        for kind in kinds
    ]
    return ActionResult({"NotificationConfigurations": out})
AutoScalingResponse.put_notification_configuration = put_notification_configuration
AutoScalingResponse.describe_notification_configurations = describe_notification_configurations
from moto.server import main
main(sys.argv[1:])
`;

export async function startMoto(options: { timeoutMs?: number } = {}): Promise<Moto> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn('python3', ['-c', MOTO_PATCH, '-H', '127.0.0.1', '-p', String(port)], {
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
    if (spawnError) throw new Error(`cannot start moto (python3 with moto[server]: pip install 'moto[server]'): ${spawnError.message}`);
    if (!ready) {
      child.kill('SIGKILL');
      await exited(child);
      if (/Address already in use/i.test(log)) continue; // lost a race for the port: try another
      throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms (python3 needs moto[server]: pip install 'moto[server]'):\n${log}`);
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
  throw new Error('moto: no free port after 3 attempts');
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
